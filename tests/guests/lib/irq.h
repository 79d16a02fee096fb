/* SPDX-License-Identifier: GPL-2.0 */
/*
 * External interrupts in the test guests (32-bit protected mode): an IDT whose
 * vectors 32..255 count their deliveries (irq_count) and call an optional
 * handler; exceptions have no gate (a guest that takes one triple-faults,
 * which the monitor reports). docs/monitor.md, "Interrupts".
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdint.h>

extern volatile uint32_t irq_count[256];
extern volatile uint32_t irq_total;

/* Load the IDT; interrupts stay off (IF = 0) until irq_enable(). */
void irq_setup(void (*handler)(uint32_t vector));

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/*
 * Sleep until an interrupt unless *@word already differs from @seen. The check
 * runs with IF = 0 and STI's shadow covers the HLT, so an interrupt that comes
 * after the check still ends the HLT. Returns with IF = 1.
 */
static inline void irq_wait_change(volatile uint16_t *word, uint16_t seen)
{
	irq_disable();
	if (*word == seen)
		__asm__ volatile("sti; hlt" ::: "memory");
	else
		irq_enable();
}

#endif
