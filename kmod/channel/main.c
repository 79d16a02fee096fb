// SPDX-License-Identifier: GPL-2.0
/*
 * Memory channels: module load/unload and the /dev/ultravisor ioctls 0x10-0x17
 * (docs/channels.md, "Kernel side").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>

#include "channel/channel.h"
#include "channel/internal.h"

/* Every channel fd holds a module reference: none is open here. */
void uv_chan_exit(void)
{
	uv_chan_exit_registry();
}

long uv_chan_dev_ioctl(struct file *file, unsigned int cmd, void __user *uarg, bool holder)
{
	switch (cmd) {
	case UV_IOC_CHAN_OPEN:
		return uv_chan_ioctl_open(uarg);
	case UV_IOC_CHAN_LIST:
		return uv_chan_ioctl_list(uarg);
	case UV_IOC_CHAN_RECLAIM:
		return holder ? uv_chan_ioctl_reclaim(uarg) : -EBADF;
	default:
		return -ENOTTY;
	}
}
