// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend (uv_svm_ops): enabling SVM per CPU, VMCB setup, the
 * run step around the world switch (vmrun.c), ASIDs, exit decoding.
 *
 * Optional features are used only where CPUID says they exist (the has_*
 * flags of uv_cpu_features, probed once at load): NRIPS for the next RIP,
 * VMCB clean bits, flush-by-ASID. QEMU TCG, our test platform, has none of
 * them, and only 16 ASIDs.
 *
 * ASIDs (APM 15.16): each CPU hands out ASIDs 1..N-1 in generations. A vCPU
 * keeps its ASID while it runs on the same CPU in the same generation; when
 * a CPU runs out, it starts a new generation and the next VMRUN flushes the
 * whole TLB (TLB_CONTROL = 1, the only flush there is without FlushByAsid),
 * so every vCPU there gets a fresh ASID with no stale translations. A CPU
 * also starts a new generation when it turns SVM on, so translations left by
 * an earlier user (another hypervisor, a destroyed partition) are flushed
 * before the first guest runs. An ASID is never handed out twice in a
 * generation, so memory of a destroyed partition, reused by a new one, is
 * never reached through the old partition's cached translations.
 *
 * Per-CPU state (struct uv_svm_cpu) is only touched on its own CPU with
 * preemption or interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/io.h>
#include <asm/msr.h>

#include <uv/cpu_features.h>

#include "../event.h"
#include "../internal.h"
#include "svm.h"

static_assert(offsetof(struct uv_vmcb, control.pause_filter_threshold) == 0x03c);
static_assert(offsetof(struct uv_vmcb, control.iopm_base_pa) == 0x040);
static_assert(offsetof(struct uv_vmcb, control.asid) == 0x058);
static_assert(offsetof(struct uv_vmcb, control.int_ctl) == 0x060);
static_assert(offsetof(struct uv_vmcb, control.exit_code) == 0x070);
static_assert(offsetof(struct uv_vmcb, control.exit_int_info) == 0x088);
static_assert(offsetof(struct uv_vmcb, control.np_control) == 0x090);
static_assert(offsetof(struct uv_vmcb, control.event_inj) == 0x0a8);
static_assert(offsetof(struct uv_vmcb, control.n_cr3) == 0x0b0);
static_assert(offsetof(struct uv_vmcb, control.clean) == 0x0c0);
static_assert(offsetof(struct uv_vmcb, control.next_rip) == 0x0c8);
static_assert(offsetof(struct uv_vmcb, save.es) == 0x400);
static_assert(offsetof(struct uv_vmcb, save.tr) == 0x490);
static_assert(offsetof(struct uv_vmcb, save.cpl) == 0x4cb);
static_assert(offsetof(struct uv_vmcb, save.efer) == 0x4d0);
static_assert(offsetof(struct uv_vmcb, save.cr4) == 0x548);
static_assert(offsetof(struct uv_vmcb, save.rip) == 0x578);
static_assert(offsetof(struct uv_vmcb, save.rsp) == 0x5d8);
static_assert(offsetof(struct uv_vmcb, save.rax) == 0x5f8);
static_assert(offsetof(struct uv_vmcb, save.cr2) == 0x640);
static_assert(offsetof(struct uv_vmcb, save.g_pat) == 0x668);
static_assert(sizeof(struct uv_vmcb) <= PAGE_SIZE);

#define UV_IOPM_ORDER		2	/* 12 KiB used */
#define UV_MSRPM_ORDER		1	/* 8 KiB */

/* Segment attributes (VMCB format) for the Multiboot entry state */
#define UV_SEG_CODE32		0xc9b	/* G D P S type 11: code, read, accessed */
#define UV_SEG_DATA32		0xc93	/* G B P S type 3: data, write, accessed */
#define UV_SEG_LDT		0x082	/* P type 2 */
#define UV_SEG_TSS32_BUSY	0x08b	/* P type 11 */
#define UV_SEG_L		BIT(9)	/* CS.L in attrib */
/* ... and for the real mode a STARTUP IPI begins in */
#define UV_SEG_CODE16		0x09b	/* P S type 11, 16-bit, byte granular */
#define UV_SEG_DATA16		0x093	/* P S type 3 */

#define UV_CR0_PE		BIT_ULL(0)
#define UV_CR0_ET		BIT_ULL(4)
#define UV_CR0_NW		BIT_ULL(29)
#define UV_CR0_CD		BIT_ULL(30)
#define UV_CR0_PG		BIT_ULL(31)
#define UV_PAT_DEFAULT		0x0007040600070406ULL

struct uv_svm_cpu {
	unsigned int users;		/* vCPU threads that enabled SVM here */
	u64 asid_generation;
	u32 next_asid;
	bool flush_all;			/* next VMRUN flushes the TLB */
	u64 last_vmcb_pa;		/* for VMCB clean bits */
	struct page *hsave;		/* VM_HSAVE_PA: VMRUN's host save area */
	struct page *host_save;		/* VMSAVE/VMLOAD of the host's extra state */
};

static DEFINE_PER_CPU(struct uv_svm_cpu, uv_svm_cpus);

/*
 * Extended FPU state the guest must not see (uv_svm_vcpu_run()): the host's
 * XCR0 components beyond x87/SSE (AVX's upper halves, AVX-512, ...), PKRU
 * aside (the host kernel's own), and an all-zero standard-form XSAVE area
 * (legacy part and header: XSTATE_BV = 0 restores each to its init state).
 */
static u64 uv_xinit_mask;
static u8 uv_xinit_area[576] __aligned(64);
static struct page *uv_iopm, *uv_msrpm;
static u32 uv_max_asid;

/* MSRs VMLOAD/VMSAVE switch: the guest reads and writes them directly. */
static const u32 uv_svm_passthrough_msrs[] = {
	0x174, 0x175, 0x176,			/* SYSENTER_CS/ESP/EIP */
	0xc0000081, 0xc0000082, 0xc0000083,	/* STAR, LSTAR, CSTAR */
	0xc0000084,				/* SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS_BASE, GS_BASE, KERNEL_GS_BASE */
};

/* Clear the read and write intercept bits of @msr in the MSR permission map (APM 15.11). */
static void uv_msrpm_allow(u8 *map, u32 msr)
{
	u32 base, off;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000;
	else
		return;
	off = (msr & 0x1fff) * 2;
	map[base + off / 8] &= ~(3 << (off % 8));
}

static void uv_svm_free_cpus(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct uv_svm_cpu *c = per_cpu_ptr(&uv_svm_cpus, cpu);

		if (c->hsave)
			__free_page(c->hsave);
		if (c->host_save)
			__free_page(c->host_save);
		c->hsave = NULL;
		c->host_save = NULL;
	}
}

static int uv_svm_init(void)
{
	unsigned int cpu, i;
	u8 *map;

	if (!uv_cpu_features.has_npt || uv_cpu_features.svm_nr_asids < 2)
		return -ENODEV;
	uv_max_asid = uv_cpu_features.svm_nr_asids - 1;
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		uv_xinit_mask = xgetbv(XCR_XFEATURE_ENABLED_MASK) &
				~(u64)(XFEATURE_MASK_FPSSE | XFEATURE_MASK_PKRU);

	for_each_possible_cpu(cpu) {
		struct uv_svm_cpu *c = per_cpu_ptr(&uv_svm_cpus, cpu);

		memset(c, 0, sizeof(*c));
		c->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		c->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!c->hsave || !c->host_save)
			goto nomem;
	}
	/* every port and MSR intercepted, but the ones VMLOAD/VMSAVE switch */
	uv_iopm = alloc_pages(GFP_KERNEL, UV_IOPM_ORDER);
	uv_msrpm = alloc_pages(GFP_KERNEL, UV_MSRPM_ORDER);
	if (!uv_iopm || !uv_msrpm)
		goto nomem;
	memset(page_address(uv_iopm), 0xff, PAGE_SIZE << UV_IOPM_ORDER);
	map = page_address(uv_msrpm);
	memset(map, 0xff, PAGE_SIZE << UV_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(uv_svm_passthrough_msrs); i++)
		uv_msrpm_allow(map, uv_svm_passthrough_msrs[i]);

	pr_info("monitor: AMD SVM backend: %u ASIDs, nrips=%d vmcb_clean=%d flush_by_asid=%d decode_assists=%d\n",
		uv_max_asid, uv_cpu_features.has_nrips, uv_cpu_features.has_vmcb_clean,
		uv_cpu_features.has_flush_by_asid, uv_cpu_features.has_decode_assists);
	return 0;
nomem:
	if (uv_iopm)
		__free_pages(uv_iopm, UV_IOPM_ORDER);
	if (uv_msrpm)
		__free_pages(uv_msrpm, UV_MSRPM_ORDER);
	uv_iopm = NULL;
	uv_msrpm = NULL;
	uv_svm_free_cpus();
	return -ENOMEM;
}

static void uv_svm_exit(void)
{
	__free_pages(uv_iopm, UV_IOPM_ORDER);
	__free_pages(uv_msrpm, UV_MSRPM_ORDER);
	uv_iopm = NULL;
	uv_msrpm = NULL;
	uv_svm_free_cpus();
}

/* A new ASID generation on this CPU: the next VMRUN flushes everything. */
static void uv_svm_new_generation(struct uv_svm_cpu *c)
{
	c->asid_generation++;
	c->next_asid = 1;
	c->flush_all = true;
}

static int uv_svm_cpu_enable(void)
{
	struct uv_svm_cpu *c = this_cpu_ptr(&uv_svm_cpus);
	u64 efer;

	if (c->users) {
		c->users++;
		return 0;
	}
	rdmsrl(UV_MSR_EFER, efer);
	if (efer & UV_EFER_SVME)
		return -EBUSY;		/* another hypervisor (kvm_amd) owns this CPU */
	wrmsrl(UV_MSR_VM_HSAVE_PA, page_to_phys(c->hsave));
	wrmsrl(UV_MSR_EFER, efer | UV_EFER_SVME);
	c->users = 1;
	atomic64_inc(&uv_nr_cpus_enabled);
	c->last_vmcb_pa = 0;
	uv_svm_new_generation(c);
	return 0;
}

static void uv_svm_cpu_disable(void)
{
	struct uv_svm_cpu *c = this_cpu_ptr(&uv_svm_cpus);
	u64 efer;

	if (!c->users || --c->users)
		return;
	rdmsrl(UV_MSR_EFER, efer);
	wrmsrl(UV_MSR_EFER, efer & ~UV_EFER_SVME);
	wrmsrl(UV_MSR_VM_HSAVE_PA, 0);
	atomic64_dec(&uv_nr_cpus_enabled);
}

static int uv_svm_vcpu_create(struct uv_vcpu *v)
{
	struct uv_svm_vcpu *s;
	struct uv_vmcb_control *ctl;
	struct uv_fxsave *fpu;
	struct page *pg;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	/* kmalloc aligns power-of-two sizes naturally: 512 covers FXSAVE's 16 */
	fpu = kzalloc(sizeof(*fpu), GFP_KERNEL);
	if (!s || !pg || !fpu) {
		kfree(fpu);
		kfree(s);
		if (pg)
			__free_page(pg);
		return -ENOMEM;
	}
	s->vmcb = page_address(pg);
	s->vmcb_pa = page_to_phys(pg);
	s->fpu = fpu;
	s->asid_cpu = -1;
	ctl = &s->vmcb->control;

	/*
	 * Intercepts: host interrupts, NMIs, SMIs, INIT (Linux keeps its CPU);
	 * everything the monitor emulates (CPUID, HLT, all ports and MSRs but
	 * the VMLOAD-switched ones, VMMCALL); what must not reach the hardware
	 * (SVM instructions, INVD, XSETBV, MONITOR/MWAIT, RDTSCP, RDPRU, task
	 * switches); triple faults (SHUTDOWN would otherwise take the host
	 * down); every debug register access (DR0-3 are not switched); #AC,
	 * whose endless delivery could hold the CPU (CVE-2015-5307).
	 */
	ctl->intercept_dr = 0xffffffff;
	ctl->intercept_exceptions = BIT(17);
	ctl->intercept_misc1 = UV_ICPT_INTR | UV_ICPT_NMI | UV_ICPT_SMI | UV_ICPT_INIT |
			       UV_ICPT_CPUID | UV_ICPT_INVD | UV_ICPT_HLT | UV_ICPT_INVLPGA |
			       UV_ICPT_IOIO | UV_ICPT_MSR | UV_ICPT_TASK_SWITCH |
			       UV_ICPT_FERR_FREEZE | UV_ICPT_SHUTDOWN;
	ctl->intercept_misc2 = UV_ICPT_VMRUN | UV_ICPT_VMMCALL | UV_ICPT_VMLOAD |
			       UV_ICPT_VMSAVE | UV_ICPT_STGI | UV_ICPT_CLGI | UV_ICPT_SKINIT |
			       UV_ICPT_RDTSCP | UV_ICPT_MONITOR | UV_ICPT_MWAIT |
			       UV_ICPT_MWAIT_COND | UV_ICPT_XSETBV | UV_ICPT_RDPRU;
	ctl->iopm_base_pa = page_to_phys(uv_iopm);
	ctl->msrpm_base_pa = page_to_phys(uv_msrpm);
	/* guest IF masks only virtual interrupts; host IF (1 at VMRUN) physical ones */
	ctl->int_ctl = UV_VINTR_MASKING;
	ctl->np_control = UV_NP_ENABLE;
	ctl->n_cr3 = v->part->npt.root_pa;
	ctl->clean = 0;
	v->vendor = s;
	return 0;
}

static void uv_svm_vcpu_destroy(struct uv_vcpu *v)
{
	struct uv_svm_vcpu *s = v->vendor;

	if (!s)
		return;
	free_page((unsigned long)s->vmcb);
	kfree(s->fpu);
	kfree(s);
	v->vendor = NULL;
}

static void uv_seg(struct uv_vmcb_seg *seg, u16 sel, u16 attrib, u32 limit)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = limit;
	seg->base = 0;
}

static void uv_svm_irq_window(struct uv_vcpu *v, bool on);

/* Multiboot machine state: flat 32-bit protected mode, paging and interrupts off. */
static void uv_svm_vcpu_reset(struct uv_vcpu *v, const struct uv_boot_state *boot)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_save *st = &s->vmcb->save;

	memset(st, 0, sizeof(*st));
	uv_seg(&st->cs, 0x08, UV_SEG_CODE32, 0xffffffff);
	uv_seg(&st->ds, 0x10, UV_SEG_DATA32, 0xffffffff);
	uv_seg(&st->es, 0x10, UV_SEG_DATA32, 0xffffffff);
	uv_seg(&st->fs, 0x10, UV_SEG_DATA32, 0xffffffff);
	uv_seg(&st->gs, 0x10, UV_SEG_DATA32, 0xffffffff);
	uv_seg(&st->ss, 0x10, UV_SEG_DATA32, 0xffffffff);
	uv_seg(&st->gdtr, 0, 0, 0xffff);
	uv_seg(&st->idtr, 0, 0, 0xffff);
	uv_seg(&st->ldtr, 0, UV_SEG_LDT, 0xffff);
	uv_seg(&st->tr, 0, UV_SEG_TSS32_BUSY, 0xffff);
	st->cpl = 0;
	st->efer = UV_EFER_SVME;	/* VMRUN requires it; the guest never sees it */
	st->cr0 = UV_CR0_PE | UV_CR0_ET;
	st->cr3 = 0;
	st->cr4 = 0;
	st->dr6 = 0xffff0ff0;
	st->dr7 = 0x400;
	st->rflags = 0x2;
	st->g_pat = UV_PAT_DEFAULT;

	v->rip = boot->eip;
	v->regs.rax = boot->eax;
	v->regs.rbx = boot->ebx;
	v->regs.rsp = 0;
	/* debug registers intercepted again until the new guest uses them */
	s->dr_guest = false;
	s->vmcb->control.intercept_dr = 0xffffffff;
	/* FPU at reset (FNINIT state, MXCSR default): all registers empty */
	memset(s->fpu, 0, sizeof(*s->fpu));
	s->fpu->fcw = 0x37f;
	s->fpu->mxcsr = 0x1f80;
	s->vmcb->control.event_inj = 0;
	s->held_event = 0;
	s->vmcb->control.int_state = 0;
	uv_svm_irq_window(v, false);
	s->vmcb->control.clean = 0;
}

/*
 * STARTUP IPI (APM 16.5, Intel SDM 8.4.4): the INIT state in real mode,
 * CS selector vector << 8 and base vector << 12, IP 0, 64 KiB segments,
 * CR0 = CD | NW | ET, EFER without LME. SVM runs real mode natively with
 * nested paging; the trampoline's own CR0, CR4 and EFER writes then take it
 * to long mode (CR writes are not intercepted; EFER goes through set_msr).
 */
static void uv_svm_vcpu_sipi(struct uv_vcpu *v, u8 vector)
{
	struct uv_boot_state boot = { };
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_save *st = &s->vmcb->save;

	uv_svm_vcpu_reset(v, &boot);
	uv_seg(&st->cs, (u16)vector << 8, UV_SEG_CODE16, 0xffff);
	st->cs.base = (u64)vector << 12;
	uv_seg(&st->ds, 0, UV_SEG_DATA16, 0xffff);
	uv_seg(&st->es, 0, UV_SEG_DATA16, 0xffff);
	uv_seg(&st->fs, 0, UV_SEG_DATA16, 0xffff);
	uv_seg(&st->gs, 0, UV_SEG_DATA16, 0xffff);
	uv_seg(&st->ss, 0, UV_SEG_DATA16, 0xffff);
	st->cr0 = UV_CR0_CD | UV_CR0_NW | UV_CR0_ET;
	v->rip = 0;
}

/*
 * Debug registers. DR6 and DR7 are in the VMCB, switched by VMRUN; DR0-3 are
 * not. Until a guest touches a debug register every access is intercepted;
 * at the first one (Linux clears them all at boot) the intercepts go and
 * DR0-3 are switched around each entry from then on: the guest's loaded
 * before VMRUN, saved after it, and the host's put back (with its DR7,
 * which #VMEXIT leaves disabled) by hw_breakpoint_restore(); that restore
 * also runs after every exit while the host has a breakpoint enabled, guest
 * using the registers or not. Emulating the
 * MOV instead would need the instruction bytes (no decode assists under
 * TCG); a guest that never uses them pays nothing.
 */
static void uv_svm_dr_passthrough(struct uv_svm_vcpu *s)
{
	s->dr_guest = true;
	memset(s->dr, 0, sizeof(s->dr));
	s->vmcb->control.intercept_dr = 0;
	s->vmcb->control.clean &= ~UV_CLEAN_INTERCEPTS;
}

/*
 * The host's DR7 goes to 0 first: with the guest's addresses in DR0-3, a host
 * breakpoint enabled in DR7 must not fire on them in the few host
 * instructions around VMRUN.
 */
static void uv_svm_dr_load(struct uv_svm_vcpu *s)
{
	set_debugreg(0UL, 7);
	set_debugreg(s->dr[0], 0);
	set_debugreg(s->dr[1], 1);
	set_debugreg(s->dr[2], 2);
	set_debugreg(s->dr[3], 3);
}

static void uv_svm_dr_save(struct uv_svm_vcpu *s)
{
	set_debugreg(0UL, 7);
	get_debugreg(s->dr[0], 0);
	get_debugreg(s->dr[1], 1);
	get_debugreg(s->dr[2], 2);
	get_debugreg(s->dr[3], 3);
	hw_breakpoint_restore();
}

static bool uv_svm_irq_ready(struct uv_vcpu *v);

/*
 * An interrupt whose delivery an injected exception superseded (event.h) goes
 * in as soon as the guest can take one, before irq.c picks anything new (its
 * vector is in service already).
 */
static void uv_svm_unhold(struct uv_vcpu *v)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_control *ctl = &s->vmcb->control;

	if (!(s->held_event & UV_EVT_VALID) || !uv_svm_irq_ready(v))
		return;
	ctl->event_inj = s->held_event;
	ctl->event_inj_err = s->held_err;
	s->held_event = 0;
}

/* One guest entry and exit. IRQs off; on return, the exit is in the VMCB. */
static void uv_svm_vcpu_run(struct uv_vcpu *v)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb *vmcb = s->vmcb;
	struct uv_svm_cpu *c = this_cpu_ptr(&uv_svm_cpus);
	int cpu = smp_processor_id();

	if (s->asid_cpu != cpu || s->asid_generation != c->asid_generation) {
		if (c->next_asid > uv_max_asid)
			uv_svm_new_generation(c);
		vmcb->control.asid = c->next_asid++;
		s->asid_generation = c->asid_generation;
		s->asid_cpu = cpu;
		vmcb->control.clean &= ~UV_CLEAN_ASID;
	}
	vmcb->control.tlb_control = c->flush_all ? UV_TLB_FLUSH_ALL : UV_TLB_NOTHING;
	c->flush_all = false;
	/* the CPU may cache another VMCB's state, or this one's from another CPU */
	if (c->last_vmcb_pa != s->vmcb_pa)
		vmcb->control.clean = 0;
	c->last_vmcb_pa = s->vmcb_pa;

	/* the core stepped over the instruction: an interrupt shadow it had is over */
	if (vmcb->save.rip != v->rip)
		vmcb->control.int_state &= ~UV_INT_SHADOW;
	vmcb->save.rax = v->regs.rax;
	vmcb->save.rsp = v->regs.rsp;
	vmcb->save.rip = v->rip;
	uv_svm_unhold(v);
	uv_irq_enter(v);

	/*
	 * The guest's x87/SSE state (FXSAVE format: XSAVE is hidden from it, so
	 * nothing else is guest state) is loaded after kernel_fpu_begin() has
	 * saved whatever a task had in the registers, and saved back before
	 * kernel_fpu_end(): it never leaks into the host or a task, and a
	 * preemption between two entries cannot lose it. KVM's guest-FPU
	 * helpers (fpu_swap_kvm_fpstate) swap the fpstate of the current task
	 * instead; our vCPU runs in a kernel thread, whose registers the
	 * scheduler neither saves nor restores, so they do not fit.
	 */
	kernel_fpu_begin();
	/*
	 * XSAVE is hidden in CPUID, but CR4 writes are not intercepted: a guest
	 * can still set CR4.OSXSAVE and use AVX under the host's XCR0. The
	 * registers beyond x87/SSE hold whatever a host task left there, so
	 * they go to their init state first (XRSTOR also loads MXCSR, hence
	 * before FXRSTOR): such a guest sees zeroes, never host data, and keeps
	 * no state of its own there across exits.
	 */
	if (uv_xinit_mask)
		asm volatile("xrstor64 %0" : : "m" (uv_xinit_area), "a" ((u32)uv_xinit_mask),
			     "d" ((u32)(uv_xinit_mask >> 32)) : "memory");
	asm volatile("fxrstor64 %0" : : "m" (*s->fpu));
	asm volatile("clgi" ::: "memory");
	if (s->dr_guest)
		uv_svm_dr_load(s);
	uv_svm_vmrun(s->vmcb_pa, page_to_phys(c->host_save), &v->regs);
	/*
	 * #VMEXIT leaves the host's DR7 with every breakpoint disabled (and
	 * DR6 as the guest left it): put the host's back whenever it has any,
	 * not only when the guest has the debug registers.
	 */
	if (s->dr_guest)
		uv_svm_dr_save(s);
	else if (hw_breakpoint_active())
		hw_breakpoint_restore();
	asm volatile("stgi" ::: "memory");
	uv_irq_leave(v);
	asm volatile("fxsave64 %0" : "=m" (*s->fpu));
	kernel_fpu_end();

	v->regs.rax = vmcb->save.rax;
	v->regs.rsp = vmcb->save.rsp;
	v->rip = vmcb->save.rip;
	vmcb->control.clean = uv_cpu_features.has_vmcb_clean ? UV_CLEAN_ALL : 0;

	/* an event whose delivery the exit interrupted is delivered again */
	vmcb->control.event_inj = 0;
	if ((vmcb->control.exit_int_info & UV_EVT_VALID) &&
	    (vmcb->control.exit_int_info & (7 << 8)) != (4 << 8)) {
		vmcb->control.event_inj = vmcb->control.exit_int_info;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	}
}

static bool uv_excp_has_error(unsigned int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21 || vector == 29 || vector == 30;
}

static void uv_svm_decode_exit(struct uv_vcpu *v, struct uv_exit *e)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb *vmcb = s->vmcb;
	u64 code = vmcb->control.exit_code, info1 = vmcb->control.exit_info1;
	bool nrip = uv_cpu_features.has_nrips;

	e->raw = code;
	e->cpl = vmcb->save.cpl;
	e->long_mode = (vmcb->save.efer & UV_EFER_LMA) && (vmcb->save.cs.attrib & UV_SEG_L);
	e->next_rip = 0;

	switch (code) {
	case UV_SVM_EXIT_INTR:
	case UV_SVM_EXIT_NMI:
	case UV_SVM_EXIT_SMI:
	case UV_SVM_EXIT_INIT:
		e->kind = UV_EXIT_HOST;
		return;
	case UV_SVM_EXIT_CPUID:
		e->kind = UV_EXIT_CPUID;
		break;
	case UV_SVM_EXIT_MSR:
		e->kind = UV_EXIT_MSR;
		e->msr.write = info1 & 1;
		break;
	case UV_SVM_EXIT_HLT:
		e->kind = UV_EXIT_HLT;
		break;
	case UV_SVM_EXIT_VINTR:
		e->kind = UV_EXIT_IRQ_WINDOW;
		return;
	case UV_SVM_EXIT_VMMCALL:
		e->kind = UV_EXIT_HYPERCALL;
		break;
	case UV_SVM_EXIT_IOIO:
		e->kind = UV_EXIT_IO;
		e->io.port = info1 >> 16;
		e->io.in = info1 & UV_IOIO_IN;
		e->io.string = info1 & UV_IOIO_STR;
		e->io.rep = info1 & UV_IOIO_REP;
		e->io.size = (info1 & UV_IOIO_SZ32) ? 4 : (info1 & UV_IOIO_SZ16) ? 2 :
			     (info1 & UV_IOIO_SZ8) ? 1 : 0;
		e->next_rip = vmcb->control.exit_info2;	/* always given for IOIO */
		return;
	case UV_SVM_EXIT_NPF:
		e->kind = UV_EXIT_NPF;
		e->npf.gpa = vmcb->control.exit_info2;
		e->npf.access = (info1 & UV_NPF_FETCH) ? UV_ACCESS_EXEC :
				(info1 & UV_NPF_WRITE) ? UV_ACCESS_WRITE : UV_ACCESS_READ;
		return;
	case UV_SVM_EXIT_SHUTDOWN:
		e->kind = UV_EXIT_SHUTDOWN;
		return;
	case UV_SVM_EXIT_INVD:
		e->kind = UV_EXIT_SKIP;		/* 0f 08: keep the caches, skip it */
		e->skip.len = 2;
		break;
	case UV_SVM_EXIT_VMRUN:
	case UV_SVM_EXIT_VMLOAD:
	case UV_SVM_EXIT_VMSAVE:
	case UV_SVM_EXIT_STGI:
	case UV_SVM_EXIT_CLGI:
	case UV_SVM_EXIT_SKINIT:
	case UV_SVM_EXIT_INVLPGA:
	case UV_SVM_EXIT_RDTSCP:
	case UV_SVM_EXIT_MONITOR:
	case UV_SVM_EXIT_MWAIT:
	case UV_SVM_EXIT_MWAIT_COND:
	case UV_SVM_EXIT_XSETBV:
	case UV_SVM_EXIT_RDPRU:
		e->kind = UV_EXIT_UD;		/* none of these is offered in CPUID */
		return;
	case UV_SVM_EXIT_INVALID:
		e->kind = UV_EXIT_INVALID;
		return;
	case 0x20 ... 0x3f:			/* MOV to/from DRn */
		uv_svm_dr_passthrough(s);	/* and the guest executes it again */
		e->kind = UV_EXIT_HOST;
		return;
	case UV_SVM_EXIT_TASK_SWITCH:
	case UV_SVM_EXIT_FERR_FREEZE:
		e->kind = UV_EXIT_UNSUPPORTED;
		return;
	case UV_SVM_EXIT_EXCP_BASE ... UV_SVM_EXIT_EXCP_BASE + 31:
		e->kind = UV_EXIT_REFLECT;
		e->exc.vector = code - UV_SVM_EXIT_EXCP_BASE;
		e->exc.has_error = uv_excp_has_error(e->exc.vector);
		e->exc.error = info1;
		return;
	default:
		e->kind = UV_EXIT_UNKNOWN;
		return;
	}
	/* instruction intercepts: the CPU reports the next RIP only with NRIPS */
	if (nrip)
		e->next_rip = vmcb->control.next_rip;
}

/*
 * EVENTINJ may already hold the event the exit interrupted (EXITINTINFO, see
 * uv_svm_vcpu_run()): the new exception happened during its delivery and
 * the two combine as the hardware would combine them (event.h). False: a
 * triple fault, the guest cannot go on.
 */
static bool uv_svm_inject_exception(struct uv_vcpu *v, u8 vector, bool has_error, u32 error)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_control *ctl = &s->vmcb->control;
	u32 first = ctl->event_inj;

	switch (uv_event_merge(first & UV_EVT_VALID,
			       (first & UV_EVT_TYPE_MASK) >> UV_EVT_TYPE_SHIFT,
			       first & UV_EVT_VECTOR_MASK, vector)) {
	case UV_MERGE_SHUTDOWN:
		ctl->event_inj = 0;
		return false;
	case UV_MERGE_DOUBLE:
		vector = UV_VEC_DF;
		has_error = true;
		error = 0;
		break;
	case UV_MERGE_NEW_HOLD:
		s->held_event = first;
		s->held_err = ctl->event_inj_err;
		break;
	case UV_MERGE_NEW:
		break;
	}
	ctl->event_inj = vector | UV_EVT_TYPE_EXCEPTION | UV_EVT_VALID |
			 (has_error ? UV_EVT_ERR_VALID : 0);
	ctl->event_inj_err = error;
	return true;
}

static bool uv_svm_irq_ready(struct uv_vcpu *v)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb *vmcb = s->vmcb;
	/* a shadow covers only the instruction at the RIP where it was taken */
	bool shadow = (vmcb->control.int_state & UV_INT_SHADOW) && vmcb->save.rip == v->rip;

	return (vmcb->save.rflags & UV_RFLAGS_IF) && !shadow &&
	       !(vmcb->control.event_inj & UV_EVT_VALID);
}

static void uv_svm_inject_irq(struct uv_vcpu *v, u8 vector)
{
	struct uv_svm_vcpu *s = v->vendor;

	s->vmcb->control.event_inj = vector | UV_EVT_TYPE_INTR | UV_EVT_VALID;
	s->vmcb->control.event_inj_err = 0;
}

/*
 * The interrupt window (APM 15.21.4): a virtual interrupt (V_IRQ, highest
 * priority, TPR ignored) that the guest takes as soon as IF = 1 and no
 * shadow, with the VINTR intercept, so taking it is an exit instead. The
 * vector in it is never delivered.
 */
static void uv_svm_irq_window(struct uv_vcpu *v, bool on)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_control *ctl = &s->vmcb->control;
	bool was = ctl->intercept_misc1 & UV_ICPT_VINTR;

	on |= !!(s->held_event & UV_EVT_VALID);	/* uv_svm_unhold() waits for it */
	if (on == was)
		return;
	if (on) {
		ctl->int_ctl |= UV_V_IRQ | UV_V_IGN_TPR | (0xf << UV_V_INTR_PRIO_SHIFT);
		ctl->intercept_misc1 |= UV_ICPT_VINTR;
	} else {
		ctl->int_ctl &= ~(UV_V_IRQ | UV_V_IGN_TPR | (0xf << UV_V_INTR_PRIO_SHIFT));
		ctl->intercept_misc1 &= ~UV_ICPT_VINTR;
	}
	ctl->clean &= ~(UV_CLEAN_TPR | UV_CLEAN_INTERCEPTS);
}

/* each PAT entry must be a valid memory type: UC, WC, WT, WP, WB, UC- */
static bool uv_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static int uv_svm_get_msr(struct uv_vcpu *v, u32 msr, u64 *val)
{
	struct uv_svm_vcpu *s = v->vendor;

	switch (msr) {
	case UV_MSR_EFER:
		*val = s->vmcb->save.efer & ~UV_EFER_SVME;
		return 0;
	case UV_MSR_PAT:
		*val = s->vmcb->save.g_pat;
		return 0;
	}
	return -ENOENT;
}

static int uv_svm_set_msr(struct uv_vcpu *v, u32 msr, u64 val)
{
	struct uv_svm_vcpu *s = v->vendor;
	struct uv_vmcb_save *st = &s->vmcb->save;

	switch (msr) {
	case UV_MSR_EFER:
		if (val & ~(UV_EFER_SCE | UV_EFER_LME | UV_EFER_LMA | UV_EFER_NXE))
			return -EINVAL;
		/* LME may not change while paging is on (APM 14.6.1) */
		if (((val ^ st->efer) & UV_EFER_LME) && (st->cr0 & UV_CR0_PG))
			return -EINVAL;
		st->efer = (val & (UV_EFER_SCE | UV_EFER_LME | UV_EFER_NXE)) |
			   (st->efer & UV_EFER_LMA) | UV_EFER_SVME;
		s->vmcb->control.clean &= ~UV_CLEAN_CRX;
		return 0;
	case UV_MSR_PAT:
		if (!uv_pat_valid(val))
			return -EINVAL;
		st->g_pat = val;
		s->vmcb->control.clean &= ~UV_CLEAN_NP;
		return 0;
	}
	return -ENOENT;
}

static void uv_svm_get_paging(struct uv_vcpu *v, struct uv_paging *pg)
{
	const struct uv_vmcb_save *st = &((struct uv_svm_vcpu *)v->vendor)->vmcb->save;

	pg->cr0 = st->cr0;
	pg->cr3 = st->cr3;
	pg->cr4 = st->cr4;
	pg->efer = st->efer;
}

const struct uv_vendor_ops uv_svm_ops = {
	.name = "svm",
	.init = uv_svm_init,
	.exit = uv_svm_exit,
	.cpu_enable = uv_svm_cpu_enable,
	.cpu_disable = uv_svm_cpu_disable,
	.vcpu_create = uv_svm_vcpu_create,
	.vcpu_destroy = uv_svm_vcpu_destroy,
	.vcpu_reset = uv_svm_vcpu_reset,
	.vcpu_sipi = uv_svm_vcpu_sipi,
	.vcpu_run = uv_svm_vcpu_run,
	.decode_exit = uv_svm_decode_exit,
	.inject_exception = uv_svm_inject_exception,
	.get_msr = uv_svm_get_msr,
	.set_msr = uv_svm_set_msr,
	.irq_ready = uv_svm_irq_ready,
	.inject_irq = uv_svm_inject_irq,
	.irq_window = uv_svm_irq_window,
	.get_paging = uv_svm_get_paging,
};
