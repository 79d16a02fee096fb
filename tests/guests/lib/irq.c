// SPDX-License-Identifier: GPL-2.0
/* External interrupts for the test guests: see irq.h. */
#include "../guest.h"
#include "irq.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;		/* 0x8e: present, DPL 0, 32-bit interrupt gate (IF cleared) */
	uint16_t off_hi;
} __attribute__((packed));

struct idt_desc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern char irq_stubs[];
void irq_dispatch(uint32_t vector);

volatile uint32_t irq_count[256];
volatile uint32_t irq_total;
static struct idt_gate idt[256] __attribute__((aligned(8)));
static void (*irq_handler)(uint32_t vector);

void irq_dispatch(uint32_t vector)
{
	irq_count[vector & 255]++;
	irq_total++;
	if (irq_handler)
		irq_handler(vector);
}

void irq_setup(void (*handler)(uint32_t vector))
{
	struct idt_desc d = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	uint32_t v;

	irq_handler = handler;
	memset(idt, 0, sizeof(idt));
	for (v = 32; v < 256; v++) {
		uint32_t a = (uint32_t)(uintptr_t)irq_stubs + 16 * (v - 32);

		idt[v].off_lo = (uint16_t)a;
		idt[v].sel = 0x08;
		idt[v].type = 0x8e;
		idt[v].off_hi = (uint16_t)(a >> 16);
	}
	__asm__ volatile("lidt %0" : : "m"(d));
}
