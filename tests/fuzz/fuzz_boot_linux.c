// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the Linux loader (userspace/lib/boot_linux.c): fuzz
 * bytes are the bzImage. Any image may be refused, but with an errno and a
 * message; the loader never writes outside its window (guard pages around
 * it, checked after every run, besides ASan); an accepted image enters
 * inside the window with boot_params there too. An input whose first byte is
 * odd is taken as patches (offset, byte) to a valid small bzImage built here,
 * so the fuzzer reaches the placement code without a binary seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_linux.h"

#define WIN	(8u << 20)	/* 8 MiB of guest memory at gpa 0 */
#define GUARD	4096
#define FILL	0x5a
#define TPL_LEN	(5 * 512 + 2048)

static void must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_boot_linux: %s\n", what);
		abort();
	}
}

static void p32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* A bzImage that fits: 4 setup sectors, kernel at 2 MiB needing 4 MiB. */
static void template(uint8_t *t)
{
	memset(t, 0x90, TPL_LEN);
	t[0x1f1] = 4;
	t[0x1fe] = 0x55;
	t[0x1ff] = 0xaa;
	t[0x201] = 0x6a;
	p32(t + 0x202, 0x53726448);
	t[0x206] = 0x0f;
	t[0x207] = 0x02;
	t[0x211] = 0x01;
	p32(t + 0x22c, 0x7fffffff);
	t[0x236] = 0x01;
	p32(t + 0x238, 255);
	p32(t + 0x258, 2u << 20);
	p32(t + 0x25c, 0);
	p32(t + 0x260, 4u << 20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	static uint8_t tpl[TPL_LEN];
	static const uint8_t initrd[3000] = { 1 };
	struct ultra_guest_window w;
	struct ultra_linux_boot b = { 0 };
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	const uint8_t *img = data;
	size_t len = size, i;
	int ret;

	if (!mem)
		mem = malloc(WIN + 2 * GUARD);
	must(mem != NULL, "no memory");
	memset(mem, FILL, GUARD);
	memset(mem + GUARD + WIN, FILL, GUARD);
	if (size && (data[0] & 1)) {
		template(tpl);
		for (i = 1; i + 2 < size; i += 3)
			tpl[(data[i] | data[i + 1] << 8) % TPL_LEN] = data[i + 2];
		img = tpl;
		len = TPL_LEN;
	}
	w = (struct ultra_guest_window){ .base = mem + GUARD, .gpa = 0, .size = WIN };
	b.kernel = img;
	b.kernel_len = len;
	b.initrd = initrd;
	b.initrd_len = sizeof(initrd);
	b.cmdline = "console=ttyS0";
	b.nr_cpus = 1 + (size % 4);
	ret = ultra_boot_linux(&w, &b, &en, NULL, &e);
	if (ret) {
		must(ret < 0 && e.err == -ret && e.msg[0], "refusal without errno and message");
	} else {
		must(en.eip >= 1u << 20 && en.eip < WIN, "entry outside the window");
		must(en.esi + 4096 <= WIN, "boot_params outside the window");
		must(en.high <= WIN && en.low < en.high, "written range outside the window");
	}
	for (i = 0; i < GUARD; i++)
		must(mem[i] == FILL && mem[GUARD + WIN + i] == FILL, "write outside the window");
	return 0;
}
