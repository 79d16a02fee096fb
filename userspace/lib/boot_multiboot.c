// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot (0.6.96) loader for ELF kernels, run by the server of a Boot
 * channel (boot_load.h). It follows the module's former in-kernel loader
 * (kmod/monitor/multiboot.c, still behind UV_IOC_PART_LOAD with an image):
 * the same checks, refusals and boot information, so a guest cannot tell
 * which one loaded it.
 *
 * The image is untrusted: header sizes and counts, each segment's file range
 * against the image length, each segment's physical range against the window,
 * the entry point against the loaded segments. Fields are copied out of the
 * image with memcpy (an ELF file may put its tables at any alignment) and
 * widened to 64 bits before any arithmetic, so nothing wraps.
 *
 * Entry state (Multiboot spec 3.2): EAX = 0x2BADB002, EBX = the information
 * structure, flat 32-bit protected mode, paging and interrupts off. The
 * information goes page aligned after the highest loaded byte: the structure,
 * the memory map (the window, one "available" run), the command line and the
 * boot loader's name.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>
#include <linux/ultravisor_multiboot.h>

#include "boot_load.h"

#define MB_SEARCH		8192	/* the header lies in the first 8 KiB */
#define MB_F_PAGE_ALIGN		(1u << 0)	/* modules page aligned: we load none */
#define MB_F_MEMINFO		(1u << 1)	/* wants mem_* and mmap_*: always given */
#define MB_F_REQUIRED		0xffffu	/* bits 0-15: fail if not understood */
#define MB_F_UNDERSTOOD		(MB_F_PAGE_ALIGN | MB_F_MEMINFO)
#define MB_F_AOUT_KLUDGE	(1u << 16)

#define MB_MAX_PHDRS		64
#define MB_LOADER_NAME		"ultravisor"
#define MB_4G			(1ull << 32)
#define MB_1M			(1ull << 20)
#define MB_PAGE			4096ull
#define MB_LOW_MAX		(640ull * 1024)	/* mem_lower: conventional memory */

/* The refusals, in the old loader's words (docs/channels.md quotes them). */
#define MSG_NOEXEC	"not a Multiboot v1 ELF image (or a malformed one)"
#define MSG_NOTSUP	"the image asks for what the monitor does not offer (video mode, a.out)"
#define MSG_FAULT	"a segment or the boot information lies outside the partition's memory"
#define MSG_2BIG	"command line too long"

_Static_assert(sizeof(struct uv_multiboot_info) == 116, "Multiboot information is 116 bytes");
_Static_assert(sizeof(struct uv_multiboot_mmap) == 24, "a memory map entry is 24 bytes");

/* A PT_LOAD segment, ELF32 or ELF64, widened. */
struct seg {
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

/* The window's bytes for [gpa, gpa + len), or NULL if any of it lies outside. */
static uint8_t *win_at(const struct ultra_guest_window *w, uint64_t gpa, uint64_t len)
{
	if (gpa < w->gpa || gpa - w->gpa > w->size || len > w->size - (gpa - w->gpa))
		return NULL;
	return w->base + (gpa - w->gpa);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Find and check the Multiboot header in the first 8 KiB. */
static int mb_header(const uint8_t *image, size_t len, uint32_t *flags)
{
	size_t off;

	if (len > MB_SEARCH)
		len = MB_SEARCH;
	for (off = 0; off + 12 <= len; off += 4) {
		uint32_t magic = get32(image + off), fl = get32(image + off + 4);
		uint32_t sum = magic + fl + get32(image + off + 8);

		/* the three words add up to 0 (mod 2^32) */
		if (magic == UV_MULTIBOOT_HEADER_MAGIC && sum == 0) {
			*flags = fl;
			return 0;
		}
	}
	return -ENOEXEC;
}

/* Program header i into *s: 1 if a PT_LOAD, 0 if another type, <0 if bad. */
static int elf_seg(const uint8_t *image, size_t len, bool is64, uint64_t phoff, unsigned int i,
		   struct seg *s, struct ultra_err *e)
{
	if (is64) {
		Elf64_Phdr ph;

		memcpy(&ph, image + phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			return 0;
		*s = (struct seg){ ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz };
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, image + phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			return 0;
		*s = (struct seg){ ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz };
	}
	if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
		return ultra_err_set(e, ENOEXEC,
				     MSG_NOEXEC ": segment %u: file bytes [%#llx, +%#llx) past the end of the %zu-byte image or above its memory size",
				     i, (unsigned long long)s->offset,
				     (unsigned long long)s->filesz, len);
	/* Multiboot is a 32-bit protocol: everything below 4 GiB */
	if (s->paddr >= MB_4G || s->memsz > MB_4G - s->paddr || s->vaddr + s->memsz < s->vaddr)
		return ultra_err_set(e, ENOEXEC,
				     MSG_NOEXEC ": segment %u: [%#llx, +%#llx) does not fit below 4 GiB",
				     i, (unsigned long long)s->paddr, (unsigned long long)s->memsz);
	return 1;
}

/* Build the information at guest-physical at; *end: one past its last byte. */
static int mb_info(const struct ultra_guest_window *w, uint64_t at, const char *cmdline,
		   size_t cl, uint64_t *end, struct ultra_err *e)
{
	struct uv_multiboot_info mbi;
	struct uv_multiboot_mmap mm;
	uint64_t size = sizeof(mbi) + sizeof(mm) + (cmdline ? cl + 1 : 0) + sizeof(MB_LOADER_NAME);
	uint64_t off = sizeof(mbi) + sizeof(mm), low = 0, upper = 0;
	uint8_t *p = win_at(w, at, size);

	if (!p)
		return ultra_err_set(e, EFAULT,
				     MSG_FAULT ": the boot information needs [%#llx, +%#llx), memory is [%#llx, +%#llx)",
				     (unsigned long long)at, (unsigned long long)size,
				     (unsigned long long)w->gpa, (unsigned long long)w->size);
	/* memory map: the window is one run of guest-physically adjacent memory */
	mm.size = sizeof(mm) - sizeof(mm.size);
	mm.base = w->gpa;
	mm.len = w->size;
	mm.type = UV_MULTIBOOT_MMAP_AVAILABLE;
	/* mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB on */
	if (mm.base == 0)
		low = mm.len < MB_LOW_MAX ? mm.len : MB_LOW_MAX;
	if (mm.base <= MB_1M && mm.base + mm.len > MB_1M)
		upper = (mm.base + mm.len < MB_4G ? mm.base + mm.len : MB_4G) - MB_1M;

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = UV_MULTIBOOT_INFO_MEM | UV_MULTIBOOT_INFO_MMAP | UV_MULTIBOOT_INFO_LOADER_NAME;
	mbi.mem_lower = (uint32_t)(low / 1024);
	mbi.mem_upper = (uint32_t)(upper / 1024);
	mbi.mmap_addr = (uint32_t)(at + sizeof(mbi));
	mbi.mmap_length = sizeof(mm);
	memcpy(p + sizeof(mbi), &mm, sizeof(mm));
	if (cmdline) {
		memcpy(p + off, cmdline, cl);
		p[off + cl] = 0;
		mbi.flags |= UV_MULTIBOOT_INFO_CMDLINE;
		mbi.cmdline = (uint32_t)(at + off);
		off += cl + 1;
	}
	memcpy(p + off, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
	mbi.boot_loader_name = (uint32_t)(at + off);
	off += sizeof(MB_LOADER_NAME);
	memcpy(p, &mbi, sizeof(mbi));
	*end = at + off;
	return 0;
}

/* The ELF header's fields we use, from either class. */
struct elf_top {
	bool is64;
	uint64_t phoff;
	uint64_t entry;
	unsigned int phnum;
	unsigned int phentsize;
};

static int elf_top(const uint8_t *image, size_t len, struct elf_top *t, struct ultra_err *e)
{
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;

	/* an ELF64 header is the larger: both fit */
	if (len < sizeof(h64) || memcmp(image, ELFMAG, SELFMAG) != 0 || image[EI_DATA] != ELFDATA2LSB)
		return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": no little-endian ELF header");
	memcpy(&h64, image, sizeof(h64));
	memcpy(&h32, image, sizeof(h32));
	t->is64 = image[EI_CLASS] == ELFCLASS64;
	if (t->is64) {
		if (h64.e_type != ET_EXEC || h64.e_machine != EM_X86_64)
			return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": not an x86-64 executable");
		t->phoff = h64.e_phoff;
		t->phnum = h64.e_phnum;
		t->phentsize = h64.e_phentsize;
		t->entry = h64.e_entry;
		if (t->phentsize != sizeof(Elf64_Phdr))
			return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": program headers of %u bytes",
					     t->phentsize);
	} else if (image[EI_CLASS] == ELFCLASS32) {
		if (h32.e_type != ET_EXEC || h32.e_machine != EM_386)
			return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": not an i386 executable");
		t->phoff = h32.e_phoff;
		t->phnum = h32.e_phnum;
		t->phentsize = h32.e_phentsize;
		t->entry = h32.e_entry;
		if (t->phentsize != sizeof(Elf32_Phdr))
			return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": program headers of %u bytes",
					     t->phentsize);
	} else {
		return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": ELF class %u", image[EI_CLASS]);
	}
	if (!t->phnum || t->phnum > MB_MAX_PHDRS || t->phoff > len ||
	    (uint64_t)t->phnum * t->phentsize > len - t->phoff)
		return ultra_err_set(e, ENOEXEC,
				     MSG_NOEXEC ": %u program headers at %#llx (1 to %u, inside the image)",
				     t->phnum, (unsigned long long)t->phoff, MB_MAX_PHDRS);
	return 0;
}

int ultra_boot_multiboot(const struct ultra_guest_window *w, const void *image, size_t len,
			 const char *cmdline, struct ultra_boot_entry *entry, struct ultra_err *e)
{
	const uint8_t *img = image;
	uint64_t pentry = 0, top = 0, low = UINT64_MAX, info, end = 0;
	bool entry_ok = false;
	struct elf_top t = { 0 };
	struct seg s;
	unsigned int i;
	uint32_t flags;
	size_t cl = 0;
	int ret;

	if (!w || !w->base || w->gpa + w->size < w->gpa || !entry)
		return ultra_err_set(e, EINVAL, "no guest memory to load into");
	if (!image)
		return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": no image");
	ret = elf_top(img, len, &t, e);
	if (ret)
		return ret;
	if (mb_header(img, len, &flags))
		return ultra_err_set(e, ENOEXEC,
				     MSG_NOEXEC ": no Multiboot header in its first 8 KiB");
	if ((flags & MB_F_REQUIRED & ~MB_F_UNDERSTOOD) || (flags & MB_F_AOUT_KLUDGE))
		return ultra_err_set(e, EOPNOTSUPP, MSG_NOTSUP ": header flags %#x", flags);
	if (cmdline) {
		cl = strnlen(cmdline, ULTRA_BOOT_CMDLINE_MAX + 1);
		if (cl > ULTRA_BOOT_CMDLINE_MAX)
			return ultra_err_set(e, E2BIG, MSG_2BIG ": at most %u bytes",
					     ULTRA_BOOT_CMDLINE_MAX);
	}

	for (i = 0; i < t.phnum; i++) {
		uint8_t *dst;

		ret = elf_seg(img, len, t.is64, t.phoff, i, &s, e);
		if (ret < 0)
			return ret;
		if (!ret || !s.memsz)
			continue;
		dst = win_at(w, s.paddr, s.memsz);
		if (!dst)
			return ultra_err_set(e, EFAULT,
					     MSG_FAULT ": segment %u is [%#llx, +%#llx), memory is [%#llx, +%#llx)",
					     i, (unsigned long long)s.paddr,
					     (unsigned long long)s.memsz,
					     (unsigned long long)w->gpa,
					     (unsigned long long)w->size);
		memcpy(dst, img + s.offset, s.filesz);
		memset(dst + s.filesz, 0, s.memsz - s.filesz);
		if (s.paddr + s.memsz > top)
			top = s.paddr + s.memsz;
		if (s.paddr < low)
			low = s.paddr;
		/* the entry point is virtual: translate as for the segment holding it */
		if (!entry_ok && t.entry >= s.vaddr && t.entry - s.vaddr < s.memsz) {
			pentry = t.entry - s.vaddr + s.paddr;
			entry_ok = true;
		}
	}
	if (!top)
		return ultra_err_set(e, ENOEXEC, MSG_NOEXEC ": nothing to load");
	if (!entry_ok)
		return ultra_err_set(e, ENOEXEC,
				     MSG_NOEXEC ": entry point %#llx is in no loaded segment",
				     (unsigned long long)t.entry);

	info = (top + MB_PAGE - 1) & ~(MB_PAGE - 1);
	if (info >= MB_4G)
		return ultra_err_set(e, EFAULT, MSG_FAULT ": the boot information would be above 4 GiB");
	ret = mb_info(w, info, cmdline, cl, &end, e);
	if (ret)
		return ret;

	memset(entry, 0, sizeof(*entry));
	entry->mode = UV_ENTRY_FLAT32;
	entry->eip = (uint32_t)pentry;
	entry->eax = UV_MULTIBOOT_BOOT_MAGIC;
	entry->ebx = (uint32_t)info;
	entry->low = low;
	entry->high = end;
	return 0;
}
