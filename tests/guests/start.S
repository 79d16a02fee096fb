/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of every test guest: Multiboot v1 header, then 32-bit protected
 * mode as the loader leaves it (EAX = magic, EBX = boot information). Sets a
 * stack and a GDT of its own, calls gmain(magic, info), and halts if it
 * returns.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* wants the memory map */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	mov	$stack_top, %esp
	lgdt	gdt_desc
	ljmp	$0x08, $1f
1:	mov	$0x10, %ecx
	mov	%ecx, %ds
	mov	%ecx, %es
	mov	%ecx, %ss
	mov	%ecx, %fs
	mov	%ecx, %gs
	push	%ebx
	push	%eax
	call	gmain
2:	cli
	hlt
	jmp	2b

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, 4 GiB flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, 4 GiB flat */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.bss
	.balign 16
	.space 16384
stack_top:
