/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the /dev/ultravisor ioctl ABI.
 *
 * Rules every structure here follows (docs/uapi.md has the full text):
 *  - fixed-width types only, explicit padding, 8-byte aligned sizes;
 *  - the first field is __u32 size: the caller stores sizeof() of the struct it
 *    was compiled with, the module answers with the size it knows;
 *  - on input, every byte except size must be zero (-EINVAL otherwise): the
 *    reserved fields of today are the input fields of tomorrow;
 *  - a struct only grows at its end, so an old binary keeps working on a new
 *    module and a new binary learns from the size what an old module filled in.
 *
 * The ioctl numbers keep the size of the first published version of their
 * struct for good: growth is signalled by the size field, never by a new number.
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_H
#define _UAPI_LINUX_ULTRAVISOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The character device the module creates (misc device, mode 0600). */
#define UV_DEVICE_NAME		"ultravisor"
#define UV_DEVICE_PATH		"/dev/ultravisor"

/*
 * ABI version. The major number changes when an existing ioctl changes
 * meaning (never so far); the minor number when ioctls or fields are added.
 */
#define UV_ABI_MAJOR		1
#define UV_ABI_MINOR		0
#define UV_ABI_VERSION		((UV_ABI_MAJOR << 16) | UV_ABI_MINOR)

/*
 * ioctl type byte. 0xB9 is not listed in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst (0xB8 is mrvl_cn10k_dpi,
 * 0xAE is KVM); ultravisor uses sequence numbers 0x00-0x3F.
 */
#define UV_IOCTL_MAGIC		0xB9

/* Largest struct size an ioctl accepts; larger sizes are -EINVAL. */
#define UV_STRUCT_SIZE_MAX	4096

/* Hardware virtualization the module drives (uv_version.virt). */
#define UV_VIRT_NONE		0
#define UV_VIRT_SVM		1	/* AMD SVM (AMD-V) with nested paging */
#define UV_VIRT_VMX		2	/* Intel VMX with EPT */

#define UV_MODULE_VERSION_LEN	32

/**
 * struct uv_version - UV_IOC_VERSION: module and ABI version
 * @size:	in: sizeof(struct uv_version) as the caller knows it (at least
 *		UV_VERSION_SIZE_VER0); out: the size the module knows. The module
 *		writes min(in, out) bytes.
 * @abi_major:	out: UV_ABI_MAJOR of the module.
 * @abi_minor:	out: UV_ABI_MINOR of the module.
 * @flags:	out: UV_VERSION_F_* (none defined yet, always 0).
 * @module_version: out: the module's release, NUL-terminated (e.g. "0.1.0").
 * @virt:	out: UV_VIRT_SVM or UV_VIRT_VMX.
 * @nr_cpus:	out: number of CPUs the module probed at load.
 * @reserved:	zero on input; zero on output for now.
 */
struct uv_version {
	__u32 size;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 flags;
	char module_version[UV_MODULE_VERSION_LEN];
	__u32 virt;
	__u32 nr_cpus;
	__u64 reserved[4];
};

#define UV_VERSION_SIZE_VER0	88	/* first published struct uv_version */

/* Numbers are spelled with _IOC() and the VER0 size so they never change. */
#define UV_IOC_VERSION		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x00, \
				     UV_VERSION_SIZE_VER0)	/* struct uv_version */

#endif /* _UAPI_LINUX_ULTRAVISOR_H */
