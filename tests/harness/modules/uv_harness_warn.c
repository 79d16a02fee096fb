// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self test: WARN() on load and keep running. A WARNING in the console fails
 * the run as an oops does (scripts/check-harness).
 */
#include <linux/module.h>
#include <linux/init.h>

static int __init uv_harness_warn_init(void)
{
	WARN(1, "uv_harness_warn: warning on purpose\n");
	return 0;
}
module_init(uv_harness_warn_init);

static void __exit uv_harness_warn_exit(void)
{
}
module_exit(uv_harness_warn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ultravisor test harness: a module that warns on load");
