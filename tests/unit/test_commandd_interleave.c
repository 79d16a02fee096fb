// SPDX-License-Identifier: GPL-2.0
/*
 * Restart recovery is exact whatever else was submitted: the daemon journals a
 * request in flight, and before its own transaction reaches the module another
 * client's does (the module itself, a channel server attaching: here a Change
 * Server step on a channel, as ultra-consoled's attach makes the module submit).
 * The daemon then "dies" (a failpoint), a new one settles the journal from the
 * module's log and the client retries with the same request id: every request
 * takes effect exactly once. The daemon's transaction is recognised by the tag it
 * carries into its BEGIN record (uv_txn_hdr.tag), not by the position it
 * predicted - which the other client's transaction took.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd_fixture.h"

static u32 chan, srv;

/* A channel of "cl" served by "srv" (slot 0), and their numbers. */
static void setup(void)
{
	struct cmdd_master_cfg mc = { .host_pages = 4ull << 18, .nr_cpus = 4 };
	json_object *resp, *v;
	unsigned int g, m, k;

	fx_setup(&mc, true, CMDD_LOG_ERR);
	fx_start(NULL);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"srv\",\"memory\":4194304,\"duty\":1}"), 0);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"cl\",\"memory\":4194304,\"duty\":1,"
				 "\"channels\":[{\"type\":4,\"pages\":1,\"server\":\"srv\"}]}"), 0);
	ck_assert_int_eq(fx_send_id("show-cl", "show", "{\"name\":\"cl\"}", &resp), 0);
	ck_assert(json_object_object_get_ex(resp, "result", &v));
	ck_assert(json_object_object_get_ex(v, "channel_list", &v));
	ck_assert_uint_eq(json_object_array_length(v), 1);
	v = json_object_array_get_idx(v, 0);
	ck_assert(json_object_object_get_ex(v, "number", &v));
	ck_assert_int_eq(sscanf(json_object_get_string(v), "[%u,%u,%u]", &g, &m, &k), 3);
	chan = g << 20 | m << 10 | k;
	json_object_put(resp);
	srv = cmdd_find_partition(cmdd_master_lock(master), "srv");
	cmdd_master_unlock(master);
	ck_assert_uint_ne(srv, UV_NONE);
}

static void teardown(void)
{
	fx_teardown();
}

/* Server slot 1 of the channel from -> to: another client's transaction (tag 0). */
static int server_step(struct resdb *db, u32 slot, u32 from, u32 to)
{
	struct uv_txn_step s = { .op = UV_TXN_CHANGE_SERVER };

	s.server.number = chan;
	s.server.index = slot;
	s.server.from = from;
	s.server.to = to;
	return resdb_apply(db, &s, 1);
}

static u64 next_seq(void)
{
	u64 n = resdb_log_next_seq(cmdd_master_lock(master));

	cmdd_master_unlock(master);
	return n;
}

/* A channel server attaches: commits. */
static void attach(struct resdb *db, void *arg)
{
	ck_assert_int_eq(server_step(db, 1, UV_NONE, srv), 0);
	*(u64 *)arg = resdb_log_next_seq(db) - 3;	/* its BEGIN */
}

/* A transaction whose before image does not hold: aborts. */
static void bogus(struct resdb *db, void *arg)
{
	ck_assert_int_ne(server_step(db, 2, srv, UV_NONE), 0);
	*(u64 *)arg = resdb_log_next_seq(db) - 2;	/* its BEGIN (then the ABORT) */
}

/* The master's log: committed transactions that create a partition named name. */
static u32 creates_of(const char *name)
{
	struct resdb *db = cmdd_master_lock(master);
	u64 len = 16ull << 20, got = 0, next = 0, off;
	u8 *buf = malloc(len);
	u32 n = 0, pending = 0;
	u64 txn = ~0ull;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(resdb_log_read(db, resdb_log_first_seq(db), buf, len, &got, &next), 0);
	cmdd_master_unlock(master);
	ck_assert_uint_eq(next, resdb_log_next_seq(db));
	for (off = 0; off < got;) {
		const struct uv_log_rec *r = (const void *)(buf + off);
		const struct uv_txn_step *s = (const void *)(r + 1);

		if (r->type == UV_LOG_STEP && s->op == UV_TXN_INIT_PARTITION &&
		    !strcmp(s->partition.name, name)) {
			pending++;
			txn = r->txn;
		}
		if (r->type == UV_LOG_COMMIT && r->txn == txn) {
			n += pending;
			pending = 0;
		}
		off += r->size;
	}
	free(buf);
	return n;
}

static bool replayed(const char *id, const char *op, const char *args)
{
	json_object *resp, *v;
	bool r;

	ck_assert_int_eq(fx_send_id(id, op, args, &resp), 0);
	r = json_object_object_get_ex(resp, "replayed", &v) && json_object_get_boolean(v);
	json_object_put(resp);
	return r;
}

static void restart(u32 want_forward, u32 want_dropped)
{
	u32 fwd = 0, drop = 0;

	ck_assert(cmdd_service_dead(svc));
	fx_stop();
	fx_start(NULL);
	ck_assert_uint_eq(cmdd_service_recovered(svc, &fwd, &drop), 1);
	ck_assert_uint_eq(fwd, want_forward);
	ck_assert_uint_eq(drop, want_dropped);
}

static void consistent(void)
{
	struct resdb_check_report rep;

	ck_assert_int_eq(fx_send("db_verify", NULL), 0);
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);
}

/*
 * Died after journaling, before submitting; a server attached meanwhile and its
 * transaction took the position the daemon had predicted. That commit is not the
 * create's: the entry is dropped and the retry creates the partition, once.
 */
START_TEST(commit_at_predicted_position_is_not_ours)
{
	const char *args = "{\"name\":\"v1\",\"memory\":8388608,\"duty\":2}";
	u64 predicted = next_seq(), theirs = 0;

	cmdd_service_set_failpoint(svc, CMDD_FAIL_AFTER_JOURNAL);
	ck_assert_int_eq(fx_send_id("a-1", "create", args, NULL), ECANCELED);
	attach(cmdd_master_lock(master), &theirs);
	cmdd_master_unlock(master);
	ck_assert_uint_eq(theirs, predicted);	/* the position the journal has */
	restart(0, 1);
	ck_assert_uint_eq(creates_of("v1"), 0);
	ck_assert(!replayed("a-1", "create", args));
	ck_assert(replayed("a-1", "create", args));
	ck_assert_uint_eq(creates_of("v1"), 1);
	consistent();
}
END_TEST

/*
 * Another client's transaction aborted at the predicted position, then the
 * daemon's committed; it died before journaling the answer. The abort is not the
 * create's: it is rolled forward and the retry gets its answer (no second create,
 * no EEXIST).
 */
START_TEST(abort_at_predicted_position_is_not_ours)
{
	const char *args = "{\"name\":\"v2\",\"memory\":8388608,\"duty\":2}";
	u64 predicted = next_seq(), theirs = 0;

	cmdd_master_interleave(master, bogus, &theirs);
	cmdd_service_set_failpoint(svc, CMDD_FAIL_AFTER_SUBMIT);
	ck_assert_int_eq(fx_send_id("b-1", "create", args, NULL), ECANCELED);
	ck_assert_uint_eq(theirs, predicted);
	ck_assert_uint_eq(creates_of("v2"), 1);
	restart(1, 0);
	ck_assert(replayed("b-1", "create", args));
	ck_assert_uint_eq(creates_of("v2"), 1);
	consistent();
}
END_TEST

/*
 * Transactions of others on both sides of the daemon's: a server attaches before
 * its destroy reaches the module and detaches after it; the daemon died before
 * journaling the answer. The destroy is rolled forward, the retry answered.
 */
START_TEST(others_before_and_after)
{
	const char *args = "{\"name\":\"v3\"}";
	u64 theirs = 0;

	ck_assert_int_eq(fx_send("create", "{\"name\":\"v3\",\"memory\":8388608,\"duty\":2}"), 0);
	cmdd_master_interleave(master, attach, &theirs);
	cmdd_service_set_failpoint(svc, CMDD_FAIL_AFTER_SUBMIT);
	ck_assert_int_eq(fx_send_id("c-1", "destroy", args, NULL), ECANCELED);
	ck_assert_int_eq(server_step(cmdd_master_lock(master), 1, srv, UV_NONE), 0);
	cmdd_master_unlock(master);
	restart(1, 0);
	ck_assert(replayed("c-1", "destroy", args));
	ck_assert_int_eq(fx_send("show", args), ENOENT);
	consistent();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("commandd_interleave");
	TCase *tc = tcase_create("interleave");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, commit_at_predicted_position_is_not_ours);
	tcase_add_test(tc, abort_at_predicted_position_is_not_ours);
	tcase_add_test(tc, others_before_and_after);
	suite_add_tcase(s, tc);
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
