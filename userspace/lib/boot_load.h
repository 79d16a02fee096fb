/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace image loaders: what the command daemon runs as the server of a new
 * partition's Boot channel (¶[0126], docs/channels.md "Boot channel"). The
 * daemon maps the client's memory through the channel fd and hands a loader a
 * window onto it; the loader checks the image, writes it and its boot
 * information into the window and says where the vCPU starts. The module then
 * only sets that entry state (UV_IOC_PART_ENTRY): it never parses an image.
 *
 * Every loader follows the same rules: the image is untrusted bytes (a file
 * anybody may have written); every field read from it is checked before use;
 * nothing is written outside [w->gpa, w->gpa + w->size); on failure the
 * window may hold part of the image (the daemon throws the instance away) and
 * e->msg says why. The window is the guest memory the guest is told about.
 */
#ifndef ULTRA_BOOT_LOAD_H
#define ULTRA_BOOT_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ultra.h"

/**
 * struct ultra_guest_window - guest-physical memory as the loader may write it
 * @base:	where guest-physical @gpa is mapped in this process
 * @gpa:	first guest-physical address of the window
 * @size:	bytes; [gpa, gpa + size) must not wrap
 */
struct ultra_guest_window {
	uint8_t *base;
	uint64_t gpa;
	uint64_t size;
};

/**
 * struct ultra_boot_entry - the vCPU's first state, for UV_IOC_PART_ENTRY
 * @mode:	UV_ENTRY_FLAT32 (flat 32-bit protected mode, paging off, IF=0)
 * @eip:	guest-physical entry point, inside the window
 * @eax:	EAX (Multiboot: 0x2BADB002)
 * @ebx:	EBX (Multiboot: the information structure)
 * @esi:	ESI (Linux 32-bit boot protocol: boot_params)
 * @low:	lowest guest-physical byte the loader wrote
 * @high:	one past the highest (image, information, command line)
 */
struct ultra_boot_entry {
	uint32_t mode;
	uint32_t eip;
	uint32_t eax;
	uint32_t ebx;
	uint32_t esi;
	uint64_t low;
	uint64_t high;
};

#define ULTRA_BOOT_CMDLINE_MAX	1023	/* as UV_CMDLINE_MAX: without its NUL */

/*
 * Multiboot v1 (0.6.96) ELF32/ELF64 kernel (boot_multiboot.c), with the rules and
 * refusals of the module's old in-kernel loader (kmod/monitor/multiboot.c):
 * -ENOEXEC not a little-endian x86 ELF executable with a Multiboot header in
 * its first 8 KiB, or malformed; -EOPNOTSUPP it asks for what we do not offer
 * (video mode, a.out kludge, unknown required flags); -EFAULT a segment or the
 * boot information outside the window; -E2BIG command line too long. cmdline
 * may be NULL (no command line). Returns 0 and fills *entry.
 */
int ultra_boot_multiboot(const struct ultra_guest_window *w, const void *image, size_t len,
			 const char *cmdline, struct ultra_boot_entry *entry,
			 struct ultra_err *e);

#endif /* ULTRA_BOOT_LOAD_H */
