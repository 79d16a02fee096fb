/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor interface: everything the monitor core needs from AMD SVM or
 * Intel VMX, in one operations table. The core (kmod/monitor/, the .c files) never
 * touches a VMCB/VMCS; a backend (kmod/monitor/svm/, later vmx/) never
 * decides policy: it decodes exits into struct uv_exit and applies what the
 * core asks for.
 */
#ifndef _UV_MONITOR_VENDOR_H
#define _UV_MONITOR_VENDOR_H

#include <linux/types.h>

struct uv_vcpu;

/* What a guest exit asks of the core (struct uv_exit.kind) */
enum uv_exit_kind {
	UV_EXIT_HOST,		/* host interrupt, NMI, ...: just run again */
	UV_EXIT_CPUID,
	UV_EXIT_MSR,
	UV_EXIT_IO,
	UV_EXIT_HLT,
	UV_EXIT_HYPERCALL,
	UV_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now (irq.c asked) */
	UV_EXIT_NPF,		/* guest-physical access outside the nested page tables */
	UV_EXIT_SHUTDOWN,	/* triple fault */
	UV_EXIT_UD,		/* an instruction the guest may not use: inject #UD */
	UV_EXIT_REFLECT,	/* intercepted exception: deliver it to the guest */
	UV_EXIT_SKIP,		/* harmless instruction to step over (INVD) */
	UV_EXIT_INVALID,	/* VMRUN/VMLAUNCH refused the guest state */
	UV_EXIT_UNSUPPORTED,	/* understood, but not emulated */
	UV_EXIT_UNKNOWN,
};

/**
 * struct uv_exit - one decoded exit
 * @kind:	enum uv_exit_kind
 * @raw:	the vendor's exit code, for logs and struct uv_fault
 * @next_rip:	RIP after the instruction when the hardware reports it (NRIPS,
 *		IOIO), else 0: the core then adds the instruction's known length
 * @cpl:	guest CPL
 * @long_mode:	the guest runs 64-bit code (EFER.LMA and CS.L)
 * @io:		UV_EXIT_IO: port, size in bytes, direction, string/rep forms
 * @msr:	UV_EXIT_MSR: write (WRMSR) or read (RDMSR)
 * @npf:	UV_EXIT_NPF: guest-physical address and UV_ACCESS_* bits
 * @exc:	UV_EXIT_REFLECT: vector and error code
 * @len:	UV_EXIT_SKIP: instruction length
 */
struct uv_exit {
	enum uv_exit_kind kind;
	u64 raw;
	u64 next_rip;
	u8 cpl;
	bool long_mode;
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			bool write;
		} msr;
		struct {
			u64 gpa;
			u32 access;
		} npf;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
		} exc;
		struct {
			u8 len;
		} skip;
	};
};

/* Guest paging state, for walking the guest's page tables (mmio.c). */
struct uv_paging {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
};

/* Boot state of a vCPU: flat 32-bit protected mode, paging off (Multiboot). */
struct uv_boot_state {
	u32 eip;
	u32 eax;
	u32 ebx;
};

/**
 * struct uv_vendor_ops - one backend
 * @name:	"svm" / "vmx"
 * @init:	module load: global state (intercept bitmaps, per-CPU areas)
 * @exit:	module unload
 * @cpu_enable:	on this CPU (preemption off): turn virtualization on, or take
 *		one more reference if it is already ours; -EBUSY if another
 *		hypervisor holds the CPU
 * @cpu_disable: drop the reference taken by @cpu_enable on this CPU
 * @vcpu_create: allocate the vendor state (VMCB) of @v; nested page table root
 *		in @v->part->npt
 * @vcpu_destroy: free it
 * @vcpu_reset:	set the architectural state for @boot
 * @vcpu_sipi:	the state a STARTUP IPI with @vector gives (INIT state, then
 *		real mode: CS selector @vector << 8, base @vector << 12, IP 0)
 * @vcpu_run:	one guest entry and exit, IRQs off on entry and on return;
 *		calls uv_irq_enter() right before and uv_irq_leave() right after
 *		the world switch;
 *		loads @v->regs and @v->rip into the guest and saves them back
 * @decode_exit: describe the last exit in @e
 * @inject_exception: deliver an exception at the next entry, combined with
 *		an event whose delivery the exit interrupted (event.h); false if
 *		the combination is a triple fault (the partition must end)
 * @get_msr:	MSRs the vendor keeps in its control block (EFER, PAT, ...):
 *		0, or -ENOENT if @msr is not one of them, -EINVAL if the value
 *		is refused (the core then injects #GP)
 * @set_msr:	same for writes
 * @irq_ready:	the guest can take an external interrupt at the next entry:
 *		RFLAGS.IF = 1, no interrupt shadow, no event being injected
 * @inject_irq:	deliver external interrupt @vector at the next entry
 * @irq_window:	@on: make the guest exit as soon as it can take an interrupt
 *		(UV_EXIT_IRQ_WINDOW); off: no such exit
 * @get_paging:	the guest's CR0, CR3, CR4 and EFER as of the last exit
 *
 * The last three are called by irq.c only, from uv_irq_enter() (IRQs off).
 */
struct uv_vendor_ops {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	int (*vcpu_create)(struct uv_vcpu *v);
	void (*vcpu_destroy)(struct uv_vcpu *v);
	void (*vcpu_reset)(struct uv_vcpu *v, const struct uv_boot_state *boot);
	void (*vcpu_sipi)(struct uv_vcpu *v, u8 vector);
	void (*vcpu_run)(struct uv_vcpu *v);
	void (*decode_exit)(struct uv_vcpu *v, struct uv_exit *e);
	bool (*inject_exception)(struct uv_vcpu *v, u8 vector, bool has_error, u32 error);
	int (*get_msr)(struct uv_vcpu *v, u32 msr, u64 *val);
	int (*set_msr)(struct uv_vcpu *v, u32 msr, u64 val);
	bool (*irq_ready)(struct uv_vcpu *v);
	void (*inject_irq)(struct uv_vcpu *v, u8 vector);
	void (*irq_window)(struct uv_vcpu *v, bool on);
	void (*get_paging)(struct uv_vcpu *v, struct uv_paging *pg);
};

extern const struct uv_vendor_ops uv_svm_ops;

#endif /* _UV_MONITOR_VENDOR_H */
