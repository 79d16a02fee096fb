/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of kmod/core: the module entry (main.c) calls these in
 * order at load and in reverse order at unload.
 */
#ifndef _UV_CORE_CORE_H
#define _UV_CORE_CORE_H

#include <linux/compiler.h>
#include <linux/types.h>

struct miscdevice;

/* /dev/ultravisor (dev.c) */
int uv_dev_init(void);
void uv_dev_exit(void);
const struct miscdevice *uv_dev_misc(void);
int uv_copy_in(void *kbuf, size_t ksize, size_t min_size, size_t in_end,
	       void __user *uarg, u32 *usize);
int uv_copy_out(void __user *uarg, void *kbuf, size_t ksize, u32 usize);

/* ioctls on the database (ioctl_db.c) */
int uv_ioctl_txn_submit(void __user *uarg);
int uv_ioctl_snapshot(void __user *uarg);
int uv_ioctl_log_read(void __user *uarg);
int uv_ioctl_check(void __user *uarg);
int uv_ioctl_pool(void __user *uarg, bool resize);
int uv_ioctl_query(void __user *uarg);

#endif /* _UV_CORE_CORE_H */
