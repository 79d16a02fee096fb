// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot (version 0.6.96) loader for ELF images.
 *
 * The image is a kernel buffer the caller filled (never guest memory), and
 * every field read from it is checked before use: header sizes and counts,
 * each segment's file range against the image length, each segment's
 * physical range against the partition's memory (through guest_mem.c, which
 * refuses anything outside it), the entry point against the loaded segments.
 * Arithmetic is done in u64 on values that are at most 32 bits (ELF32) or
 * checked for wrap-around (ELF64).
 *
 * Entry state (Multiboot spec, 3.2 "Machine state"): EAX = 0x2BADB002, EBX =
 * physical address of the Multiboot information, 32-bit protected mode with
 * flat 4 GiB code and data segments, paging off, interrupts off; the vendor
 * backend sets the segments (struct uv_boot_state). The information lies in
 * partition memory, page aligned after the highest loaded byte: the header,
 * the memory map (one "available" entry per guest-physical run of extents),
 * the command line and the boot loader name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <linux/ultravisor_hypercall.h>
#include <linux/ultravisor_multiboot.h>

#include "internal.h"

#define MB_SEARCH		8192	/* the header lies in the first 8 KiB */
#define MB_F_PAGE_ALIGN		BIT(0)	/* modules page aligned: we load none */
#define MB_F_MEMINFO		BIT(1)	/* wants mem_* and mmap_*: always given */
#define MB_F_REQUIRED		0xffffu	/* bits 0-15: fail if not understood */
#define MB_F_UNDERSTOOD		(MB_F_PAGE_ALIGN | MB_F_MEMINFO)
#define MB_F_AOUT_KLUDGE	BIT(16)

#define UV_MB_MAX_PHDRS		64
#define UV_MB_MAX_CMDLINE	1024
#define UV_MB_LOADER_NAME	"ultravisor"

static_assert(sizeof(struct uv_multiboot_info) == 116);
static_assert(sizeof(struct uv_multiboot_mmap) == 24);

/* A PT_LOAD segment, ELF32 or ELF64, widened. */
struct uv_seg {
	u64 offset;
	u64 vaddr;
	u64 paddr;
	u64 filesz;
	u64 memsz;
};

/* Find and check the Multiboot header in the first 8 KiB. */
static int uv_mb_header(const void *image, size_t len, u32 *flags)
{
	size_t end = min_t(size_t, len, MB_SEARCH), off;

	for (off = 0; off + 12 <= end; off += 4) {
		const u32 *h = image + off;

		if (h[0] != UV_MULTIBOOT_HEADER_MAGIC)
			continue;
		if (h[0] + h[1] + h[2] != 0)
			continue;
		*flags = h[1];
		return 0;
	}
	return -ENOEXEC;
}

/* Read program header @i into @s; 1 if it is a PT_LOAD, 0 if not, <0 if bad. */
static int uv_elf_seg(const void *image, size_t len, bool is64, u64 phoff, unsigned int i,
		      struct uv_seg *s)
{
	if (is64) {
		const struct elf64_phdr *ph = image + phoff + (u64)i * sizeof(*ph);

		if (ph->p_type != PT_LOAD)
			return 0;
		*s = (struct uv_seg){ ph->p_offset, ph->p_vaddr, ph->p_paddr,
				      ph->p_filesz, ph->p_memsz };
	} else {
		const struct elf32_phdr *ph = image + phoff + (u64)i * sizeof(*ph);

		if (ph->p_type != PT_LOAD)
			return 0;
		*s = (struct uv_seg){ ph->p_offset, ph->p_vaddr, ph->p_paddr,
				      ph->p_filesz, ph->p_memsz };
	}
	if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
		return -ENOEXEC;
	/* Multiboot is a 32-bit protocol: everything below 4 GiB */
	if (s->paddr >= SZ_4G || s->memsz > SZ_4G - s->paddr ||
	    s->vaddr + s->memsz < s->vaddr)
		return -ENOEXEC;
	return 1;
}

/* Build and write the Multiboot information at @at; *end: first byte after it. */
static int uv_mb_info(struct uv_partition *p, u64 at, const char *cmdline)
{
	size_t cl = cmdline ? strnlen(cmdline, UV_MB_MAX_CMDLINE) : 0;
	struct uv_multiboot_mmap *mm;
	struct uv_multiboot_info *mbi;
	unsigned int i, n = 0;
	u64 low = 0, upper = 0;
	size_t size, off;
	char *buf;
	int ret;

	if (cmdline && cl >= UV_MB_MAX_CMDLINE)
		return -E2BIG;
	size = sizeof(*mbi) + p->nr_mem * sizeof(*mm) + cl + 1 + sizeof(UV_MB_LOADER_NAME);
	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mbi = (struct uv_multiboot_info *)buf;
	mm = (struct uv_multiboot_mmap *)(buf + sizeof(*mbi));

	/* memory map: one entry per run of guest-physically adjacent extents */
	for (i = 0; i < p->nr_mem; i++) {
		if (n && mm[n - 1].base + mm[n - 1].len == p->mem[i].gpa) {
			mm[n - 1].len += p->mem[i].size;
			continue;
		}
		mm[n].size = sizeof(*mm) - sizeof(mm->size);
		mm[n].base = p->mem[i].gpa;
		mm[n].len = p->mem[i].size;
		mm[n].type = UV_MULTIBOOT_MMAP_AVAILABLE;
		n++;
	}
	/* mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB on */
	for (i = 0; i < n; i++) {
		if (mm[i].base == 0)
			low = min_t(u64, mm[i].len, 640 * SZ_1K);
		if (mm[i].base <= SZ_1M && mm[i].base + mm[i].len > SZ_1M)
			upper = min_t(u64, mm[i].base + mm[i].len, SZ_4G) - SZ_1M;
	}
	off = sizeof(*mbi) + n * sizeof(*mm);
	mbi->flags = UV_MULTIBOOT_INFO_MEM | UV_MULTIBOOT_INFO_MMAP | UV_MULTIBOOT_INFO_LOADER_NAME;
	mbi->mem_lower = low / SZ_1K;
	mbi->mem_upper = upper / SZ_1K;
	mbi->mmap_addr = at + sizeof(*mbi);
	mbi->mmap_length = n * sizeof(*mm);
	if (cmdline) {
		memcpy(buf + off, cmdline, cl);
		mbi->flags |= UV_MULTIBOOT_INFO_CMDLINE;
		mbi->cmdline = at + off;
		off += cl + 1;
	}
	memcpy(buf + off, UV_MB_LOADER_NAME, sizeof(UV_MB_LOADER_NAME));
	mbi->boot_loader_name = at + off;
	off += sizeof(UV_MB_LOADER_NAME);

	ret = uv_guest_write(p, at, buf, off);
	kfree(buf);
	return ret;
}

/**
 * uv_multiboot_load - load an ELF Multiboot kernel into partition memory
 * @p:		the partition (its memory must be zeroed or don't care)
 * @image:	the ELF file, in a kernel buffer
 * @len:	its length
 * @cmdline:	command line for the guest, or NULL
 * @boot:	out: the vCPU's entry state
 */
int uv_multiboot_load(struct uv_partition *p, const void *image, size_t len,
		      const char *cmdline, struct uv_boot_state *boot)
{
	const struct elf64_hdr *e64 = image;
	const struct elf32_hdr *e32 = image;
	u64 phoff, entry, pentry = 0, top = 0, info;
	unsigned int phnum, phentsize, i;
	bool is64, entry_ok = false;
	struct uv_seg s;
	u32 flags;
	int ret;

	if (!image || len < sizeof(struct elf64_hdr) || memcmp(e32->e_ident, ELFMAG, SELFMAG) ||
	    e32->e_ident[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	ret = uv_mb_header(image, len, &flags);
	if (ret)
		return ret;
	if ((flags & MB_F_REQUIRED & ~MB_F_UNDERSTOOD) || (flags & MB_F_AOUT_KLUDGE))
		return -EOPNOTSUPP;

	is64 = e32->e_ident[EI_CLASS] == ELFCLASS64;
	if (is64) {
		if (e64->e_type != ET_EXEC || e64->e_machine != EM_X86_64)
			return -ENOEXEC;
		phoff = e64->e_phoff;
		phnum = e64->e_phnum;
		phentsize = e64->e_phentsize;
		entry = e64->e_entry;
		if (phentsize != sizeof(struct elf64_phdr))
			return -ENOEXEC;
	} else if (e32->e_ident[EI_CLASS] == ELFCLASS32) {
		if (e32->e_type != ET_EXEC || e32->e_machine != EM_386)
			return -ENOEXEC;
		phoff = e32->e_phoff;
		phnum = e32->e_phnum;
		phentsize = e32->e_phentsize;
		entry = e32->e_entry;
		if (phentsize != sizeof(struct elf32_phdr))
			return -ENOEXEC;
	} else {
		return -ENOEXEC;
	}
	if (!phnum || phnum > UV_MB_MAX_PHDRS || phoff > len ||
	    (u64)phnum * phentsize > len - phoff)
		return -ENOEXEC;

	for (i = 0; i < phnum; i++) {
		ret = uv_elf_seg(image, len, is64, phoff, i, &s);
		if (ret < 0)
			return ret;
		if (!ret || !s.memsz)
			continue;
		ret = uv_guest_write(p, s.paddr, image + s.offset, s.filesz);
		if (!ret)
			ret = uv_guest_zero(p, s.paddr + s.filesz, s.memsz - s.filesz);
		if (ret) {
			pr_info("partition %s: segment %u (paddr %#llx, %#llx bytes) lies outside its memory\n",
				p->name, i, s.paddr, s.memsz);
			return -EFAULT;
		}
		top = max(top, s.paddr + s.memsz);
		/* the entry point is virtual: translate as for the segment holding it */
		if (!entry_ok && entry >= s.vaddr && entry - s.vaddr < s.memsz) {
			pentry = entry - s.vaddr + s.paddr;
			entry_ok = true;
		}
	}
	if (!entry_ok || !top)
		return -ENOEXEC;

	info = ALIGN(top, SZ_4K);
	if (info >= SZ_4G)
		return -EFAULT;
	ret = uv_mb_info(p, info, cmdline);
	if (ret)
		return ret;

	boot->eip = pentry;
	boot->eax = UV_MULTIBOOT_BOOT_MAGIC;
	boot->ebx = info;
	return 0;
}
