/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux loader: a bzImage (x86 boot protocol 2.12 or later, 64-bit kernel),
 * an initramfs and a command line written into partition memory through a
 * window, entered through the documented 32-bit boot protocol entry
 * (code32_start, ESI = boot_params, flat segments, paging and interrupts
 * off). docs/guest-platform.md, "Entry", has the layout and why.
 */
#ifndef ULTRA_BOOT_LINUX_H
#define ULTRA_BOOT_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "boot_load.h"
#include "ultra.h"

/* Fixed guest-physical layout below 1 MiB (the window must start at 0) */
#define ULTRA_LINUX_BOOT_PARAMS		0x9c000ULL	/* the zero page */
#define ULTRA_LINUX_CMDLINE		0x9d000ULL	/* one page */
#define ULTRA_LINUX_ACPI		0x9e000ULL	/* ULTRA_ACPI_SIZE bytes */
#define ULTRA_LINUX_LOW_END		0xa0000ULL	/* start of the ISA hole */
#define ULTRA_LINUX_HIGH		0x100000ULL	/* end of the ISA hole */

/*
 * A Linux partition's channel area: the top 4 MiB of its memory (below its
 * Boot channel), where its Console channel and later ones live.
 */
#define ULTRA_LINUX_CHAN_AREA		(4ULL << 20)

#define ULTRA_BZ_MIN_VERSION		0x020c	/* 2.12: xloadflags */
#define ULTRA_BZ_RSDP_VERSION		0x020e	/* 2.14: acpi_rsdp_addr */

/* E820 types */
#define ULTRA_E820_RAM			1
#define ULTRA_E820_RESERVED		2
#define ULTRA_E820_ACPI			3
#define ULTRA_E820_MAX			128	/* boot_params.e820_table */

/* What the loader needs from a bzImage's setup header, checked */
struct ultra_bzimage {
	uint16_t version;
	uint32_t setup_len;		/* real-mode part: (setup_sects + 1) * 512 */
	uint32_t hdr_end;		/* setup header ends here (0x202 + byte 0x201) */
	uint64_t pm_offset;		/* protected-mode kernel in the file */
	uint64_t pm_len;
	uint64_t pref_address;
	uint32_t init_size;		/* memory the kernel needs from its load address */
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;	/* highest address the initrd's last byte may have */
	uint32_t cmdline_size;		/* longest command line, without its NUL */
	uint16_t xloadflags;
	uint8_t relocatable;
};

/* Inputs of ultra_boot_linux() */
struct ultra_linux_boot {
	const void *kernel;
	size_t kernel_len;
	const void *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* NULL: empty */
	unsigned int nr_cpus;
	/*
	 * Bytes at the top of the window kept for memory channels: e820
	 * reserved, never RAM, nothing loaded there (0: none).
	 */
	uint64_t chan_bytes;
};

/* Where things went (guest-physical), for logs and tests */
struct ultra_linux_layout {
	uint64_t boot_params;
	uint64_t cmdline;
	uint64_t rsdp;
	uint64_t kernel;
	uint64_t kernel_end;		/* kernel + init_size */
	uint64_t initrd;
	uint64_t initrd_len;
	unsigned int e820_entries;
};

/*
 * Check @len bytes of @image as a bzImage we can boot. 0, or -ENOEXEC (not a
 * bzImage, truncated, inconsistent), -EOPNOTSUPP (protocol older than 2.12,
 * not a 64-bit kernel, no protected-mode loading), with e->msg saying which.
 */
int ultra_bzimage_parse(const void *image, size_t len, struct ultra_bzimage *bz,
			struct ultra_err *e);

/*
 * Load @b into the window @w (which must start at guest-physical 0 and be
 * zero where nothing is written) and fill @entry. The e820 map describes
 * exactly [0, w->size): RAM, the loader's reserved page pair, the ACPI
 * tables, the ISA hole as reserved, RAM above 1 MiB. @lay may be NULL.
 * Nothing is written unless everything fits.
 * Errors: those of ultra_bzimage_parse(); -EINVAL (window, vCPUs), -E2BIG
 * (command line), -ENOSPC (kernel or initramfs do not fit), -ERANGE.
 */
int ultra_boot_linux(const struct ultra_guest_window *w, const struct ultra_linux_boot *b,
		     struct ultra_boot_entry *entry, struct ultra_linux_layout *lay,
		     struct ultra_err *e);

#endif /* ULTRA_BOOT_LINUX_H */
