/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place resdb reaches outside itself for types and memory helpers, so the
 * same sources build in the kernel and in userspace (freestanding otherwise).
 */
#ifndef RESDB_COMPAT_H
#define RESDB_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdbool.h>
#include <linux/types.h>

/* the kernel's spellings, on the same underlying types as __u64 & co */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#include <linux/ultravisor_txn.h>

#endif /* RESDB_COMPAT_H */
