/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the hypercall ABI between a partition and its monitor
 * (docs/hypercalls.md), and the guest platform constants a partition can rely
 * on. Used by guests (freestanding, any mode) and by the module, so this file
 * only defines numbers: no types, no includes.
 *
 * Calling convention: VMMCALL (0f 01 d9) at CPL 0 with the function number in
 * RAX and the arguments in RBX, RCX, RDX, RSI; the result comes back in RAX
 * (other registers are preserved). A negative result is an error: -UV_HC_E*.
 * Callers in 32-bit mode use the low halves (EAX, EBX, ...); a 64-bit result
 * (UV_HC_TIME_NS) then comes back in EDX:EAX. Pointer arguments are guest
 * physical addresses; the monitor validates each against the partition's
 * memory.
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_HYPERCALL_H
#define _UAPI_LINUX_ULTRAVISOR_HYPERCALL_H

/* ABI version, as returned by UV_HC_ABI_VERSION and CPUID 0x40000001 EAX. */
#define UV_HC_ABI_MAJOR		1
#define UV_HC_ABI_MINOR		0
#define UV_HC_ABI_VERSION_NR	((UV_HC_ABI_MAJOR << 16) | UV_HC_ABI_MINOR)

/*
 * CPUID: leaf 1 ECX bit 31 (hypervisor present) is set, and leaf 0x40000000
 * returns the highest hypervisor leaf in EAX and "UltravisorUV" in EBX, ECX,
 * EDX. Leaf 0x40000001 returns UV_HC_ABI_VERSION_NR in EAX.
 */
#define UV_CPUID_SIGNATURE	0x40000000
#define UV_CPUID_ABI		0x40000001
#define UV_CPUID_MAX_LEAF	UV_CPUID_ABI
#define UV_CPUID_SIG_EBX	0x72746c55	/* "Ultr" */
#define UV_CPUID_SIG_ECX	0x73697661	/* "avis" */
#define UV_CPUID_SIG_EDX	0x5655726f	/* "orUV" */

/* Function numbers (RAX). 0 is never a function: it catches an unset RAX. */
#define UV_HC_ABI_VERSION	1	/* -> UV_HC_ABI_VERSION_NR */
#define UV_HC_CONSOLE_WRITE	2	/* RBX = gpa, RCX = length -> bytes written */
#define UV_HC_YIELD		3	/* give the CPU to the host scheduler -> 0 */
#define UV_HC_STOP		4	/* RBX = exit code: the partition stops, no return */
#define UV_HC_TIME_NS		5	/* -> host monotonic clock, nanoseconds */

/*
 * Memory channels (docs/channels.md), numbers 16-31.
 *
 * UV_HC_CHANNEL_LIST: RBX = gpa of a buffer, RCX = entries it holds -> the number of
 * channels the partition is the client of (which may be more than RCX); the first
 * min(RCX, that) are written as struct uv_channel_entry (48 bytes each,
 * <linux/ultravisor_channel.h>). RCX may be 0 to ask for the count.
 *
 * UV_HC_CHANNEL_NOTIFY: RBX = gpa of the channel's header page, RCX = the queue's
 * notify_data -> 0 (an available-buffer notification: the server's eventfd is
 * signalled); -UV_HC_EINVAL if no channel of the caller is at RBX or the queue is
 * out of range. Call it only when the event index asks for it.
 */
#define UV_HC_CHANNEL_LIST	16
#define UV_HC_CHANNEL_NOTIFY	17
#define UV_HC_CHANNEL_ENTRY_SIZE	48
#define UV_HC_CHANNEL_LIST_MAX		256	/* most entries written per call */

/* Largest UV_HC_CONSOLE_WRITE length; longer writes fail with -UV_HC_E2BIG. */
#define UV_HC_CONSOLE_MAX	4096

/* Error numbers: a failing call returns the negated value in RAX. */
#define UV_HC_EPERM		1	/* called from CPL > 0 */
#define UV_HC_E2BIG		7	/* a length is above its limit */
#define UV_HC_EFAULT		14	/* a buffer is not inside the partition's memory */
#define UV_HC_EINVAL		22	/* an argument is out of range */
#define UV_HC_ENOSYS		38	/* unknown function number */

/* Emulated ports */
#define UV_PORT_SERIAL		0x3f8	/* 16550 UART, 8 ports: output to the console */
#define UV_PORT_EXIT		0xf4	/* write V: the partition stops with exit code V */

/*
 * ACPI power management (hardware-reduced ACPI, the FADT names these ports):
 * SLP_EN | SLP_TYP = UV_ACPI_SLP_TYP_S5 written to the sleep control register
 * powers the partition off (exit code 0); UV_ACPI_RESET_VALUE written to the
 * reset register, 0xfe to the keyboard controller's command port, or a value
 * with RST_CPU to 0xcf9 resets it (exit code UV_EXIT_CODE_RESET).
 */
#define UV_PORT_ACPI_SLEEP_CTL	0x600	/* 8 bits: SLP_EN (bit 5) | SLP_TYP (bits 4:2) */
#define UV_PORT_ACPI_SLEEP_STS	0x601	/* 8 bits: WAK_STS (bit 7), write 1 to clear */
#define UV_PORT_ACPI_RESET	0x602	/* 8 bits: the FADT's RESET_REG */
#define UV_PORT_KBC_CMD		0x64	/* i8042 command: 0xfe pulses the reset line */
#define UV_PORT_RESET_CTL	0xcf9	/* PCH reset control: bit 2 (RST_CPU) resets */
#define UV_ACPI_SLP_TYP_S5	5	/* the DSDT's \_S5 package: SLP_TYPa = SLP_TYPb = 5 */
#define UV_ACPI_RESET_VALUE	0x06	/* the FADT's RESET_VALUE */

/*
 * The I/O APIC (docs/guest-platform.md, section 12): one per partition, its
 * register page at UV_IOAPIC_GPA (the MADT's entry), UV_IOAPIC_PINS pins from
 * GSI 0. A channel queue's vector 0..UV_IOAPIC_PINS - 1 names one of them.
 */
#define UV_IOAPIC_GPA		0xfec00000
#define UV_IOAPIC_PINS		24
#define UV_EXIT_CODE_RESET	0x100	/* a reset's exit code: above any exit-port byte */

/* Multiboot (v1) entry state, as the specification defines it. */
#define UV_MULTIBOOT_HEADER_MAGIC	0x1badb002
#define UV_MULTIBOOT_BOOT_MAGIC		0x2badb002

#endif /* _UAPI_LINUX_ULTRAVISOR_HYPERCALL_H */
