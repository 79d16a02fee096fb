// SPDX-License-Identifier: GPL-2.0
/*
 * Linux loader (boot_linux.h), following the kernel's
 * Documentation/arch/x86/boot.rst: the setup header is copied into a zero
 * page (boot_params) that also carries the e820 map, the command line
 * pointer, the initramfs and the RSDP address; the protected-mode kernel is
 * placed at its preferred address; the vCPU enters code32_start in flat
 * 32-bit mode with ESI = boot_params. Every offset and length from the image
 * is checked before use, and every write goes through put_window(), which
 * refuses anything outside the window.
 */
#include <errno.h>
#include <string.h>

#include "acpi_tables.h"
#include "boot_linux.h"

/* setup header fields (offsets in the image and in boot_params) */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_LEN		0x201
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_MIN_END		0x264	/* through init_size */

/* boot_params fields outside the setup header */
#define BP_ACPI_RSDP		0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_ENTRY_LEN	20
#define BP_SIZE			4096

#define BOOT_FLAG		0xaa55
#define HDR_MAGIC_VAL		0x53726448u	/* "HdrS" */
#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff		/* type_of_loader: not in the registry */
#define PAGE			4096ULL

static uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

int ultra_bzimage_parse(const void *image, size_t len, struct ultra_bzimage *bz,
			struct ultra_err *e)
{
	const uint8_t *p = image;
	uint32_t sects;

	memset(bz, 0, sizeof(*bz));
	if (!p || len < HDR_MIN_END)
		return ultra_err_set(e, ENOEXEC, "kernel: %zu bytes is too short for a bzImage",
				     len);
	if (get16(p + HDR_BOOT_FLAG) != BOOT_FLAG || get32(p + HDR_MAGIC) != HDR_MAGIC_VAL)
		return ultra_err_set(e, ENOEXEC,
				     "kernel: not a bzImage (no 0xAA55 boot flag and \"HdrS\" setup header)");
	bz->version = get16(p + HDR_VERSION);
	if (bz->version < ULTRA_BZ_MIN_VERSION)
		return ultra_err_set(e, EOPNOTSUPP,
				     "kernel: boot protocol %u.%02u is too old (2.12 or later needed)",
				     bz->version >> 8, bz->version & 0xff);
	bz->hdr_end = HDR_MAGIC + p[HDR_JUMP_LEN];
	if (bz->hdr_end < HDR_MIN_END)
		return ultra_err_set(e, ENOEXEC,
				     "kernel: setup header ends at %#x, before the 2.12 fields",
				     bz->hdr_end);
	sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
	bz->setup_len = (sects + 1) * 512;
	if (bz->setup_len < bz->hdr_end || bz->setup_len >= len)
		return ultra_err_set(e, ENOEXEC,
				     "kernel: %u setup sectors do not fit the %zu-byte image", sects,
				     len);
	if (!(p[HDR_LOADFLAGS] & LOADED_HIGH))
		return ultra_err_set(e, EOPNOTSUPP,
				     "kernel: a zImage (loaded low) is not supported, only bzImage");
	bz->xloadflags = get16(p + HDR_XLOADFLAGS);
	if (!(bz->xloadflags & XLF_KERNEL_64))
		return ultra_err_set(e, EOPNOTSUPP, "kernel: not a 64-bit kernel (xloadflags %#x)",
				     bz->xloadflags);
	bz->pm_offset = bz->setup_len;
	bz->pm_len = len - bz->setup_len;
	bz->pref_address = get64(p + HDR_PREF_ADDRESS);
	bz->init_size = get32(p + HDR_INIT_SIZE);
	bz->kernel_alignment = get32(p + HDR_KERNEL_ALIGNMENT);
	bz->initrd_addr_max = get32(p + HDR_INITRD_ADDR_MAX);
	bz->cmdline_size = get32(p + HDR_CMDLINE_SIZE);
	bz->relocatable = p[HDR_RELOCATABLE];
	if (bz->pref_address < ULTRA_LINUX_HIGH || bz->pref_address >= (1ULL << 32) ||
	    bz->pref_address % PAGE)
		return ultra_err_set(e, ENOEXEC,
				     "kernel: preferred load address %#llx is not a page above 1 MiB and below 4 GiB",
				     (unsigned long long)bz->pref_address);
	if (bz->init_size < bz->pm_len)
		return ultra_err_set(e, ENOEXEC,
				     "kernel: init_size %u is smaller than the %llu-byte kernel",
				     bz->init_size, (unsigned long long)bz->pm_len);
	return 0;
}

/* Copy @len bytes to guest-physical @gpa, or fail if that leaves the window. */
static int put_window(const struct ultra_guest_window *w, uint64_t gpa, const void *src,
		      uint64_t len, const char *what, struct ultra_err *e)
{
	if (gpa < w->gpa || gpa - w->gpa > w->size || len > w->size - (gpa - w->gpa))
		return ultra_err_set(e, ENOSPC,
				     "%s (%llu bytes at %#llx) does not fit the partition's %llu MiB",
				     what, (unsigned long long)len, (unsigned long long)gpa,
				     (unsigned long long)(w->size >> 20));
	if (src && len)
		memcpy(w->base + (gpa - w->gpa), src, len);
	return 0;
}

struct e820 {
	uint8_t *table;
	unsigned int n;
};

static void e820_add(struct e820 *m, uint64_t addr, uint64_t end, uint32_t type)
{
	uint8_t *x = m->table + (size_t)m->n * BP_E820_ENTRY_LEN;

	if (end <= addr)
		return;
	put64(x, addr);
	put64(x + 8, end - addr);
	put32(x + 16, type);
	m->n++;
}

/* The command line must fit both the kernel's limit and our page. */
static int check_cmdline(const struct ultra_bzimage *bz, const char *cmdline,
			 struct ultra_err *e)
{
	size_t n = cmdline ? strlen(cmdline) : 0;
	size_t max = bz->cmdline_size < ULTRA_BOOT_CMDLINE_MAX ? bz->cmdline_size :
			 ULTRA_BOOT_CMDLINE_MAX;

	if (n > max)
		return ultra_err_set(e, E2BIG,
				     "command line of %zu bytes: this kernel takes at most %zu", n,
				     max);
	return 0;
}

static int put_cmdline(const struct ultra_guest_window *w, const char *cmdline,
		       struct ultra_err *e)
{
	uint8_t page[PAGE] = { 0 };

	/* check_cmdline() bounded it below PAGE: the NUL stays */
	if (cmdline)
		strncpy((char *)page, cmdline, sizeof(page) - 1);
	return put_window(w, ULTRA_LINUX_CMDLINE, page, sizeof(page), "the command line", e);
}

int ultra_boot_linux(const struct ultra_guest_window *w, const struct ultra_linux_boot *b,
		     struct ultra_boot_entry *entry, struct ultra_linux_layout *lay,
		     struct ultra_err *e)
{
	const uint8_t *img = b->kernel;
	struct ultra_linux_layout l = { 0 };
	uint8_t acpi[ULTRA_ACPI_SIZE];
	uint8_t bp[BP_SIZE] = { 0 };
	struct ultra_bzimage bz;
	struct e820 map = { .table = bp + BP_E820_TABLE };
	uint64_t mem_end;
	int ret;

	if (!w || !w->base || w->gpa != 0)
		return ultra_err_set(e, EINVAL,
				     "the window must map the partition's memory from guest-physical 0");
	if (w->size < ULTRA_LINUX_HIGH * 2 || w->size % PAGE)
		return ultra_err_set(e, EINVAL,
				     "partition memory of %llu bytes: a page multiple of at least 2 MiB needed",
				     (unsigned long long)w->size);
	/* RAM ends where the channel area starts */
	if (b->chan_bytes % PAGE || b->chan_bytes > w->size - ULTRA_LINUX_HIGH)
		return ultra_err_set(e, EINVAL,
				     "a channel area of %llu bytes: a page multiple leaving the first MiB",
				     (unsigned long long)b->chan_bytes);
	mem_end = w->size - b->chan_bytes;
	ret = ultra_bzimage_parse(b->kernel, b->kernel_len, &bz, e);
	if (ret)
		return ret;

	/* kernel at its preferred address; it needs init_size bytes from there */
	l.kernel = bz.pref_address;
	l.kernel_end = l.kernel + bz.init_size;
	if (l.kernel_end > mem_end)
		return ultra_err_set(e, ENOSPC,
				     "kernel: needs memory up to %llu MiB (loaded at %#llx, init_size %u), the partition has %llu MiB",
				     (unsigned long long)((l.kernel_end + (1 << 20) - 1) >> 20),
				     (unsigned long long)l.kernel, bz.init_size,
				     (unsigned long long)(mem_end >> 20));
	/* initramfs: as high as the kernel allows, above the kernel's init_size */
	if (b->initrd && b->initrd_len) {
		uint64_t top = (uint64_t)bz.initrd_addr_max + 1;

		if (top > mem_end)
			top = mem_end;
		if (b->initrd_len > top || ((top - b->initrd_len) & ~(PAGE - 1)) < l.kernel_end)
			return ultra_err_set(e, ENOSPC,
					     "initramfs of %zu bytes does not fit between the kernel's end (%#llx) and %#llx",
					     b->initrd_len, (unsigned long long)l.kernel_end,
					     (unsigned long long)top);
		l.initrd = (top - b->initrd_len) & ~(PAGE - 1);
		l.initrd_len = b->initrd_len;
	}
	ret = ultra_acpi_build(acpi, sizeof(acpi), ULTRA_LINUX_ACPI, b->nr_cpus, &l.rsdp, e);
	if (ret < 0)
		return ret;
	ret = check_cmdline(&bz, b->cmdline, e);
	if (ret)
		return ret;

	/* everything fits: only now is the window written */
	ret = put_window(w, l.kernel, img + bz.pm_offset, bz.pm_len, "the kernel", e);
	if (!ret)
		ret = put_window(w, l.initrd, b->initrd, l.initrd_len, "the initramfs", e);
	if (!ret)
		ret = put_window(w, ULTRA_LINUX_ACPI, acpi, sizeof(acpi), "the ACPI tables", e);
	if (!ret)
		ret = put_cmdline(w, b->cmdline, e);
	if (ret)
		return ret;

	/* the zero page: the image's setup header, then what the loader fills in */
	memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, bz.hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(bp + HDR_CODE32_START, l.kernel);
	put32(bp + HDR_CMD_LINE_PTR, ULTRA_LINUX_CMDLINE);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put32(bp + HDR_RAMDISK_IMAGE, l.initrd);
	put32(bp + HDR_RAMDISK_SIZE, l.initrd_len);
	put32(bp + BP_EXT_RAMDISK_IMAGE, l.initrd >> 32);
	put32(bp + BP_EXT_RAMDISK_SIZE, l.initrd_len >> 32);
	if (bz.version >= ULTRA_BZ_RSDP_VERSION)
		put64(bp + BP_ACPI_RSDP, l.rsdp);

	/* e820: every byte of the window once, in order */
	e820_add(&map, 0, ULTRA_LINUX_BOOT_PARAMS, ULTRA_E820_RAM);
	e820_add(&map, ULTRA_LINUX_BOOT_PARAMS, ULTRA_LINUX_ACPI, ULTRA_E820_RESERVED);
	e820_add(&map, ULTRA_LINUX_ACPI, ULTRA_LINUX_ACPI + ULTRA_ACPI_SIZE, ULTRA_E820_ACPI);
	e820_add(&map, ULTRA_LINUX_ACPI + ULTRA_ACPI_SIZE, ULTRA_LINUX_HIGH,
		 ULTRA_E820_RESERVED);
	e820_add(&map, ULTRA_LINUX_HIGH, mem_end, ULTRA_E820_RAM);
	/* the channel area: Linux must never allocate a channel's pages */
	if (b->chan_bytes)
		e820_add(&map, mem_end, w->size, ULTRA_E820_RESERVED);
	bp[BP_E820_ENTRIES] = map.n;
	ret = put_window(w, ULTRA_LINUX_BOOT_PARAMS, bp, sizeof(bp), "the boot parameters", e);
	if (ret)
		return ret;

	l.boot_params = ULTRA_LINUX_BOOT_PARAMS;
	l.cmdline = ULTRA_LINUX_CMDLINE;
	l.e820_entries = map.n;
	memset(entry, 0, sizeof(*entry));
	entry->mode = UV_ENTRY_FLAT32;
	entry->eip = l.kernel;
	entry->esi = l.boot_params;
	entry->low = l.boot_params;
	entry->high = l.initrd_len ? l.initrd + l.initrd_len : l.kernel + bz.pm_len;
	if (lay)
		*lay = l;
	return 0;
}
