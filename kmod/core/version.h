/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The release of ultravisor, shared by the module (MODULE_VERSION, the version
 * ioctl) and the userspace tools (-I kmod: #include "core/version.h"), so both
 * sides of a build report the same string. The ioctl ABI has its own numbers:
 * UV_ABI_MAJOR/UV_ABI_MINOR in uapi/linux/ultravisor.h.
 */
#ifndef _UV_CORE_VERSION_H
#define _UV_CORE_VERSION_H

#define UV_RELEASE	"0.1.0"

#endif /* _UV_CORE_VERSION_H */
