// SPDX-License-Identifier: GPL-2.0
/*
 * exits: n= (default 10000) each of CPUID, VMMCALL and port I/O (OUT to the
 * unused port 0x80), timed with RDTSC; prints the average TSC cycles per exit
 * of each kind ("exits: cpuid 12345 cycles") and exits 0.
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static void report(const char *what, uint64_t cycles, uint64_t n)
{
	puts("exits: ");
	puts(what);
	puts(" ");
	put_dec(udiv64(cycles, n));
	puts(" cycles\n");
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint64_t n = parse_num(cmdline_get(mbi, "n"), 10000), i, t0;
	uint32_t a, b, c, d;

	if (!n || n > 0xffffffffULL)
		n = 10000;
	puts("exits: ");
	put_dec(n);
	puts(" of each\n");
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		cpuid(0, &a, &b, &c, &d);
	report("cpuid", rdtsc() - t0, n);
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		hypercall(UV_HC_ABI_VERSION, 0, 0, 0, 0);
	report("vmmcall", rdtsc() - t0, n);
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		outb(0x80, 0);
	report("pio", rdtsc() - t0, n);
	guest_exit(0);
}
