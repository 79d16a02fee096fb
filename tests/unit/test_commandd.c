// SPDX-License-Identifier: GPL-2.0
/*
 * The command daemon without a kernel: the request parser's strictness, bad
 * requests that change nothing, idempotent retries, restart after a "crash" at
 * every point of a mutating request (the in-process master plays the module and
 * survives the daemon), the exclusive command channel, the socket with its peer
 * check, the RCU replica under concurrent readers, and the journal file.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "commandd/rcu.h"

#include "commandd_fixture.h"
#include "cmdapi.h"
#include "resdb_store.h"

static void setup(void)
{
	struct cmdd_master_cfg mc = { .host_pages = 16ull << 18, .nr_cpus = 4 };
	struct cmdd_config cfg = { .journal_max = 64 };

	fx_setup(&mc, true, CMDD_LOG_WARNING);
	fx_start(&cfg);
}

static void teardown(void)
{
	fx_teardown();
}

static u32 count_partitions(void)
{
	json_object *resp, *res, *arr;
	u32 n;

	ck_assert_int_eq(fx_send("list", NULL), 0);
	ck_assert_int_eq(fx_send_id("count", "list", NULL, &resp), 0);
	ck_assert(json_object_object_get_ex(resp, "result", &res));
	ck_assert(json_object_object_get_ex(res, "partitions", &arr));
	n = (u32)json_object_array_length(arr);
	json_object_put(resp);
	return n;
}

/* ---- the parser ------------------------------------------------------------------------ */

static const struct {
	const char *text;
	int err;
} bad_requests[] = {
	{ "", EINVAL },
	{ "not json", EINVAL },
	{ "[1,2]", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"list\"} trailing", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"list\"", EINVAL },
	{ "{\"op\":\"list\"}", EINVAL },
	{ "{\"id\":\"\",\"op\":\"list\"}", EINVAL },
	{ "{\"id\":\"has space\",\"op\":\"list\"}", EINVAL },
	{ "{\"id\":7,\"op\":\"list\"}", EINVAL },
	{ "{\"id\":\"a\"}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"reboot\"}", EOPNOTSUPP },
	{ "{\"id\":\"a\",\"op\":\"list\",\"v\":2}", EPROTONOSUPPORT },
	{ "{\"id\":\"a\",\"op\":\"list\",\"extra\":1}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"list\",\"args\":{\"name\":\"x\"}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"list\",\"args\":[]}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\"}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"memory\":4194304}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":-4194304}}", ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194305}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":0}}", ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4.5}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":\"64M\"}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":99999999999999999999999}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":9223372036854775807}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"duty\":17}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"duty\":0}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"processors\":99}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"role\":\"god\"}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"role\":\"io\",\"duty\":4}}",
	  EINVAL },
	/* processors 0: only an I/O partition played by a host daemon (no image) */
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"processors\":0}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"role\":\"command\",\"processors\":0}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"role\":\"io\",\"processors\":0,\"image\":\"/k\"}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x y\",\"memory\":4194304}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"-x\",\"memory\":4194304}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\\u0000y\",\"memory\":4194304}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"0123456789012345678901234567890123\",\"memory\":4194304}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"image\":\"rel/path\"}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"channels\":{}}}",
	  EINVAL },
	/* placement requests: offset needs cpu, one vCPU, the run inside 16 slots */
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"offset\":0}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"cpu\":0,\"processors\":2}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"cpu\":0,\"duty\":8,\"offset\":12}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"cpu\":512}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"cpu\":0,\"offset\":16}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"set_schedule\",\"args\":{\"name\":\"x\",\"duty\":4,\"cpu\":0}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"channels\":[{\"type\":1}]}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"channels\":[{\"type\":1,\"pages\":0}]}}",
	  ERANGE },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"channels\":[{\"type\":1,\"pages\":1,\"x\":1}]}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"initrd\":\"/i\"}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"create\",\"args\":{\"name\":\"x\",\"memory\":4194304,\"image\":\"/k\",\"initrd\":\"i\"}}",
	  EINVAL },
	{ "{\"id\":\"a\",\"op\":\"start\",\"args\":{\"name\":\"x\",\"cmdline\":\"quiet\"}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"set_schedule\",\"args\":{\"name\":\"x\"}}", EINVAL },
	{ "{\"id\":\"a\",\"op\":\"destroy\",\"args\":{\"name\":\"x\",\"memory\":4194304}}", EINVAL },
};

START_TEST(parser_rejects)
{
	struct cmdd_request req;
	struct ultra_err e = { 0 };
	int ret = cmdd_request_parse(bad_requests[_i].text, strlen(bad_requests[_i].text), &req, &e);

	ck_assert_msg(ret == -bad_requests[_i].err, "%s: got %d (%s), want %d", bad_requests[_i].text, ret, e.msg,
		      -bad_requests[_i].err);
	ck_assert(e.msg[0]);
}
END_TEST

START_TEST(parser_accepts)
{
	static const char ok[] =
		"{\"v\":1,\"id\":\"c-1:x.y_z\",\"op\":\"create\",\"args\":{\"name\":\"web.1\","
		"\"memory\":67108864,\"processors\":2,\"duty\":4,\"role\":\"user\","
		"\"image\":\"/boot/hello.elf\",\"channels\":[{\"type\":1,\"pages\":4,\"server\":\"io-a\"}]}}\n";
	struct cmdd_request req, again;
	struct ultra_err e = { 0 };

	ck_assert_msg(!cmdd_request_parse(ok, strlen(ok), &req, &e), "%s", e.msg);
	ck_assert_str_eq(req.id, "c-1:x.y_z");
	ck_assert_int_eq(req.op, CMDD_OP_CREATE);
	ck_assert_str_eq(req.c.name, "web.1");
	ck_assert_uint_eq(req.c.memory, 64ull << 20);
	ck_assert_uint_eq(req.c.processors, 2);
	ck_assert_uint_eq(req.c.duty, 4);
	ck_assert_uint_eq(req.c.nr_channels, 1);
	ck_assert_str_eq(req.c.channels[0].server, "io-a");
	ck_assert_str_eq(req.image, "/boot/hello.elf");
	/* same request, same fingerprint; another duty, another one */
	ck_assert(!cmdd_request_parse(ok, strlen(ok), &again, &e));
	ck_assert_uint_eq(again.fingerprint, req.fingerprint);
	{
		static const char other[] =
			"{\"v\":1,\"id\":\"c-1:x.y_z\",\"op\":\"create\",\"args\":{\"name\":\"web.1\","
			"\"memory\":67108864,\"processors\":2,\"duty\":5,\"role\":\"user\","
			"\"image\":\"/boot/hello.elf\",\"channels\":[{\"type\":1,\"pages\":4,\"server\":\"io-a\"}]}}\n";

		ck_assert(!cmdd_request_parse(other, strlen(other), &again, &e));
		ck_assert_uint_ne(again.fingerprint, req.fingerprint);
	}
	/* a Linux image with its initramfs and command line; the command line counts */
	{
		static const char lx[] =
			"{\"id\":\"l\",\"op\":\"create\",\"args\":{\"name\":\"lx\",\"memory\":268435456,"
			"\"image\":\"/boot/vmlinuz\",\"initrd\":\"/boot/initrd\",\"cmdline\":\"console=ttyS0\"}}";
		static const char lx2[] =
			"{\"id\":\"l\",\"op\":\"create\",\"args\":{\"name\":\"lx\",\"memory\":268435456,"
			"\"image\":\"/boot/vmlinuz\",\"initrd\":\"/boot/initrd\",\"cmdline\":\"quiet\"}}";

		ck_assert_msg(!cmdd_request_parse(lx, strlen(lx), &req, &e), "%s", e.msg);
		ck_assert_str_eq(req.image, "/boot/vmlinuz");
		ck_assert_str_eq(req.initrd, "/boot/initrd");
		ck_assert_str_eq(req.cmdline, "console=ttyS0");
		ck_assert(!cmdd_request_parse(lx2, strlen(lx2), &again, &e));
		ck_assert_uint_ne(again.fingerprint, req.fingerprint);
	}
	/* an I/O partition: no processors unless asked, or unless it runs an image */
	{
		static const char io[] =
			"{\"id\":\"i\",\"op\":\"create\",\"args\":{\"name\":\"console-io\","
			"\"memory\":4194304,\"role\":\"io\"}}";
		static const char io_img[] =
			"{\"id\":\"i\",\"op\":\"create\",\"args\":{\"name\":\"io\","
			"\"memory\":4194304,\"role\":\"io\",\"image\":\"/boot/io.elf\"}}";
		static const char io_2[] =
			"{\"id\":\"i\",\"op\":\"create\",\"args\":{\"name\":\"io\","
			"\"memory\":4194304,\"processors\":2,\"role\":\"io\"}}";

		ck_assert_msg(!cmdd_request_parse(io, strlen(io), &req, &e), "%s", e.msg);
		ck_assert_uint_eq(req.c.processors, 0);
		ck_assert_msg(!cmdd_request_parse(io_img, strlen(io_img), &req, &e), "%s", e.msg);
		ck_assert_uint_eq(req.c.processors, 1);
		ck_assert_msg(!cmdd_request_parse(io_2, strlen(io_2), &req, &e), "%s", e.msg);
		ck_assert_uint_eq(req.c.processors, 2);
	}
	/* an error keeps the id for the response */
	ck_assert_int_eq(cmdd_request_parse("{\"id\":\"keep\",\"op\":\"nope\"}", 25, &req, &e),
			 -EOPNOTSUPP);
	ck_assert_str_eq(req.id, "keep");
}
END_TEST

/* ---- requests that must change nothing ------------------------------------------------- */

START_TEST(bad_requests_change_nothing)
{
	u64 before;

	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":67108864,\"duty\":4}"), 0);
	before = fx_master_hash();
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":4194304}"), EEXIST);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"idle\",\"memory\":4194304}"), EEXIST);
	ck_assert_int_eq(fx_send("destroy", "{\"name\":\"nobody\"}"), ENOENT);
	ck_assert_int_eq(fx_send("destroy", "{\"name\":\"available\"}"), EPERM);
	ck_assert_int_eq(fx_send("show", "{\"name\":\"nobody\"}"), ENOENT);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":70368748371968}"), ERANGE);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":68719476736}"), ENOSPC);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":4194304,\"processors\":5}"),
			 ENOSPC);
	ck_assert_int_eq(fx_send("create",
				  "{\"name\":\"b\",\"memory\":4194304,\"channels\":[{\"type\":1,\"pages\":1,\"server\":\"ghost\"}]}"),
			 ENOENT);
	ck_assert_int_eq(fx_send("set_schedule", "{\"name\":\"idle\",\"duty\":4}"), EPERM);
	ck_assert_int_eq(fx_send("start", "{\"name\":\"a\"}"), EOPNOTSUPP);
	ck_assert_int_eq(fx_send("stop", "{\"name\":\"nobody\"}"), ENOENT);
	ck_assert_uint_eq(fx_master_hash(), before);
	ck_assert_int_eq(count_partitions(), 6);	/* 5 built-in + a */
	ck_assert_int_eq(fx_send("db_verify", NULL), 0);
}
END_TEST

START_TEST(set_schedule_one_transaction)
{
	json_object *resp, *res, *v;

	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":4194304,\"duty\":4}"), 0);
	ck_assert_int_eq(fx_send_id("s1", "set_schedule", "{\"name\":\"a\",\"duty\":12,\"processors\":2}",
				 &resp), 0);
	ck_assert(json_object_object_get_ex(resp, "result", &res));
	ck_assert(json_object_object_get_ex(res, "duty", &v));
	ck_assert_int_eq(json_object_get_int(v), 12);
	ck_assert(json_object_object_get_ex(res, "processors", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	json_object_put(resp);
	ck_assert_int_eq(fx_send("db_verify", NULL), 0);
}
END_TEST

/* ---- idempotent retries ----------------------------------------------------------------- */

START_TEST(retry_same_id_is_idempotent)
{
	json_object *r1, *r2, *v;
	const char *args = "{\"name\":\"w\",\"memory\":8388608,\"duty\":2}";

	ck_assert_int_eq(fx_send_id("same", "create", args, &r1), 0);
	ck_assert_int_eq(fx_send_id("same", "create", args, &r2), 0);
	ck_assert(json_object_object_get_ex(r2, "replayed", &v) && json_object_get_boolean(v));
	json_object_object_del(r2, "replayed");
	ck_assert_str_eq(json_object_to_json_string(r1), json_object_to_json_string(r2));
	json_object_put(r1);
	json_object_put(r2);
	ck_assert_int_eq(count_partitions(), 6);
	/* the id again for something else: refused */
	ck_assert_int_eq(fx_send_id("same", "create", "{\"name\":\"w2\",\"memory\":8388608}", NULL),
			 EEXIST);
	ck_assert_int_eq(fx_send_id("same", "destroy", "{\"name\":\"w\"}", NULL), EEXIST);
	/* the answer survives a restart */
	fx_stop();
	fx_start(NULL);
	ck_assert_int_eq(fx_send_id("same", "create", args, &r2), 0);
	ck_assert(json_object_object_get_ex(r2, "replayed", &v));
	json_object_put(r2);
	ck_assert_int_eq(count_partitions(), 6);
}
END_TEST

/* ---- crash and restart ------------------------------------------------------------------ */

START_TEST(crash_anywhere_then_retry)
{
	enum { NAMES = 12, REQUESTS = 200 };
	bool alive[NAMES] = { false };
	unsigned int seed = 99;
	u32 i, crashes = 0, fwd_total = 0, drop_total = 0, expect = 5;
	struct resdb_check_report rep;

	for (i = 0; i < REQUESTS; i++) {
		u32 k = (u32)rand_r(&seed) % NAMES;
		char id[32], args[128];
		const char *op = alive[k] ? "destroy" : "create";
		int err;

		snprintf(id, sizeof(id), "req-%u", i);
		if (alive[k])
			snprintf(args, sizeof(args), "{\"name\":\"n%u\"}", k);
		else
			snprintf(args, sizeof(args), "{\"name\":\"n%u\",\"memory\":%u,\"duty\":1}", k,
				 (1 + (u32)rand_r(&seed) % 64) << 22);
		if (rand_r(&seed) % 4 == 0) {
			/* die somewhere in this request, restart, retry with the same id */
			enum cmdd_failpoint fp = 1 + (u32)rand_r(&seed) % (CMDD_FAIL_MAX - 1);
			u32 fwd = 0, drop = 0;

			cmdd_service_set_failpoint(svc, fp);
			err = fx_send_id(id, op, args, NULL);
			ck_assert_int_eq(err, ECANCELED);
			ck_assert(cmdd_service_dead(svc));
			fx_stop();
			fx_start(NULL);
			ck_assert_uint_eq(cmdd_service_recovered(svc, &fwd, &drop),
					  fp == CMDD_FAIL_AFTER_FINISH ? 0 : 1);
			ck_assert_uint_eq(fwd, fp == CMDD_FAIL_AFTER_SUBMIT);
			ck_assert_uint_eq(drop, fp == CMDD_FAIL_AFTER_JOURNAL);
			fwd_total += fwd;
			drop_total += drop;
			crashes++;
		}
		err = fx_send_id(id, op, args, NULL);
		ck_assert_msg(!err || err == ENOSPC, "%s %s: errno %d", op, args, err);
		if (!err)
			alive[k] = !alive[k];
		/* the retry is idempotent: once more changes nothing */
		ck_assert_int_eq(fx_send_id(id, op, args, NULL), err);
	}
	for (i = 0; i < NAMES; i++)
		expect += alive[i];
	/* nothing created twice, nothing lost */
	ck_assert_uint_eq(count_partitions(), expect);
	for (i = 0; i < NAMES; i++) {
		char args[32];

		snprintf(args, sizeof(args), "{\"name\":\"n%u\"}", i);
		ck_assert_int_eq(fx_send("show", args), alive[i] ? 0 : ENOENT);
	}
	ck_assert_int_eq(fx_send("db_verify", NULL), 0);
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);
	printf("crash test: %u crashes, %u rolled forward, %u dropped and rerun\n", crashes,
	       fwd_total, drop_total);
	ck_assert_uint_ge(crashes, 30);
}
END_TEST

START_TEST(second_instance_is_refused)
{
	struct cmdd_backend *b2 = NULL;
	struct ultra_err e = { 0 };

	ck_assert_int_eq(cmdd_master_open(master, &b2, &e), -EBUSY);
	ck_assert_int_eq(e.err, EBUSY);
	ck_assert_ptr_null(b2);
	fx_stop();
	ck_assert_int_eq(cmdd_master_open(master, &b2, &e), 0);
	b2->ops->close(b2);
	fx_start(NULL);
}
END_TEST

/* ---- the journal file ------------------------------------------------------------------- */

START_TEST(journal_bounded_and_checked)
{
	struct cmdd_journal *j;
	struct ultra_err e = { 0 };
	char path[160];
	FILE *f;
	u32 i;

	for (i = 0; i < 100; i++) {
		char args[96];

		snprintf(args, sizeof(args),
			 i % 2 ? "{\"name\":\"j%u\"}" : "{\"name\":\"j%u\",\"memory\":4194304,\"duty\":1}",
			 i / 2);
		ck_assert_int_eq(fx_send(i % 2 ? "destroy" : "create", args), 0);
	}
	fx_stop();
	ck_assert_int_eq(cmdd_journal_open(fx_journal, 64, &j, &e), 0);
	ck_assert_uint_le(cmdd_journal_count(j), 64);
	ck_assert_uint_ge(cmdd_journal_count(j), 50);
	cmdd_journal_close(j);
	/* a damaged journal is refused, not silently emptied */
	snprintf(path, sizeof(path), "%s/bad", fx_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\":1,\"entries\":[{\"id\":\"x\"}]}", f);
	fclose(f);
	ck_assert_int_eq(cmdd_journal_open(path, 64, &j, &e), -EUCLEAN);
	f = fopen(path, "w");
	fputs("{\"version\":1,\"ent", f);
	fclose(f);
	ck_assert_int_eq(cmdd_journal_open(path, 64, &j, &e), -EUCLEAN);
	fx_start(NULL);
}
END_TEST

/* a Linux create's initramfs and command line survive the journal (roll-forward loads them) */
START_TEST(journal_keeps_linux_boot_args)
{
	struct cmdd_jentry x = { .op = CMDD_OP_CREATE, .state = CMDD_J_INFLIGHT, .seq = 7 };
	const struct cmdd_jentry *y;
	struct cmdd_journal *j;
	struct ultra_err e = { 0 };
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/linux.journal", fx_dir);
	ck_assert_int_eq(cmdd_journal_open(path, 8, &j, &e), 0);
	strcpy(x.id, "lx-1");
	strcpy(x.name, "lx");
	strcpy(x.image, "/boot/vmlinuz");
	strcpy(x.initrd, "/boot/initrd.img");
	strcpy(x.cmdline, "console=ttyS0 pci=off");
	/* and its channels: a recovered create gets what it asked for */
	x.nr_channels = 2;
	x.channels[0].type = UV_CHANNEL_TYPE_CONSOLE;
	x.channels[0].pages = 8;
	strcpy(x.channels[0].server, "console-io");
	x.channels[1].type = 77;
	x.channels[1].pages = 3;
	ck_assert_int_eq(cmdd_journal_begin(j, &x, &e), 0);
	cmdd_journal_close(j);
	ck_assert_int_eq(cmdd_journal_open(path, 8, &j, &e), 0);
	y = cmdd_journal_find(j, "lx-1");
	ck_assert_ptr_nonnull(y);
	ck_assert_str_eq(y->image, "/boot/vmlinuz");
	ck_assert_str_eq(y->initrd, "/boot/initrd.img");
	ck_assert_str_eq(y->cmdline, "console=ttyS0 pci=off");
	ck_assert_uint_eq(y->nr_channels, 2);
	ck_assert_uint_eq(y->channels[0].type, UV_CHANNEL_TYPE_CONSOLE);
	ck_assert_uint_eq(y->channels[0].pages, 8);
	ck_assert_str_eq(y->channels[0].server, "console-io");
	ck_assert_uint_eq(y->channels[1].type, 77);
	ck_assert_uint_eq(y->channels[1].pages, 3);
	ck_assert_str_eq(y->channels[1].server, "");
	cmdd_journal_close(j);
	/* an initrd that is not a string: refused */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\":1,\"entries\":[{\"id\":\"x\",\"op\":\"create\",\"state\":\"inflight\","
	      "\"fingerprint\":\"1\",\"seq\":1,\"name\":\"x\",\"initrd\":5}]}", f);
	fclose(f);
	ck_assert_int_eq(cmdd_journal_open(path, 8, &j, &e), -EUCLEAN);
	/* channels that are not what a create can ask: refused */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\":1,\"entries\":[{\"id\":\"x\",\"op\":\"create\",\"state\":\"inflight\","
	      "\"fingerprint\":\"1\",\"seq\":1,\"name\":\"x\",\"channels\":[{\"type\":4,\"pages\":0}]}]}",
	      f);
	fclose(f);
	ck_assert_int_eq(cmdd_journal_open(path, 8, &j, &e), -EUCLEAN);
}
END_TEST

/* ---- readers under RCU ------------------------------------------------------------------ */

static volatile int stop_readers;
static u64 reads_done;

static void *reader(void *arg)
{
	struct cmdd_replica *r = arg;
	void *scratch = malloc(1 << 20);
	int bad = 0;

	rcu_register_thread();
	while (!stop_readers) {
		const struct resdb *db = cmdd_replica_read_lock(r);
		struct resdb_check_report rep;

		/* a half-applied transaction would break the invariant */
		if (!db || resdb_check(db, scratch, 1 << 20, &rep))
			bad++;
		cmdd_replica_read_unlock(r);
		__atomic_add_fetch(&reads_done, 1, __ATOMIC_RELAXED);
	}
	rcu_unregister_thread();
	free(scratch);
	return (void *)(long)bad;
}

START_TEST(readers_see_whole_transactions)
{
	pthread_t th[3];
	void *bad;
	u32 i;

	stop_readers = 0;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, cmdd_service_replica(svc)), 0);
	for (i = 0; i < 300; i++) {
		char args[96];

		snprintf(args, sizeof(args),
			 "{\"name\":\"r%u\",\"memory\":%u,\"duty\":1,\"channels\":[{\"type\":1,\"pages\":2}]}",
			 i % 7, (1 + i % 5) << 22);
		fx_send(i % 2 ? "destroy" : "create", args);
	}
	stop_readers = 1;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(th[i], &bad), 0);
		ck_assert_int_eq((long)bad, 0);
	}
	ck_assert_uint_gt(reads_done, 10);
	ck_assert_int_eq(fx_send("db_verify", NULL), 0);
}
END_TEST

/* ---- the socket --------------------------------------------------------------------------- */

START_TEST(socket_api_and_peer_check)
{
	struct cmdd_server_cfg cfg = { .trust_uid = getuid() };
	struct cmdd_server *srv;
	struct cmdapi_conn *c;
	struct ultra_err e = { 0 };
	json_object *res = NULL, *v;
	char path[160];

	snprintf(path, sizeof(path), "%s/sock", fx_dir);
	cfg.path = path;
	ck_assert_msg(!cmdd_server_start(&srv, svc, &cfg, &e), "%s", e.msg);
	/* a second server on the same socket is refused */
	{
		struct cmdd_server *srv2;

		ck_assert_int_eq(cmdd_server_start(&srv2, svc, &cfg, &e), -EADDRINUSE);
	}
	ck_assert_int_eq(cmdapi_connect(path, &c, &e), 0);
	ck_assert_int_eq(cmdapi_call(c, "s1", "create",
				     json_tokener_parse("{\"name\":\"sock\",\"memory\":4194304,\"duty\":2}"),
				     &res, &e), 0);
	ck_assert(json_object_object_get_ex(res, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "sock");
	json_object_put(res);
	ck_assert_int_eq(cmdapi_call(c, "s2", "destroy", json_tokener_parse("{\"name\":\"zzz\"}"),
				     &res, &e), -ENOENT);
	ck_assert_int_eq(e.err, ENOENT);
	/* garbage gets an error answer, and the connection goes on */
	ck_assert_int_eq(cmdapi_send_raw(c, "{oops\n", 6, &e), 0);
	ck_assert_int_eq(cmdapi_recv(c, &v, &e), 0);
	ck_assert_int_eq(cmdapi_parse_response(v, NULL, NULL, &e), -EINVAL);
	json_object_put(v);
	ck_assert_int_eq(cmdapi_call(c, "s3", "list", NULL, &res, &e), 0);
	json_object_put(res);
	cmdapi_close(c);
	/* the retrying call reconnects */
	ck_assert_int_eq(cmdapi_call_retry(path, "s1", "create",
					   json_tokener_parse("{\"name\":\"sock\",\"memory\":4194304,\"duty\":2}"),
					   1000, &res, &e), 0);
	json_object_put(res);
	cmdd_server_stop(srv);

	/* a peer neither trusted nor in the group: EACCES, nothing done */
	cfg.trust_uid = getuid() + 1;
	cfg.have_group = true;
	cfg.group = 54321;
	ck_assert(!cmdd_peer_allowed(&cfg, getuid(), 1000, NULL, 0));
	ck_assert(cmdd_peer_allowed(&cfg, getuid(), 54321, NULL, 0));
	{
		gid_t g[2] = { 5, 54321 };

		ck_assert(cmdd_peer_allowed(&cfg, 7, 7, g, 2));
	}
	ck_assert_msg(!cmdd_server_start(&srv, svc, &cfg, &e), "%s", e.msg);
	ck_assert_int_eq(cmdapi_connect(path, &c, &e), 0);
	ck_assert_int_eq(cmdapi_call(c, "s4", "create",
				     json_tokener_parse("{\"name\":\"evil\",\"memory\":4194304}"), &res, &e),
			 -EPROTO);	/* the one answer is an id-less EACCES */
	cmdapi_close(c);
	ck_assert_int_eq(cmdapi_connect(path, &c, &e), 0);
	ck_assert_int_eq(cmdapi_recv(c, &v, &e), 0);
	ck_assert_int_eq(cmdapi_parse_response(v, NULL, NULL, &e), -EACCES);
	json_object_put(v);
	cmdapi_close(c);
	cmdd_server_stop(srv);
	ck_assert_int_eq(fx_send("show", "{\"name\":\"evil\"}"), ENOENT);
}
END_TEST

START_TEST(group_file_lookup)
{
	char path[160];
	gid_t gid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/group", fx_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("root:x:0:\nultravisor:x:977:alice,bob\n", f);
	fclose(f);
	ck_assert_int_eq(cmdd_group_gid(path, "ultravisor", &gid), 0);
	ck_assert_uint_eq(gid, 977);
	ck_assert_int_eq(cmdd_group_gid(path, "nobody-here", &gid), -ENOENT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("commandd");
	TCase *tp = tcase_create("protocol");
	TCase *ts = tcase_create("service");

	tcase_add_loop_test(tp, parser_rejects, 0, sizeof(bad_requests) / sizeof(bad_requests[0]));
	tcase_add_test(tp, parser_accepts);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, bad_requests_change_nothing);
	tcase_add_test(ts, set_schedule_one_transaction);
	tcase_add_test(ts, retry_same_id_is_idempotent);
	tcase_add_test(ts, crash_anywhere_then_retry);
	tcase_add_test(ts, second_instance_is_refused);
	tcase_add_test(ts, journal_bounded_and_checked);
	tcase_add_test(ts, journal_keeps_linux_boot_args);
	tcase_add_test(ts, readers_see_whole_transactions);
	tcase_add_test(ts, socket_api_and_peer_check);
	tcase_add_test(ts, group_file_lookup);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
