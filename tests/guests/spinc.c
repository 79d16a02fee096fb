// SPDX-License-Identifier: GPL-2.0
/*
 * spinc: like spin (interrupts off, no exits of its own while it works), but
 * it reports its progress: after every UNIT increments of its counter it
 * writes one byte to port 0x80, which the monitor counts as an I/O exit. So
 * the growth of the partition's "io" exit counter is the guest's own measure
 * of the CPU time it got (the schedule tests compare it between partitions).
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

#define UNIT	20000u

volatile uint32_t spin_count;

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint32_t i;

	puts("spinc: counting with interrupts off\n");
	__asm__ volatile("cli");
	for (;;) {
		for (i = 0; i < UNIT; i++)
			spin_count++;
		outb(0x80, 1);
	}
}
