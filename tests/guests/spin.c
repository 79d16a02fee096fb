// SPDX-License-Identifier: GPL-2.0
/*
 * spin: interrupts off, an endless loop, no exits of its own. Only the
 * monitor (host interrupts, the pause/stop kick) can take the CPU back.
 * It counts in memory so a test could see it make progress.
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

volatile uint32_t spin_count;

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	puts("spin: spinning with interrupts off\n");
	__asm__ volatile("cli");
	for (;;)
		spin_count++;
}
