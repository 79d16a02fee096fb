// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the monitor's exception-during-delivery rules
 * (kmod/monitor/event.h): what the guest gets when the monitor injects an
 * exception while the event an exit interrupted is to be delivered again.
 * Every pair of (pending exception, new exception) over vectors 0..31 is
 * checked against the classes of AMD APM vol. 2, 8.2.9.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "monitor/event.h"

static bool contributory(unsigned int v)
{
	return v == 0 || v == 10 || v == 11 || v == 12 || v == 13;
}

START_TEST(test_nothing_pending)
{
	unsigned int v;

	for (v = 0; v < 32; v++)
		ck_assert_int_eq(uv_event_merge(false, UV_EVENT_EXCEPTION, 8, v), UV_MERGE_NEW);
}
END_TEST

START_TEST(test_interrupt_is_held)
{
	/* an accepted interrupt or NMI is never lost: delivered after the exception */
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_INTR, 0x30, 13), UV_MERGE_NEW_HOLD);
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_INTR, 0xef, 14), UV_MERGE_NEW_HOLD);
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_NMI, 2, 6), UV_MERGE_NEW_HOLD);
	/* INTn runs again after the handler */
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_SOFT_INT, 0x80, 13), UV_MERGE_NEW);
}
END_TEST

START_TEST(test_double_fault_table)
{
	unsigned int a, b;

	for (a = 0; a < 32; a++) {
		for (b = 0; b < 32; b++) {
			enum uv_event_merge want = UV_MERGE_NEW;

			if (a == 8)
				want = UV_MERGE_SHUTDOWN;
			else if ((contributory(a) || a == 14) && (contributory(b) || b == 14) &&
				 !(contributory(a) && b == 14))
				want = UV_MERGE_DOUBLE;
			ck_assert_msg(uv_event_merge(true, UV_EVENT_EXCEPTION, a, b) == want,
				      "first %u then %u", a, b);
		}
	}
	/* the cases the monitor meets: #GP during #GP, #UD during #PF, #AC during #DF */
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_EXCEPTION, 13, 13), UV_MERGE_DOUBLE);
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_EXCEPTION, 14, 6), UV_MERGE_NEW);
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_EXCEPTION, 13, 14), UV_MERGE_NEW);
	ck_assert_int_eq(uv_event_merge(true, UV_EVENT_EXCEPTION, 8, 17), UV_MERGE_SHUTDOWN);
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("event_merge");
	TCase *tc = tcase_create("merge");

	tcase_add_test(tc, test_nothing_pending);
	tcase_add_test(tc, test_interrupt_is_held);
	tcase_add_test(tc, test_double_fault_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(merge_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
