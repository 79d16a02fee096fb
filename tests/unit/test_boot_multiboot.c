// SPDX-License-Identifier: GPL-2.0
/*
 * The Boot channel's Multiboot loader (userspace/lib/boot_multiboot.c): a good
 * ELF32 and ELF64 image land where their program headers say, bss zeroed, the
 * entry state and the information structure as the spec wants them; every
 * refusal of the old in-kernel loader gives its errno and message; nothing is
 * ever written outside the window (guard bytes around it, on success and on
 * every refusal), and a window that does not start at 0 works.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_hypercall.h>

#include "boot_load.h"

#define MIB		(1ull << 20)
#define GUARD		((size_t)4096)
#define FILL		0xa5
#define IMG_MAX		((size_t)65536)
#define MB_OFF		0x200	/* Multiboot header offset in the test images */
#define CODE_OFF	0x400	/* first segment's bytes */
#define CODE_LEN	0x80

struct img {
	uint8_t b[IMG_MAX];
	size_t len;
	bool is64;
};

/* A valid image: one PT_LOAD of CODE_LEN file bytes and a page of memory. */
static void img_build(struct img *m, bool is64, uint64_t vaddr, uint64_t paddr)
{
	uint32_t mb[3] = { UV_MULTIBOOT_HEADER_MAGIC, 0x3, 0 };
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->len = CODE_OFF + CODE_LEN;
	memcpy(m->b, ELFMAG, SELFMAG);
	m->b[EI_DATA] = ELFDATA2LSB;
	m->b[EI_VERSION] = EV_CURRENT;
	if (is64) {
		Elf64_Ehdr h = { 0 };
		Elf64_Phdr p = { 0 };

		memcpy(h.e_ident, m->b, EI_NIDENT);
		h.e_ident[EI_CLASS] = ELFCLASS64;
		h.e_type = ET_EXEC;
		h.e_machine = EM_X86_64;
		h.e_entry = vaddr + 0x10;
		h.e_phoff = sizeof(h);
		h.e_phentsize = sizeof(p);
		h.e_phnum = 1;
		p.p_type = PT_LOAD;
		p.p_offset = CODE_OFF;
		p.p_vaddr = vaddr;
		p.p_paddr = paddr;
		p.p_filesz = CODE_LEN;
		p.p_memsz = 0x1000;
		memcpy(m->b, &h, sizeof(h));
		memcpy(m->b + sizeof(h), &p, sizeof(p));
	} else {
		Elf32_Ehdr h = { 0 };
		Elf32_Phdr p = { 0 };

		memcpy(h.e_ident, m->b, EI_NIDENT);
		h.e_ident[EI_CLASS] = ELFCLASS32;
		h.e_type = ET_EXEC;
		h.e_machine = EM_386;
		h.e_entry = (uint32_t)vaddr + 0x10;
		h.e_phoff = sizeof(h);
		h.e_phentsize = sizeof(p);
		h.e_phnum = 1;
		p.p_type = PT_LOAD;
		p.p_offset = CODE_OFF;
		p.p_vaddr = (uint32_t)vaddr;
		p.p_paddr = (uint32_t)paddr;
		p.p_filesz = CODE_LEN;
		p.p_memsz = 0x1000;
		memcpy(m->b, &h, sizeof(h));
		memcpy(m->b + sizeof(h), &p, sizeof(p));
	}
	mb[2] = -(mb[0] + mb[1]);
	memcpy(m->b + MB_OFF, mb, sizeof(mb));
	for (i = 0; i < CODE_LEN; i++)
		m->b[CODE_OFF + i] = (uint8_t)(i + 1);
}

/* Offsets of the program header fields, for both classes. */
static uint8_t *ph_field(struct img *m, unsigned int idx, const char *f)
{
	size_t base = m->is64 ? sizeof(Elf64_Ehdr) + idx * sizeof(Elf64_Phdr) :
				sizeof(Elf32_Ehdr) + idx * sizeof(Elf32_Phdr);

	if (!strcmp(f, "type"))
		return m->b + base;
	if (m->is64) {
		if (!strcmp(f, "offset"))
			return m->b + base + offsetof(Elf64_Phdr, p_offset);
		if (!strcmp(f, "paddr"))
			return m->b + base + offsetof(Elf64_Phdr, p_paddr);
		if (!strcmp(f, "filesz"))
			return m->b + base + offsetof(Elf64_Phdr, p_filesz);
		return m->b + base + offsetof(Elf64_Phdr, p_memsz);
	}
	if (!strcmp(f, "offset"))
		return m->b + base + offsetof(Elf32_Phdr, p_offset);
	if (!strcmp(f, "paddr"))
		return m->b + base + offsetof(Elf32_Phdr, p_paddr);
	if (!strcmp(f, "filesz"))
		return m->b + base + offsetof(Elf32_Phdr, p_filesz);
	return m->b + base + offsetof(Elf32_Phdr, p_memsz);
}

static void ph_set(struct img *m, unsigned int idx, const char *f, uint64_t v)
{
	uint32_t v32 = (uint32_t)v;

	if (m->is64 && strcmp(f, "type") != 0)
		memcpy(ph_field(m, idx, f), &v, 8);
	else
		memcpy(ph_field(m, idx, f), &v32, 4);
}

static void set_mb_flags(struct img *m, uint32_t flags)
{
	uint32_t mb[3] = { UV_MULTIBOOT_HEADER_MAGIC, flags, 0 };

	mb[2] = -(mb[0] + mb[1]);
	memcpy(m->b + MB_OFF, mb, sizeof(mb));
}

/* A window of size bytes at gpa, with guard bytes on both sides. */
struct win {
	uint8_t *buf;
	struct ultra_guest_window w;
};

static void win_init(struct win *x, uint64_t gpa, uint64_t size)
{
	x->buf = malloc(size + 2 * GUARD);
	ck_assert_ptr_nonnull(x->buf);
	memset(x->buf, FILL, size + 2 * GUARD);
	x->w.base = x->buf + GUARD;
	x->w.gpa = gpa;
	x->w.size = size;
}

static bool all_fill(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

static void win_check_guards(struct win *x)
{
	ck_assert_msg(all_fill(x->buf, GUARD), "written below the window");
	ck_assert_msg(all_fill(x->w.base + x->w.size, GUARD), "written above the window");
}

static void win_fini(struct win *x)
{
	win_check_guards(x);
	free(x->buf);
}

static uint8_t *at(struct win *x, uint64_t gpa)
{
	return x->w.base + (gpa - x->w.gpa);
}

static uint32_t rd32(struct win *x, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, at(x, gpa), 4);
	return v;
}

static uint64_t rd64(struct win *x, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, at(x, gpa), 8);
	return v;
}

/* The good image, as both classes: memory, entry state, information. */
static void check_good(bool is64)
{
	static struct img m;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	struct win x;
	uint32_t mbi, i;
	int ret;

	img_build(&m, is64, 0xc0100000u, MIB);
	win_init(&x, 0, 4 * MIB);
	ret = ultra_boot_multiboot(&x.w, m.b, m.len, "console=ttyS0 hello", &en, &e);
	ck_assert_msg(ret == 0, "refused: %s", e.msg);
	ck_assert_uint_eq(en.mode, UV_ENTRY_FLAT32);
	ck_assert_uint_eq(en.eip, MIB + 0x10);	/* virtual entry translated */
	ck_assert_uint_eq(en.eax, UV_MULTIBOOT_BOOT_MAGIC);
	ck_assert_uint_eq(en.ebx, MIB + 0x1000);	/* page after the segment */
	ck_assert_uint_eq(en.esi, 0);
	ck_assert_uint_eq(en.low, MIB);
	for (i = 0; i < CODE_LEN; i++)
		ck_assert_uint_eq(*at(&x, MIB + i), i + 1);
	for (i = CODE_LEN; i < 0x1000; i++)
		ck_assert_uint_eq(*at(&x, MIB + i), 0);	/* bss */
	mbi = en.ebx;
	ck_assert_uint_eq(rd32(&x, mbi), (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));
	ck_assert_uint_eq(rd32(&x, mbi + 4), 640);		/* mem_lower, KiB */
	ck_assert_uint_eq(rd32(&x, mbi + 8), 3072);	/* mem_upper: 1 MiB .. 4 MiB */
	ck_assert_str_eq((const char *)at(&x, rd32(&x, mbi + 16)), "console=ttyS0 hello");
	ck_assert_uint_eq(rd32(&x, mbi + 44), 24);		/* mmap_length: one entry */
	ck_assert_uint_eq(rd32(&x, mbi + 48), mbi + 116);	/* mmap_addr */
	ck_assert_uint_eq(rd32(&x, mbi + 116), 20);
	ck_assert_uint_eq(rd64(&x, mbi + 120), 0);
	ck_assert_uint_eq(rd64(&x, mbi + 128), 4 * MIB);
	ck_assert_uint_eq(rd32(&x, mbi + 136), 1);
	ck_assert_str_eq((const char *)at(&x, rd32(&x, mbi + 64)), "ultravisor");
	/* nothing else was touched: outside [low, high) the window is as it was */
	ck_assert(all_fill(x.w.base, en.low));
	ck_assert(all_fill(at(&x, MIB + 0x1000), mbi - (MIB + 0x1000)));
	ck_assert(all_fill(at(&x, en.high), x.w.size - en.high));
	win_fini(&x);
}

START_TEST(test_good_elf32)
{
	check_good(false);
}
END_TEST

START_TEST(test_good_elf64)
{
	check_good(true);
}
END_TEST

START_TEST(test_no_cmdline)
{
	static struct img m;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	struct win x;

	img_build(&m, false, MIB, MIB);
	win_init(&x, 0, 2 * MIB);
	ck_assert_int_eq(ultra_boot_multiboot(&x.w, m.b, m.len, NULL, &en, &e), 0);
	ck_assert_uint_eq(rd32(&x, en.ebx) & (1u << 2), 0);
	ck_assert_uint_eq(rd32(&x, en.ebx + 16), 0);
	win_fini(&x);
}
END_TEST

/* A window that does not start at guest-physical 0. */
START_TEST(test_window_offset)
{
	static struct img m;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	struct win x;

	img_build(&m, false, MIB, MIB);
	win_init(&x, MIB, MIB);
	ck_assert_int_eq(ultra_boot_multiboot(&x.w, m.b, m.len, "a", &en, &e), 0);
	ck_assert_uint_eq(*at(&x, MIB), 1);
	ck_assert_uint_eq(rd32(&x, en.ebx + 4), 0);	/* no memory at 0: mem_lower 0 */
	ck_assert_uint_eq(rd32(&x, en.ebx + 8), 1024);	/* 1 MiB .. 2 MiB */
	ck_assert_uint_eq(rd64(&x, en.ebx + 120), MIB);
	win_fini(&x);
	/* below the window */
	img_build(&m, false, 0x80000, 0x80000);
	win_init(&x, MIB, MIB);
	ck_assert_int_eq(ultra_boot_multiboot(&x.w, m.b, m.len, NULL, &en, &e), -EFAULT);
	win_fini(&x);
}
END_TEST

/* One refusal: errno, the old loader's words, and no byte outside the window. */
static void refused(struct img *m, uint64_t win_size, const char *cmdline, int err,
		    const char *words)
{
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	struct win x;
	int ret;

	win_init(&x, 0, win_size);
	ret = ultra_boot_multiboot(&x.w, m->b, m->len, cmdline, &en, &e);
	ck_assert_msg(ret == -err, "expected -%d, got %d (%s)", err, ret, e.msg);
	ck_assert_int_eq(e.err, err);
	ck_assert_msg(!strncmp(e.msg, words, strlen(words)), "message '%s'", e.msg);
	win_fini(&x);
}

#define NOEXEC	"not a Multiboot v1 ELF image (or a malformed one)"
#define NOTSUP	"the image asks for what the monitor does not offer"
#define FAULT	"a segment or the boot information lies outside the partition's memory"

START_TEST(test_refusals)
{
	static struct img m;
	char *long_line;
	int c;

	for (c = 0; c < 2; c++) {
		bool is64 = c == 1;

		img_build(&m, is64, MIB, MIB);
		m.len = 40;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* shorter than a header */

		img_build(&m, is64, MIB, MIB);
		m.b[1] = 'X';
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* no ELF magic */

		img_build(&m, is64, MIB, MIB);
		m.b[EI_DATA] = ELFDATA2MSB;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[EI_CLASS] = 7;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[offsetof(Elf32_Ehdr, e_type)] = ET_DYN;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[offsetof(Elf32_Ehdr, e_machine)] = is64 ? EM_386 : EM_X86_64;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_phentsize) : offsetof(Elf32_Ehdr, e_phentsize)]++;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_phnum) : offsetof(Elf32_Ehdr, e_phnum)] = 0;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_phnum) : offsetof(Elf32_Ehdr, e_phnum)] = 65;
		m.len = IMG_MAX;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* too many headers */

		img_build(&m, is64, MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_phnum) : offsetof(Elf32_Ehdr, e_phnum)] = 40;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* headers past the end */

		img_build(&m, is64, MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_phoff) : offsetof(Elf32_Ehdr, e_phoff)] = 0xff;
		m.b[(is64 ? offsetof(Elf64_Ehdr, e_phoff) : offsetof(Elf32_Ehdr, e_phoff)) + 1] = 0xff;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* phoff past the end */

		img_build(&m, is64, MIB, MIB);
		memset(m.b + MB_OFF, 0, 12);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* no Multiboot header */

		img_build(&m, is64, MIB, MIB);
		m.b[MB_OFF + 8]++;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* bad checksum */

		img_build(&m, is64, MIB, MIB);
		set_mb_flags(&m, 0x3 | (1u << 2));
		refused(&m, 4 * MIB, NULL, EOPNOTSUPP, NOTSUP);	/* video mode */

		img_build(&m, is64, MIB, MIB);
		set_mb_flags(&m, 0x3 | (1u << 16));
		refused(&m, 4 * MIB, NULL, EOPNOTSUPP, NOTSUP);	/* a.out kludge */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "filesz", 0x2000);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* filesz > memsz */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "offset", m.len - 1);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* file bytes past the end */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "offset", UINT32_MAX);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "paddr", 0xfffff800u);	/* memsz crosses 4 GiB */
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "paddr", 8 * MIB);
		refused(&m, 4 * MIB, NULL, EFAULT, FAULT);	/* outside the window */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "paddr", 4 * MIB - 0x800);
		refused(&m, 4 * MIB, NULL, EFAULT, FAULT);	/* straddles its end */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "paddr", 4 * MIB - 0x1000);
		refused(&m, 4 * MIB, NULL, EFAULT, FAULT);	/* no room for the information */

		img_build(&m, is64, MIB, MIB);
		ph_set(&m, 0, "type", PT_NOTE);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* nothing to load */

		img_build(&m, is64, 2 * MIB, MIB);
		m.b[is64 ? offsetof(Elf64_Ehdr, e_entry) : offsetof(Elf32_Ehdr, e_entry)] = 0;
		m.b[(is64 ? offsetof(Elf64_Ehdr, e_entry) : offsetof(Elf32_Ehdr, e_entry)) + 2] = 0x50;
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);	/* entry in no segment */
	}
	if (sizeof(size_t) == 8) {	/* paddr at or above 4 GiB: only ELF64 can say it */
		img_build(&m, true, MIB, MIB);
		ph_set(&m, 0, "paddr", 1ull << 32);
		refused(&m, 4 * MIB, NULL, ENOEXEC, NOEXEC);
	}
	long_line = malloc(ULTRA_BOOT_CMDLINE_MAX + 2);
	ck_assert_ptr_nonnull(long_line);
	memset(long_line, 'x', ULTRA_BOOT_CMDLINE_MAX + 1);
	long_line[ULTRA_BOOT_CMDLINE_MAX + 1] = 0;
	img_build(&m, false, MIB, MIB);
	refused(&m, 4 * MIB, long_line, E2BIG, "command line too long");
	free(long_line);
}
END_TEST

START_TEST(test_longest_cmdline)
{
	static struct img m;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	char line[ULTRA_BOOT_CMDLINE_MAX + 1];
	struct win x;

	memset(line, 'y', ULTRA_BOOT_CMDLINE_MAX);
	line[ULTRA_BOOT_CMDLINE_MAX] = 0;
	img_build(&m, false, MIB, MIB);
	win_init(&x, 0, 2 * MIB);
	ck_assert_int_eq(ultra_boot_multiboot(&x.w, m.b, m.len, line, &en, &e), 0);
	ck_assert_uint_eq(strlen((const char *)at(&x, rd32(&x, en.ebx + 16))),
			  ULTRA_BOOT_CMDLINE_MAX);
	win_fini(&x);
}
END_TEST

/* Bad arguments from the caller (not the image) */
START_TEST(test_bad_window)
{
	static struct img m;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	struct ultra_guest_window w = { NULL, 0, MIB };

	img_build(&m, false, MIB, MIB);
	ck_assert_int_eq(ultra_boot_multiboot(&w, m.b, m.len, NULL, &en, &e), -EINVAL);
	ck_assert_int_eq(ultra_boot_multiboot(NULL, m.b, m.len, NULL, &en, &e), -EINVAL);
	w.base = m.b;
	w.gpa = UINT64_MAX - 10;
	ck_assert_int_eq(ultra_boot_multiboot(&w, m.b, m.len, NULL, &en, &e), -EINVAL);
	w.gpa = 0;
	ck_assert_int_eq(ultra_boot_multiboot(&w, NULL, 100, NULL, &en, &e), -ENOEXEC);
}
END_TEST

START_TEST(test_config_layout)
{
	ck_assert_uint_eq(sizeof(struct uv_boot_config), UV_BOOT_CONFIG_SIZE);
	ck_assert_uint_le(UV_BOOT_CONFIG_SIZE, UV_CHANNEL_CONFIG_SIZE);
	ck_assert_uint_eq(offsetof(struct uv_boot_config, image_bytes), 0x08);
	ck_assert_uint_eq(offsetof(struct uv_boot_config, load_low), 0x10);
	ck_assert_uint_eq(offsetof(struct uv_boot_config, entry_mode), 0x20);
	ck_assert_uint_eq(offsetof(struct uv_boot_config, entry_esi), 0x30);
	ck_assert_uint_eq(sizeof(struct uv_part_entry), UV_PART_ENTRY_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_part_entry, message), 32);
	ck_assert_uint_eq(UV_IOC_PART_ENTRY & 0xff, 0x0e);
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot_multiboot");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_good_elf32);
	tcase_add_test(tc, test_good_elf64);
	tcase_add_test(tc, test_no_cmdline);
	tcase_add_test(tc, test_window_offset);
	tcase_add_test(tc, test_longest_cmdline);
	suite_add_tcase(s, tc);
	tc = tcase_create("refuse");
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_bad_window);
	tcase_add_test(tc, test_config_layout);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
