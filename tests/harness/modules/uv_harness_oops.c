// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self test: BUG() on load. scripts/check-harness proves that the VM harness
 * fails a run whose console shows this, even though the test script claims success.
 */
#include <linux/module.h>
#include <linux/init.h>

static int __init uv_harness_oops_init(void)
{
	pr_info("uv_harness_oops: calling BUG() on purpose\n");
	BUG();
	return 0;
}
module_init(uv_harness_oops_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ultravisor test harness: a module that oopses on load");
