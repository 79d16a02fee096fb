// SPDX-License-Identifier: GPL-2.0
/*
 * tfault: a triple fault. With an empty IDT, UD2 raises #UD, whose delivery
 * fails (#GP), whose delivery fails (#DF), whose delivery fails: shutdown.
 * The monitor must end the partition "faulted" (triple-fault).
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	puts("tfault: loading an empty IDT and raising #UD\n");
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty_idt));
	puts("tfault: still running\n");
	guest_exit(1);
}
