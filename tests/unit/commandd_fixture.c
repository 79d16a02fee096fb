// SPDX-License-Identifier: GPL-2.0
/* The command daemon's test bench (commandd_fixture.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd_fixture.h"

struct cmdd_master *master;
struct cmdd_backend *be;
struct cmdd_service *svc;
char fx_dir[64];
char fx_journal[128];

static struct cmdd_config cfg_last;
static unsigned int req_no;

void fx_setup(const struct cmdd_master_cfg *mc, bool journaled, int log_level)
{
	struct ultra_err e = { 0 };

	cmdd_log_set_level(log_level);
	memset(&cfg_last, 0, sizeof(cfg_last));
	fx_dir[0] = fx_journal[0] = 0;
	req_no = 0;
	if (journaled) {
		snprintf(fx_dir, sizeof(fx_dir), "/tmp/test_commandd.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(fx_dir));
		snprintf(fx_journal, sizeof(fx_journal), "%s/journal", fx_dir);
	}
	master = cmdd_master_new(mc, &e);
	ck_assert_msg(master, "%s", e.msg);
}

void fx_teardown(void)
{
	if (svc)
		fx_stop();
	cmdd_master_free(master);
	master = NULL;
	if (fx_dir[0]) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", fx_dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

void fx_start(const struct cmdd_config *cfg)
{
	struct ultra_err e = { 0 };

	if (cfg)
		cfg_last = *cfg;
	if (fx_journal[0])
		cfg_last.journal_path = fx_journal;
	ck_assert_msg(!cmdd_master_open(master, &be, &e), "%s", e.msg);
	ck_assert_msg(!cmdd_service_open(&svc, be, &cfg_last, &e), "%s", e.msg);
}

void fx_stop(void)
{
	cmdd_service_close(svc);
	be->ops->close(be);
	svc = NULL;
	be = NULL;
}

int fx_send_id(const char *id, const char *op, const char *args, json_object **resp_out)
{
	char line[4096];
	json_object *resp, *ok, *v;
	int err = 0;

	snprintf(line, sizeof(line), "{\"id\":\"%s\",\"op\":\"%s\"%s%s}", id, op,
		 args ? ",\"args\":" : "", args ? args : "");
	resp = cmdd_service_handle_text(svc, line, strlen(line));
	ck_assert_ptr_nonnull(resp);
	ck_assert(json_object_object_get_ex(resp, "ok", &ok));
	if (!json_object_get_boolean(ok)) {
		ck_assert(json_object_object_get_ex(resp, "error", &v));
		ck_assert(json_object_object_get_ex(v, "errno", &v));
		err = json_object_get_int(v);
		ck_assert_int_gt(err, 0);
	}
	if (resp_out)
		*resp_out = resp;
	else
		json_object_put(resp);
	return err;
}

int fx_send(const char *op, const char *args)
{
	char id[32];

	snprintf(id, sizeof(id), "r%u", ++req_no);
	return fx_send_id(id, op, args, NULL);
}

u64 fx_master_hash(void)
{
	u64 h = resdb_image_hash(cmdd_master_lock(master));

	cmdd_master_unlock(master);
	return h;
}
