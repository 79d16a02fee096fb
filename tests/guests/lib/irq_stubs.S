/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry stubs for external interrupts 32..255 in the test guests (irq.c):
 * stub N is at irq_stubs + 16 * (N - 32); it pushes its vector and goes to
 * irq_common, which saves the registers, calls irq_dispatch(vector) and
 * returns with IRET. No EOI: the monitor has no local APIC (edge-like).
 */
	.text
	.balign 16
	.globl irq_stubs
irq_stubs:
	vec = 32
	.rept 224
	.balign 16
	pushl	$vec
	jmp	irq_common
	vec = vec + 1
	.endr

irq_common:
	pushal
	cld
	pushl	32(%esp)		/* the vector, above the 8 saved registers */
	call	irq_dispatch
	addl	$4, %esp
	popal
	addl	$4, %esp		/* the vector */
	iret
