// SPDX-License-Identifier: GPL-2.0
/*
 * ultra-consoled's pure logic (userspace/consoled/conlog.c, drops.c): the capped
 * log keeps guest bytes exact, puts markers on lines of their own, rotates at the
 * cap with a marker; the drop bookkeeping puts a marker where the bytes are
 * missing and only once; file names from partition names are safe.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "ultra_console.h"
#include "consoled/consoled.h"

static char dir[] = "/tmp/test_consoled.XXXXXX";
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.log", dir);
}

static void teardown(void)
{
	char p1[300];

	snprintf(p1, sizeof(p1), "%s.1", path);
	unlink(path);
	unlink(p1);
	rmdir(dir);
	strcpy(dir, "/tmp/test_consoled.XXXXXX");
}

static char *slurp(const char *p, size_t *len)
{
	static char buf[1 << 16];
	FILE *f = fopen(p, "rb");

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

START_TEST(test_bytes_exact)
{
	struct conlog l;
	unsigned char data[300];
	size_t len, i;
	char *s;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	ck_assert_int_eq(conlog_open(&l, path, 1 << 20), 0);
	ck_assert_int_eq(conlog_write(&l, data, 100), 0);
	ck_assert_int_eq(conlog_write(&l, data + 100, 200), 0);
	conlog_close(&l);
	s = slurp(path, &len);
	ck_assert_uint_eq(len, 300);
	ck_assert_int_eq(memcmp(s, data, 300), 0);
}
END_TEST

START_TEST(test_marker_own_line)
{
	struct conlog l;
	size_t len;

	ck_assert_int_eq(conlog_open(&l, path, 1 << 20), 0);
	ck_assert(l.line_start);
	ck_assert_int_eq(conlog_mark(&l, "first %d", 1), 0);
	ck_assert_int_eq(conlog_write(&l, "half a line", 11), 0);
	ck_assert(!l.line_start);
	ck_assert_int_eq(conlog_mark(&l, "%u bytes dropped", 42u), 0);
	ck_assert_int_eq(conlog_write(&l, "whole\n", 6), 0);
	ck_assert(l.line_start);
	ck_assert_int_eq(conlog_mark(&l, "after"), 0);
	conlog_close(&l);
	ck_assert_str_eq(slurp(path, &len),
			 "[ultra-consoled: first 1]\n"
			 "half a line\n[ultra-consoled: 42 bytes dropped]\n"
			 "whole\n[ultra-consoled: after]\n");
}
END_TEST

START_TEST(test_reopen_continues)
{
	struct conlog l;
	size_t len;

	ck_assert_int_eq(conlog_open(&l, path, 1 << 20), 0);
	ck_assert_int_eq(conlog_write(&l, "abc", 3), 0);
	conlog_close(&l);
	/* a restarted daemon appends, and knows the line is unfinished */
	ck_assert_int_eq(conlog_open(&l, path, 1 << 20), 0);
	ck_assert_uint_eq(l.size, 3);
	ck_assert(!l.line_start);
	ck_assert_int_eq(conlog_mark(&l, "restarted"), 0);
	conlog_close(&l);
	ck_assert_str_eq(slurp(path, &len), "abc\n[ultra-consoled: restarted]\n");
}
END_TEST

START_TEST(test_rotation)
{
	struct conlog l;
	char old[300], buf[CONLOG_MIN_CAP + 100], *s;
	size_t len, i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	ck_assert_int_eq(conlog_open(&l, path, 100), 0);
	ck_assert_uint_eq(l.cap, CONLOG_MIN_CAP);	/* at least 4 KiB */
	ck_assert_int_eq(conlog_write(&l, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(l.rotations, 1);
	conlog_close(&l);
	snprintf(old, sizeof(old), "%s.1", path);
	s = slurp(old, &len);
	ck_assert_uint_eq(len, CONLOG_MIN_CAP);
	ck_assert_int_eq(memcmp(s, buf, CONLOG_MIN_CAP), 0);
	s = slurp(path, &len);
	ck_assert_int_eq(strncmp(s, "[ultra-consoled: log rotated at 4096 bytes: earlier output in p.log.1]\n",
				 71), 0);
	ck_assert_uint_eq(len, 71 + 100);
	ck_assert_int_eq(memcmp(s + 71, buf + CONLOG_MIN_CAP, 100), 0);
	/* the file never grows past the cap plus a marker */
	ck_assert_int_eq(conlog_open(&l, path, 100), 0);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(conlog_write(&l, buf, 1000), 0);
	ck_assert_uint_le(l.size, CONLOG_MIN_CAP);
	conlog_close(&l);
}
END_TEST

START_TEST(test_drop_position)
{
	struct condrop d = { 0 };
	uint32_t n = 0;

	/* nothing new */
	ck_assert(!condrop_due(&d, 0, 0, 0, 5, true, &n));
	/* the guest dropped 100 bytes when its avail index was 300 */
	ck_assert(!condrop_due(&d, 1, 300, 100, 44, true, &n));	/* chains before it first */
	ck_assert(!condrop_due(&d, 1, 300, 100, 299, true, &n));
	ck_assert(condrop_due(&d, 1, 300, 100, 300, true, &n));	/* right before chain 300 */
	ck_assert_uint_eq(n, 100);
	condrop_done(&d, 1, 100);
	ck_assert(!condrop_due(&d, 1, 300, 100, 301, true, &n));	/* only once */
	/* a second episode: the queue empty is "now" */
	ck_assert(condrop_due(&d, 2, 400, 150, 390, false, &n));
	ck_assert_uint_eq(n, 50);
	condrop_done(&d, 2, 150);
	/* index wrap: at 0x0002 while next is 0xfff0 is still ahead */
	ck_assert(!condrop_due(&d, 3, 0x0002, 160, 0xfff0, true, &n));
	ck_assert(condrop_due(&d, 3, 0x0002, 160, 0x0003, true, &n));
	ck_assert_uint_eq(n, 10);
	/* a guest that went backwards (reset) reports its own count */
	ck_assert(condrop_due(&d, 9, 0, 7, 0, false, &n));
	ck_assert_uint_eq(n, 7);
}
END_TEST

START_TEST(test_safe_name)
{
	char out[16];

	ultra_console_safe_name("web-1.prod_x", out, sizeof(out));
	ck_assert_str_eq(out, "web-1.prod_x");
	ultra_console_safe_name("../../etc/x", out, sizeof(out));
	ck_assert_str_eq(out, "_._.._etc_x");
	ultra_console_safe_name("", out, sizeof(out));
	ck_assert_str_eq(out, "_");
	ultra_console_safe_name("a very long partition name", out, sizeof(out));
	ck_assert_uint_eq(strlen(out), sizeof(out) - 1);
}
END_TEST

START_TEST(test_config_layout)
{
	ck_assert_uint_eq(sizeof(struct uv_console_config), UV_CONSOLE_CONFIG_SIZE);
	ck_assert_uint_le(UV_CONSOLE_CONFIG_SIZE, UV_CHANNEL_CONFIG_SIZE);
	ck_assert_uint_eq(offsetof(struct uv_console_config, tx_drop_events), 0x10);
	ck_assert_uint_eq(offsetof(struct uv_console_config, tx_drop_avail), 0x14);
	ck_assert_uint_eq(offsetof(struct uv_console_config, tx_dropped), 0x18);
	ck_assert_uint_eq(offsetof(struct uv_console_config, srv_drop_events), 0x20);
	ck_assert_uint_eq(offsetof(struct uv_console_config, srv_dropped), 0x24);
}
END_TEST

static Suite *consoled_suite(void)
{
	Suite *s = suite_create("consoled");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bytes_exact);
	tcase_add_test(tc, test_marker_own_line);
	tcase_add_test(tc, test_reopen_continues);
	tcase_add_test(tc, test_rotation);
	suite_add_tcase(s, tc);
	tc = tcase_create("drops");
	tcase_add_test(tc, test_drop_position);
	tcase_add_test(tc, test_safe_name);
	tcase_add_test(tc, test_config_layout);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(consoled_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
