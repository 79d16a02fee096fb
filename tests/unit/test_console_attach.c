// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl console --attach from a pipe (userspace/ultractl/cmd_console_attach.c):
 * the guest's cursor position query (ESC [ 6 n) is taken out of its output, also
 * when a read splits it, and everything else passes byte for byte, including an
 * ESC or a CSI that only starts like the query.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ultractl/cmd_console.h"

/* @in fed in chunks of @step bytes; the concatenated output */
static const char *filtered(const char *in, size_t len, size_t step)
{
	static char out[256];
	struct cpr_filter f = { 0 };
	size_t i, n = 0;

	for (i = 0; i < len; i += step) {
		size_t k = len - i < step ? len - i : step;

		ck_assert_uint_le(n + k + 3, sizeof(out));
		n += cpr_filter(&f, in + i, k, out + n);
	}
	/* what a stream ending inside a query leaves held is given back at the end */
	memcpy(out + n, "\x1b[6n", f.held);
	n += f.held;
	out[n] = '\0';
	return out;
}

static void check_all_steps(const char *in, const char *want)
{
	size_t step;

	for (step = 1; step <= strlen(in); step++)
		ck_assert_str_eq(filtered(in, strlen(in), step), want);
}

START_TEST(test_query_dropped)
{
	check_all_steps("/ # \x1b[6nuname -r\r\n", "/ # uname -r\r\n");
	check_all_steps("\x1b[6n\x1b[6n", "");
	check_all_steps("a\x1b[6nb\x1b[6nc", "abc");
}
END_TEST

START_TEST(test_lookalikes_kept)
{
	/* colours, a cursor move, a lone ESC, a query cut short, ESC ESC [ 6 n */
	check_all_steps("\x1b[1;32mok\x1b[0m", "\x1b[1;32mok\x1b[0m");
	check_all_steps("\x1b[6A\x1b[6", "\x1b[6A\x1b[6");
	check_all_steps("x\x1b", "x\x1b");
	check_all_steps("\x1b\x1b[6n.", "\x1b.");
	check_all_steps("\x1b[\x1b[6n", "\x1b[");
	check_all_steps("\x1b[6\x1b[6n]", "\x1b[6]");
}
END_TEST

START_TEST(test_binary_passes)
{
	char in[64];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 37 + 1);	/* no ESC [ 6 n in it */
	for (i = 1; i <= sizeof(in); i++)
		ck_assert_mem_eq(filtered(in, sizeof(in), i), in, sizeof(in));
}
END_TEST

static Suite *attach_suite(void)
{
	Suite *s = suite_create("console_attach");
	TCase *tc = tcase_create("cursor query");

	tcase_add_test(tc, test_query_dropped);
	tcase_add_test(tc, test_lookalikes_kept);
	tcase_add_test(tc, test_binary_passes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(attach_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
