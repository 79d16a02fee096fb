/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of kmod/core: the module entry (main.c) calls these in
 * order at load and in reverse order at unload.
 */
#ifndef _UV_CORE_CORE_H
#define _UV_CORE_CORE_H

struct miscdevice;

/* /dev/ultravisor (dev.c) */
int uv_dev_init(void);
void uv_dev_exit(void);
const struct miscdevice *uv_dev_misc(void);

#endif /* _UV_CORE_CORE_H */
