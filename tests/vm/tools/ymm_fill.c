// SPDX-License-Identifier: GPL-2.0
/*
 * ymm_fill CPU SECONDS: pinned to CPU, for SECONDS fill the upper halves of
 * YMM0-7 with 0x5a5ac0de and yield, so the registers hold that pattern
 * whenever another thread (a vCPU) gets the CPU; prints "ymm_fill: N rounds".
 * Without AVX it prints "ymm_fill: no AVX" and exits 0.
 */
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const unsigned int bits = 0x5a5ac0de;

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;
	unsigned long rounds = 0;
	cpu_set_t set;
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: ymm_fill CPU SECONDS\n");
		return 2;
	}
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) || !(c & bit_OSXSAVE)) {
		printf("ymm_fill: no AVX\n");
		return 0;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[1]), &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 1;
	}
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		__asm__ volatile("vbroadcastss %0, %%ymm0\n\t"
				 "vmovaps %%ymm0, %%ymm1\n\t"
				 "vmovaps %%ymm0, %%ymm2\n\t"
				 "vmovaps %%ymm0, %%ymm3\n\t"
				 "vmovaps %%ymm0, %%ymm4\n\t"
				 "vmovaps %%ymm0, %%ymm5\n\t"
				 "vmovaps %%ymm0, %%ymm6\n\t"
				 "vmovaps %%ymm0, %%ymm7"
				 : : "m" (bits) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
				   "xmm6", "xmm7");
		sched_yield();
		rounds++;
	}
	printf("ymm_fill: %lu rounds\n", rounds);
	return 0;
}
