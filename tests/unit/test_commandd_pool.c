// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's pool policy against the in-process master run as a hosted module
 * (memory starts as Linux's; a pool moves 4 MiB entries to "available" and back):
 * a create grows the pool by what it lacks and no more, within --pool-max; a
 * destroy gives whole free pages back down to --pool-floor; a create that fails
 * after growing leaves the database exactly as it was; a restart trims what a
 * killed daemon left grown.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd_fixture.h"

#define MiB (1ull << 20)

static void start(u64 pool_max, u64 pool_floor)
{
	struct cmdd_config cfg = { .pool_max = pool_max, .pool_floor = pool_floor };

	fx_start(&cfg);
}

static void setup(void)
{
	/* 1 GiB host, 4 CPUs: every 4 MiB entry sits in one scale-2 index page */
	struct cmdd_master_cfg mc = { .host_pages = 1ull << 18, .nr_cpus = 4, .pool = true };

	fx_setup(&mc, false, CMDD_LOG_ERR);
}

static void teardown(void)
{
	fx_teardown();
}

static struct cmdd_pool_info pool(void)
{
	struct cmdd_pool_info info;
	struct ultra_err e = { 0 };

	ck_assert_int_eq(be->ops->pool(be, CMDD_POOL_INFO, 0, &info, &e), 0);
	return info;
}

START_TEST(arithmetic)
{
	/* grow: what is missing, in whole 4 MiB steps, at least one step */
	ck_assert_uint_eq(cmdd_pool_grow_amount(64 * MiB, 0, 0, 0), 64 * MiB);
	ck_assert_uint_eq(cmdd_pool_grow_amount(64 * MiB, 60 * MiB, 0, 0), 4 * MiB);
	ck_assert_uint_eq(cmdd_pool_grow_amount(64 * MiB, 62 * MiB, 0, 0), 4 * MiB);
	ck_assert_uint_eq(cmdd_pool_grow_amount(64 * MiB, 64 * MiB, 0, 0), 4 * MiB);
	/* within the maximum, or not at all */
	ck_assert_uint_eq(cmdd_pool_grow_amount(64 * MiB, 0, 64 * MiB, 128 * MiB), 64 * MiB);
	ck_assert_uint_eq(cmdd_pool_grow_amount(68 * MiB, 0, 64 * MiB, 128 * MiB), 0);
	ck_assert_uint_eq(cmdd_pool_grow_amount(4 * MiB, 0, 128 * MiB, 128 * MiB), 0);
	ck_assert_uint_eq(cmdd_pool_grow_amount(1ull << 46, 0, 0, 0), 1ull << 46);
	/* shrink: whole free pages above the floor */
	ck_assert_uint_eq(cmdd_pool_shrink_amount(64 * MiB, 64 * MiB, 0), 64 * MiB);
	ck_assert_uint_eq(cmdd_pool_shrink_amount(64 * MiB, 64 * MiB, 16 * MiB), 48 * MiB);
	ck_assert_uint_eq(cmdd_pool_shrink_amount(64 * MiB, 8 * MiB, 16 * MiB), 8 * MiB);
	ck_assert_uint_eq(cmdd_pool_shrink_amount(16 * MiB, 16 * MiB, 32 * MiB), 0);
	ck_assert_uint_eq(cmdd_pool_shrink_amount(64 * MiB, 6 * MiB, 0), 4 * MiB);
}
END_TEST

START_TEST(grows_for_creates_and_shrinks_after_destroys)
{
	start(0, 0);
	ck_assert_uint_eq(pool().pool_bytes, 0);	/* a hosted module starts empty */
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":67108864,\"duty\":4}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 64 * MiB);	/* exactly what it lacked */
	ck_assert_uint_eq(pool().free_bytes, 0);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":8388608,\"duty\":4}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 72 * MiB);
	ck_assert_int_eq(fx_send("destroy", "{\"name\":\"a\"}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 8 * MiB);	/* a's pages went back to Linux */
	ck_assert_int_eq(fx_send("destroy", "{\"name\":\"b\"}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 0);
	ck_assert_int_eq(fx_send("db_verify", "{}"), 0);
}
END_TEST

START_TEST(floor_is_kept_and_reused)
{
	start(0, 32 * MiB);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":67108864}"), 0);
	ck_assert_int_eq(fx_send("destroy", "{\"name\":\"a\"}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 32 * MiB);
	ck_assert_uint_eq(pool().free_bytes, 32 * MiB);
	/* the next create uses the floor first: no grow for 16 MiB */
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":16777216}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 32 * MiB);
}
END_TEST

START_TEST(maximum_refuses_and_changes_nothing)
{
	u64 h;

	start(64 * MiB, 0);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":33554432}"), 0);
	h = fx_master_hash();
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":67108864}"), ENOSPC);
	ck_assert_uint_eq(fx_master_hash(), h);
	ck_assert_uint_eq(pool().pool_bytes, 32 * MiB);
	/* more than the simulated host has at all: refused by the "module" */
	fx_stop();
	start(0, 0);
	h = fx_master_hash();
	ck_assert_int_eq(fx_send("create", "{\"name\":\"c\",\"memory\":4294967296}"), ENOMEM);
	ck_assert_uint_eq(fx_master_hash(), h);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"d\",\"memory\":33554432}"), 0);
}
END_TEST

START_TEST(failed_create_gives_the_growth_back)
{
	u64 h;

	start(0, 0);
	/* four CPUs of 16 slots: a fifth full-duty partition finds no slots */
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":4194304,\"processors\":4}"), 0);
	h = fx_master_hash();
	ck_assert_int_eq(fx_send("create", "{\"name\":\"b\",\"memory\":67108864}"), ENOSPC);
	ck_assert_uint_eq(pool().pool_bytes, 4 * MiB);
	ck_assert_uint_eq(fx_master_hash(), h);
	ck_assert_int_eq(fx_send("db_verify", "{}"), 0);
}
END_TEST

START_TEST(restart_trims_what_a_dead_daemon_grew)
{
	struct cmdd_pool_info info;
	struct ultra_err e = { 0 };

	start(0, 32 * MiB);
	ck_assert_int_eq(fx_send("create", "{\"name\":\"a\",\"memory\":16777216}"), 0);
	ck_assert_uint_eq(pool().pool_bytes, 16 * MiB);
	/* as if the daemon died right after growing the pool for a create */
	ck_assert_int_eq(be->ops->pool(be, CMDD_POOL_GROW, 40 * MiB, &info, &e), 0);
	ck_assert_uint_eq(info.pool_bytes, 56 * MiB);
	fx_stop();
	start(0, 32 * MiB);
	/* back to the floor: 16 MiB a uses, 16 MiB free */
	ck_assert_uint_eq(pool().pool_bytes, 32 * MiB);
	ck_assert_uint_eq(pool().free_bytes, 16 * MiB);
	ck_assert_int_eq(fx_send("db_verify", "{}"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("commandd_pool");
	TCase *t = tcase_create("pool");

	tcase_add_test(t, arithmetic);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, grows_for_creates_and_shrinks_after_destroys);
	tcase_add_test(t, floor_is_kept_and_reused);
	tcase_add_test(t, maximum_refuses_and_changes_nothing);
	tcase_add_test(t, failed_create_gives_the_growth_back);
	tcase_add_test(t, restart_trims_what_a_dead_daemon_grew);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
