/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the Multiboot (v1, spec 0.6.96 section 3.3) information a
 * partition finds at EBX when it enters a Multiboot kernel. Written by the
 * module's loader (UV_IOC_PART_LOAD with an image) and by the Boot channel's
 * server (ultra-commandd), read by the test guests: one layout for all three.
 * The entry magic numbers are in ultravisor_hypercall.h (UV_MULTIBOOT_*_MAGIC).
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_MULTIBOOT_H
#define _UAPI_LINUX_ULTRAVISOR_MULTIBOOT_H

#include <linux/types.h>

/* flags: which fields below are valid (the ones the loaders fill) */
#define UV_MULTIBOOT_INFO_MEM		0x001	/* mem_lower, mem_upper */
#define UV_MULTIBOOT_INFO_CMDLINE	0x004	/* cmdline */
#define UV_MULTIBOOT_INFO_MMAP		0x040	/* mmap_length, mmap_addr */
#define UV_MULTIBOOT_INFO_LOADER_NAME	0x200	/* boot_loader_name */

/* The information structure: 116 bytes; what a loader does not fill is zero. */
struct uv_multiboot_info {
	__u32 flags;
	__u32 mem_lower;	/* KiB from 0, at most 640 */
	__u32 mem_upper;	/* KiB from 1 MiB on, up to the first hole */
	__u32 boot_device;
	__u32 cmdline;		/* guest-physical address of a NUL-terminated string */
	__u32 mods_count;
	__u32 mods_addr;
	__u32 syms[4];
	__u32 mmap_length;	/* bytes of memory map entries */
	__u32 mmap_addr;	/* guest-physical address of the first */
	__u32 drives_length;
	__u32 drives_addr;
	__u32 config_table;
	__u32 boot_loader_name;	/* guest-physical address of a NUL-terminated string */
	__u32 apm_table;
	__u32 vbe[4];		/* control/mode info addresses, mode, interface seg/off/len */
	__u32 fb[7];		/* framebuffer address, pitch, width, height, bpp, type, colours */
};

#define UV_MULTIBOOT_MMAP_AVAILABLE	1	/* type of an entry of usable RAM */

/* A memory map entry: 24 bytes, its 64-bit fields at offsets 4 and 12 (hence packed). */
struct uv_multiboot_mmap {
	__u32 size;		/* of the rest of the entry: 20 */
	__u64 base;
	__u64 len;
	__u32 type;
} __attribute__((packed));

#endif /* _UAPI_LINUX_ULTRAVISOR_MULTIBOOT_H */
