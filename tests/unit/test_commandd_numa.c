// SPDX-License-Identifier: GPL-2.0
/*
 * The command daemon's view of the host's NUMA nodes (userspace/commandd/numa.c):
 * read from a sysfs tree (a fake one here: two nodes, CPU lists with ranges, memory
 * blocks with a hole), and the synthetic even split the simulated host uses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commandd/commandd.h"

static char root[] = "/tmp/test_numa.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

START_TEST(test_sysfs)
{
	struct cmdd_numa n;
	const u64 blk = (128ull << 20) / 4096;	/* pages per 128 MiB block */
	char name[64];
	int i;

	ck_assert_ptr_nonnull(mkdtemp(root));
	dir("memory");
	put("memory/block_size_bytes", "8000000\n");
	dir("node");
	dir("node/node0");
	dir("node/node1");
	put("node/node0/cpulist", "0-2,6\n");
	put("node/node1/cpulist", "3-5,7\n");
	for (i = 0; i < 10; i++) {
		if (i == 8)
			continue;	/* a hole in node 1 */
		snprintf(name, sizeof(name), "node/node%d/memory%d", i < 4 ? 0 : 1, i);
		dir(name);
	}
	ck_assert_int_eq(cmdd_numa_from_sysfs(root, &n), 0);
	ck_assert_uint_eq(n.nr_nodes, 2);
	ck_assert_uint_eq(n.nr_ranges, 3);	/* [0,4) node 0, [4,8) and [9,10) node 1 */
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 0), 0);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 2), 0);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 3), 1);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 6), 0);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 7), 1);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 8), -1);
	ck_assert(cmdd_numa_in_node(&n, 0, 0, 4 * blk));
	ck_assert(!cmdd_numa_in_node(&n, 0, 3 * blk, 2 * blk));	/* crosses into node 1 */
	ck_assert(cmdd_numa_in_node(&n, 1, 4 * blk, 4 * blk));
	ck_assert(!cmdd_numa_in_node(&n, 1, 7 * blk, 2 * blk));	/* into the hole */
	ck_assert(cmdd_numa_in_node(&n, 1, 9 * blk, blk));
	/* no sysfs: an error, and no preference */
	ck_assert_int_lt(cmdd_numa_from_sysfs("/nonexistent", &n), 0);
	ck_assert_uint_eq(n.nr_nodes, 0);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 0), -1);
	snprintf(name, sizeof(name), "rm -rf %s", root);
	ck_assert_int_eq(system(name), 0);
}
END_TEST

START_TEST(test_even)
{
	struct cmdd_numa n;

	cmdd_numa_even(&n, 2, 1 << 20, 8);
	ck_assert_uint_eq(n.nr_nodes, 2);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 3), 0);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 4), 1);
	ck_assert(cmdd_numa_in_node(&n, 0, 0, 1 << 19));
	ck_assert(cmdd_numa_in_node(&n, 1, 1 << 19, 1 << 19));
	ck_assert(!cmdd_numa_in_node(&n, 0, (1 << 19) - 1, 2));
	cmdd_numa_even(&n, 1, 1 << 20, 8);
	ck_assert_int_eq(cmdd_numa_node_of_cpu(&n, 4), -1);	/* one node: no preference */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("commandd_numa");
	TCase *tc = tcase_create("numa");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sysfs);
	tcase_add_test(tc, test_even);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
