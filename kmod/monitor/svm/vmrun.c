// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM world switch (AMD APM vol. 2, 15.5 "VMRUN Instruction" and 15.5.2
 * "VMSAVE and VMLOAD Instructions").
 *
 * VMRUN saves and restores the host's RIP, RSP, RAX, RFLAGS, CR0/3/4, EFER,
 * GDTR, IDTR and the CS/SS/DS/ES selectors through the host save area
 * (VM_HSAVE_PA), but not FS/GS (with their bases, including the per-CPU
 * base in GS), TR, LDTR, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK and the
 * SYSENTER MSRs, nor any general-purpose register but RAX and RSP. So:
 *
 *   VMSAVE  host extra state  -> this CPU's host save page
 *   load the guest's GPRs (all but RAX and RSP, which are in the VMCB)
 *   VMLOAD  guest extra state <- VMCB
 *   STI; VMRUN; CLI          (GIF is 0: STI only makes VMRUN save IF=1, so
 *                             that host interrupts, masked by the host's IF
 *                             under V_INTR_MASKING, force #VMEXIT)
 *   VMSAVE  guest extra state -> VMCB
 *   store the guest's GPRs
 *   VMLOAD  host extra state  <- this CPU's host save page
 *
 * Nothing between the two VMLOADs may touch per-CPU data (GS holds the
 * guest's base there); the caller runs this with GIF = 0 (CLGI), so neither
 * interrupts nor NMIs can come in. It is one inline assembly block inside a
 * C function, so the compiler generates the function's prologue, epilogue and
 * return (return thunk, IBT landing pad) for 6.1 and 6.12 alike, and objtool
 * follows the stack through the balanced pushes and pops.
 */
#include <linux/stddef.h>
#include <linux/types.h>

#include "../internal.h"
#include "svm.h"

#define UV_OFF(r)	offsetof(struct uv_regs, r)

void uv_svm_vmrun(u64 vmcb_pa, u64 host_save_pa, void *regs)
{
	unsigned long a = vmcb_pa, b = host_save_pa, c = (unsigned long)regs;

	asm volatile("push %%rbp\n\t"
		"push %%rcx\n\t"			/* regs */
		"push %%rax\n\t"			/* VMCB */
		"mov %%rbx, %%rax\n\t"
		"vmsave %%rax\n\t"			/* host extra state */
		"push %%rax\n\t"			/* host save page */
		"mov 8(%%rsp), %%rax\n\t"
		"mov %c[rbx](%%rcx), %%rbx\n\t"
		"mov %c[rdx](%%rcx), %%rdx\n\t"
		"mov %c[rsi](%%rcx), %%rsi\n\t"
		"mov %c[rdi](%%rcx), %%rdi\n\t"
		"mov %c[rbp](%%rcx), %%rbp\n\t"
		"mov %c[r8](%%rcx), %%r8\n\t"
		"mov %c[r9](%%rcx), %%r9\n\t"
		"mov %c[r10](%%rcx), %%r10\n\t"
		"mov %c[r11](%%rcx), %%r11\n\t"
		"mov %c[r12](%%rcx), %%r12\n\t"
		"mov %c[r13](%%rcx), %%r13\n\t"
		"mov %c[r14](%%rcx), %%r14\n\t"
		"mov %c[r15](%%rcx), %%r15\n\t"
		"mov %c[rcx](%%rcx), %%rcx\n\t"
		"vmload %%rax\n\t"			/* guest extra state */
		"sti\n\t"
		"vmrun %%rax\n\t"
		"cli\n\t"
		"vmsave %%rax\n\t"			/* RAX is the VMCB again */
		"push %%rcx\n\t"			/* guest RCX */
		"mov 24(%%rsp), %%rcx\n\t"		/* regs */
		"mov %%rbx, %c[rbx](%%rcx)\n\t"
		"mov %%rdx, %c[rdx](%%rcx)\n\t"
		"mov %%rsi, %c[rsi](%%rcx)\n\t"
		"mov %%rdi, %c[rdi](%%rcx)\n\t"
		"mov %%rbp, %c[rbp](%%rcx)\n\t"
		"mov %%r8, %c[r8](%%rcx)\n\t"
		"mov %%r9, %c[r9](%%rcx)\n\t"
		"mov %%r10, %c[r10](%%rcx)\n\t"
		"mov %%r11, %c[r11](%%rcx)\n\t"
		"mov %%r12, %c[r12](%%rcx)\n\t"
		"mov %%r13, %c[r13](%%rcx)\n\t"
		"mov %%r14, %c[r14](%%rcx)\n\t"
		"mov %%r15, %c[r15](%%rcx)\n\t"
		"pop %%rax\n\t"
		"mov %%rax, %c[rcx](%%rcx)\n\t"
		"pop %%rax\n\t"				/* host save page */
		"vmload %%rax\n\t"			/* host extra state */
		"add $8, %%rsp\n\t"			/* VMCB */
		"pop %%rcx\n\t"
		"pop %%rbp\n\t"
		: "+a" (a), "+b" (b), "+c" (c)
		: [rbx] "i" (UV_OFF(rbx)), [rcx] "i" (UV_OFF(rcx)), [rdx] "i" (UV_OFF(rdx)),
		  [rsi] "i" (UV_OFF(rsi)), [rdi] "i" (UV_OFF(rdi)), [rbp] "i" (UV_OFF(rbp)),
		  [r8] "i" (UV_OFF(r8)), [r9] "i" (UV_OFF(r9)), [r10] "i" (UV_OFF(r10)),
		  [r11] "i" (UV_OFF(r11)), [r12] "i" (UV_OFF(r12)), [r13] "i" (UV_OFF(r13)),
		  [r14] "i" (UV_OFF(r14)), [r15] "i" (UV_OFF(r15))
		: "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
		  "r15", "cc", "memory");
}
