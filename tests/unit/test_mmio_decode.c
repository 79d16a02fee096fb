// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the I/O APIC emulation's instruction decoder
 * (kmod/monitor/mmio_decode.h): the 32-bit register/memory MOVs it takes,
 * with their lengths and registers, and every other form refused with a
 * reason. The first two are the bytes the Debian 6.1 kernel's
 * io_apic_read()/io_apic_write() execute (seen in the linux-console run).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/mmio_decode.h"

struct good {
	const char *what;
	unsigned char b[UV_MMIO_INSN_MAX];
	unsigned int n;		/* bytes fetched */
	bool write;
	unsigned int reg, len;
};

static const struct good goods[] = {
	{ "writel: mov %esi,(%rax)", { 0x89, 0x30, 0x8b, 0x40, 0x10 }, 15, true, 6, 2 },
	{ "readl: mov 0x10(%rax),%eax", { 0x8b, 0x40, 0x10, 0xe9 }, 15, false, 0, 3 },
	{ "mov %r8d,0x10(%rdi)", { 0x44, 0x89, 0x47, 0x10 }, 4, true, 8, 4 },
	{ "mov 0x10(%r12),%r15d (SIB)", { 0x45, 0x8b, 0x7c, 0x24, 0x10 }, 5, false, 15, 5 },
	{ "mov (%rax,%rcx,4),%edx", { 0x8b, 0x14, 0x88 }, 3, false, 2, 3 },
	{ "mov %ebx,0x12345678 (SIB, no base)", { 0x89, 0x1c, 0x25, 0x78, 0x56, 0x34, 0x12 },
	  7, true, 3, 7 },
	{ "mov 0x100(%rip),%ecx", { 0x8b, 0x0d, 0x00, 0x01, 0x00, 0x00 }, 6, false, 1, 6 },
	{ "mov %edi,0x1000(%rbx) (disp32)", { 0x89, 0xbb, 0x00, 0x10, 0x00, 0x00 }, 6, true, 7, 6 },
	{ "mov %esp,0x10(%rbp,%rsi,8) (SIB disp8)", { 0x89, 0x64, 0xf5, 0x10 }, 4, true, 4, 4 },
};

START_TEST(test_accepted)
{
	const struct good *g = &goods[_i];
	struct uv_mmio m = { 0 };
	const char *why = uv_mmio_decode(g->b, g->n, &m);

	ck_assert_msg(!why, "%s: refused: %s", g->what, why);
	ck_assert_msg(m.write == g->write, "%s: direction", g->what);
	ck_assert_msg(m.reg == g->reg, "%s: reg %u, want %u", g->what, m.reg, g->reg);
	ck_assert_msg(m.len == g->len, "%s: len %u, want %u", g->what, m.len, g->len);
}
END_TEST

struct bad {
	const char *what;
	unsigned char b[UV_MMIO_INSN_MAX];
	unsigned int n;
	const char *why;	/* a word of the reason */
};

static const struct bad bads[] = {
	{ "mov %rax,(%rdi) (REX.W)", { 0x48, 0x89, 0x07 }, 3, "REX.W" },
	{ "mov %eax,%eax (register)", { 0x89, 0xc0 }, 2, "register operand" },
	{ "movw %ax,(%rdi) (0x66)", { 0x66, 0x89, 0x07 }, 3, "not a 32-bit MOV" },
	{ "movl $1,(%rdi) (immediate)", { 0xc7, 0x07, 1, 0, 0, 0 }, 6, "not a 32-bit MOV" },
	{ "movb %al,(%rdi)", { 0x88, 0x07 }, 2, "not a 32-bit MOV" },
	{ "nothing fetched", { 0 }, 0, "truncated" },
	{ "REX alone", { 0x41 }, 1, "truncated" },
	{ "no ModRM", { 0x8b }, 1, "truncated" },
	{ "no SIB", { 0x8b, 0x04 }, 2, "truncated" },
	{ "short disp8", { 0x8b, 0x40 }, 2, "truncated" },
	{ "short disp32", { 0x8b, 0x80, 0, 0, 0 }, 5, "truncated" },
	{ "short RIP disp32", { 0x8b, 0x05, 0, 0 }, 4, "truncated" },
	{ "short SIB disp32", { 0x8b, 0x04, 0x25, 0, 0, 0 }, 6, "truncated" },
};

START_TEST(test_refused)
{
	const struct bad *b = &bads[_i];
	struct uv_mmio m = { 0 };
	const char *why = uv_mmio_decode(b->b, b->n, &m);

	ck_assert_msg(why, "%s: accepted", b->what);
	ck_assert_msg(strstr(why, b->why), "%s: reason '%s', want '%s'", b->what, why, b->why);
}
END_TEST

/* Every byte string: a verdict, and an accepted length within what was fetched. */
START_TEST(test_random)
{
	unsigned char b[UV_MMIO_INSN_MAX];
	unsigned int i, k;

	srand(1);
	for (i = 0; i < 200000; i++) {
		struct uv_mmio m = { 0 };
		unsigned int n = (unsigned int)rand() % (UV_MMIO_INSN_MAX + 1);

		for (k = 0; k < sizeof(b); k++)
			b[k] = (unsigned char)rand();
		if (i & 1)
			b[0] = (i & 2) ? 0x8b : 0x89;
		if (!uv_mmio_decode(b, n, &m)) {
			ck_assert_uint_le(m.len, n);
			ck_assert_uint_ge(m.len, 2);
			ck_assert_uint_lt(m.reg, 16);
		}
	}
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("mmio_decode");
	TCase *tc = tcase_create("decode");

	tcase_add_loop_test(tc, test_accepted, 0, sizeof(goods) / sizeof(goods[0]));
	tcase_add_loop_test(tc, test_refused, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
