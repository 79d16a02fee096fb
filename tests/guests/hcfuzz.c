// SPDX-License-Identifier: GPL-2.0
/*
 * hcfuzz: n= (default 1000000) hypercalls with random function numbers and
 * random arguments (seed= chooses the sequence). Never UV_HC_STOP. Checks
 * the answers the ABI defines whatever the arguments: unknown functions give
 * -ENOSYS, the ABI version is constant, time does not go backwards, console
 * writes longer than UV_HC_CONSOLE_MAX give -E2BIG and other console writes
 * give their length or -EFAULT. Exit code 0 if every answer was right.
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static uint32_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint64_t n = parse_num(cmdline_get(mbi, "n"), 1000000), i, bad = 0, last_t = 0;
	uint32_t top = mem_top(mbi);
	uint64_t counts[6] = { 0 };

	rng = parse_num(cmdline_get(mbi, "seed"), 0x2545f491) | 1;
	puts("hcfuzz: ");
	put_dec(n);
	puts(" calls\n");
	for (i = 0; i < n; i++) {
		uint32_t r = rnd(), nr, a1 = rnd(), a2 = rnd(), a3 = rnd(), a4 = rnd(), ret;

		nr = (r & 3) == 0 ? rnd() : r % 8;
		if (nr == UV_HC_STOP)
			nr = UV_HC_YIELD;
		if (nr == UV_HC_CONSOLE_WRITE && (r & 0x30) == 0) {
			a1 = rnd() % (top + top / 4);	/* often inside memory, sometimes not */
			a2 = rnd() % 48;
		}
		if (nr == UV_HC_TIME_NS) {
			uint64_t t = hypercall64(nr);

			bad += t < last_t;	/* monotonic */
			last_t = t;
			counts[3]++;
			continue;
		}
		ret = hypercall(nr, a1, a2, a3, a4);
		switch (nr) {
		case UV_HC_ABI_VERSION:
			bad += ret != UV_HC_ABI_VERSION_NR;
			counts[0]++;
			break;
		case UV_HC_CONSOLE_WRITE:
			if (a2 > UV_HC_CONSOLE_MAX)
				bad += ret != (uint32_t)-UV_HC_E2BIG;
			else if (a2 && (uint64_t)a1 + a2 <= top)
				bad += ret != a2;
			else if (a2 && a1 >= top)
				bad += ret != (uint32_t)-UV_HC_EFAULT;
			counts[1]++;
			break;
		case UV_HC_YIELD:
			bad += ret != 0;
			counts[2]++;
			break;
		default:
			bad += ret != (uint32_t)-UV_HC_ENOSYS;
			counts[4]++;
			break;
		}
	}
	puts("\nhcfuzz: done: version ");
	put_dec(counts[0]);
	puts(" console ");
	put_dec(counts[1]);
	puts(" yield ");
	put_dec(counts[2]);
	puts(" time ");
	put_dec(counts[3]);
	puts(" unknown ");
	put_dec(counts[4]);
	puts(", wrong answers ");
	put_dec(bad);
	puts("\n");
	guest_exit(bad ? 1 : 0);
}
