// SPDX-License-Identifier: GPL-2.0
/*
 * ultravisor.ko: module entry.
 *
 * Load order: probe the CPUs' virtualization features (and refuse to load
 * where they are missing or owned by another hypervisor), set up the monitor
 * (part.c: uv_monitor_init(), which picks the vendor backend but turns on no
 * CPU's virtualization until a partition runs there), describe host memory
 * in the resource database (db.c, hostmem.c), fill the pool to pool_size,
 * register the generic netlink family for events, the test hook, then create
 * /dev/ultravisor. Unload undoes it in reverse order and gives the pool back
 * to Linux. While user partitions exist the database pins the module, so
 * unload never meets a monitor instance.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/major.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <linux/ultravisor.h>
#include <uv/cpu_features.h>

#include "channel/channel.h"
#include "core.h"
#include "db.h"
#include "events.h"
#include "part.h"
#include "version.h"

static char *pool_size;
module_param(pool_size, charp, 0444);
MODULE_PARM_DESC(pool_size, "memory taken from Linux into the pool at load, e.g. 64M (multiple of 4M; default 0)");

static int __init uv_pool_param(void)
{
	char msg[UV_MESSAGE_LEN];
	u64 bytes, seq;
	char *end;
	int ret;

	if (!pool_size || !*pool_size)
		return 0;
	bytes = memparse(pool_size, &end);
	if (*end) {
		pr_err("pool_size=%s: not a size (e.g. 64M): not loading\n", pool_size);
		return -EINVAL;
	}
	ret = uv_pool_resize(UV_POOL_SET, bytes, &seq, msg, sizeof(msg));
	if (ret)
		pr_err("pool_size=%s: %s: not loading\n", pool_size, msg);
	return ret;
}

static int __init uv_init(void)
{
	const struct miscdevice *misc;
	int ret;

	ret = uv_cpu_features_probe();
	if (ret)
		return ret;

	ret = uv_part_init();
	if (ret)
		return ret;

	ret = uv_db_init();
	if (ret)
		goto err_part;

	ret = uv_pool_param();
	if (ret)
		goto err_db;

	ret = uv_events_init();
	if (ret)
		goto err_db;

	uv_testhook_init();
	ret = uv_dev_init();
	if (ret)
		goto err_events;

	misc = uv_dev_misc();
	pr_info("loaded: version %s, ABI %u.%u, %s on %u CPUs, /dev/%s (%d:%d)\n",
		UV_RELEASE, UV_ABI_MAJOR, UV_ABI_MINOR,
		uv_cpu_features.virt == UV_VIRT_SVM ? "AMD SVM" : "Intel VMX",
		uv_cpu_features.nr_cpus, misc->name, MISC_MAJOR, misc->minor);
	return 0;

err_events:
	uv_testhook_exit();
	uv_events_exit();
err_db:
	uv_db_exit();
err_part:
	uv_part_exit();
	return ret;
}

static void __exit uv_exit(void)
{
	uv_dev_exit();
	uv_testhook_exit();
	uv_events_exit();
	uv_chan_exit();		/* kmod/channel: its registry, before the database */
	uv_db_exit();
	uv_part_exit();
	pr_info("unloaded\n");
}

module_init(uv_init);
module_exit(uv_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(UV_RELEASE);
MODULE_AUTHOR("ultravisor developers");
MODULE_DESCRIPTION("ultravisor: partitioning hypervisor core (AMD SVM / Intel VMX)");
