// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch: what the monitor does for each kind of guest exit the
 * vendor backend decoded (struct uv_exit). Runs on the vCPU thread with
 * interrupts and preemption enabled.
 *
 * Instruction lengths: without NRIPS (QEMU TCG) the CPU does not report the
 * next RIP, so the handled instructions' architectural lengths are used:
 * CPUID, RDMSR, WRMSR 2 bytes (0f a2, 0f 32, 0f 30), HLT 1 (f4), VMMCALL 3
 * (0f 01 d9); IN/OUT exits always carry the next RIP (EXITINFO2). A guest
 * that puts redundant prefixes on these instructions only confuses itself.
 *
 * Everything a guest can ask for is answered from a fixed policy: filtered
 * CPUID (cpuid.c), the platform's MSRs (msr.c: x2APIC, kvmclock) and a short
 * list of others (anything else: #GP), two emulated devices
 * (serial, exit port; other ports read all ones and ignore writes), HLT as a
 * wait for an interrupt (irq.c), the I/O APIC page (ioapic.c: the only MMIO).
 * Any other access outside partition memory (nested page fault), a triple
 * fault, or an exit the monitor does not emulate ends the partition in
 * state FAULTED; nothing a guest does reaches the host beyond that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>

#include "internal.h"

#define X86_UD	6
#define X86_GP	13

#define MSR_TSC			0x10
#define MSR_PATCH_LEVEL		0x8b
#define MSR_MTRRCAP		0xfe
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MTRR_DEF_TYPE	0x2ff

static void uv_skip(struct uv_vcpu *v, const struct uv_exit *e, unsigned int len)
{
	v->rip = e->next_rip ? e->next_rip : v->rip + len;
	if (!e->long_mode)
		v->rip = (u32)v->rip;
}

static void uv_fault(struct uv_vcpu *v, const struct uv_exit *e, u32 reason)
{
	struct uv_fault f = {
		.reason = reason,
		.rip = v->rip,
		.exit_code = e->raw,
	};

	if (e->kind == UV_EXIT_NPF) {
		f.gpa = e->npf.gpa;
		f.access = e->npf.access;
	}
	uv_partition_faulted(v->part, &f);
}

/*
 * An exception for the guest, combined with an event the exit interrupted;
 * true if that makes a triple fault, which ends the partition like one the
 * guest made itself.
 */
static bool uv_inject(struct uv_vcpu *v, const struct uv_exit *e, u8 vector, bool has_error,
		      u32 error)
{
	if (uv_vendor->inject_exception(v, vector, has_error, error))
		return false;
	uv_fault(v, e, UV_FAULT_SHUTDOWN);
	return true;
}

static void uv_handle_cpuid(struct uv_vcpu *v, const struct uv_exit *e)
{
	u32 a, b, c, d;

	uv_cpuid(v, v->regs.rax, v->regs.rcx, &a, &b, &c, &d);
	v->regs.rax = a;
	v->regs.rbx = b;
	v->regs.rcx = c;
	v->regs.rdx = d;
	uv_skip(v, e, 2);
}

static int uv_rdmsr(struct uv_vcpu *v, u32 msr, u64 *val)
{
	int ret = uv_platform_rdmsr(v, msr, val);	/* x2APIC, kvmclock (msr.c) */

	if (ret != -ENOENT)
		return ret;
	switch (msr) {
	case MSR_TSC:
		*val = rdtsc();
		return 0;
	case MSR_PATCH_LEVEL:
	case MSR_MTRRCAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
		*val = 0;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->mtrr_def_type;
		return 0;
	}
	return uv_vendor->get_msr(v, msr, val);
}

static int uv_wrmsr(struct uv_vcpu *v, u32 msr, u64 val)
{
	int ret = uv_platform_wrmsr(v, msr, val);

	if (ret != -ENOENT)
		return ret;
	switch (msr) {
	case MSR_TSC:
	case MSR_PATCH_LEVEL:
	case MSR_MCG_STATUS:
		return 0;		/* ignored */
	case MSR_MTRR_DEF_TYPE:
		if (val & ~0xcffULL)
			return -EINVAL;
		v->mtrr_def_type = val;
		return 0;
	}
	return uv_vendor->set_msr(v, msr, val);
}

static bool uv_handle_msr(struct uv_vcpu *v, const struct uv_exit *e)
{
	u32 msr = v->regs.rcx;
	u64 val;
	int ret;

	if (e->msr.write) {
		val = (v->regs.rdx << 32) | (u32)v->regs.rax;
		ret = uv_wrmsr(v, msr, val);
	} else {
		ret = uv_rdmsr(v, msr, &val);
		if (!ret) {
			v->regs.rax = (u32)val;
			v->regs.rdx = val >> 32;
		}
	}
	if (ret)	/* unknown MSR or refused value: #GP(0), RIP stays on the instruction */
		return uv_inject(v, e, X86_GP, true, 0);
	uv_skip(v, e, 2);
	return false;
}

/* Returns true if the guest is done (it wrote the exit port). */
static bool uv_handle_io(struct uv_vcpu *v, const struct uv_exit *e)
{
	u32 mask = e->io.size == 4 ? 0xffffffff : (1u << (8 * e->io.size)) - 1;
	u32 val = e->io.in ? 0 : v->regs.rax & mask;
	int ret;

	if (e->io.string || (e->io.size != 1 && e->io.size != 2 && e->io.size != 4)) {
		uv_fault(v, e, UV_FAULT_UNSUPPORTED);	/* INS/OUTS are not emulated */
		return true;
	}
	if (e->io.port == UV_PORT_EXIT && !e->io.in) {
		uv_skip(v, e, 0);
		uv_partition_exited(v->part, val, UV_PEXITED_PORT);
		return true;
	}
	ret = uv_acpi_pm_io(v, e->io.port, e->io.in, &val);
	if (ret > 0) {
		uv_skip(v, e, 0);	/* a power-off or reset ended the partition */
		return true;
	}
	if (ret && !uv_uart_io(v->part, e->io.port, e->io.in, &val) && e->io.in)
		val = mask;		/* no device: the bus floats high */
	if (e->io.in) {
		if (e->io.size == 4)
			v->regs.rax = val;	/* 32-bit results zero-extend */
		else
			v->regs.rax = (v->regs.rax & ~(u64)mask) | (val & mask);
	}
	uv_skip(v, e, 0);
	return false;
}

/*
 * HLT: the guest has nothing to do until an interrupt. With one pending that
 * it can take (IF = 1), HLT ends at once: the next entry delivers it. A
 * scheduled vCPU gives the rest of its run back to Linux (an interrupt raised
 * in it ends the halt, one outside it waits for its next run). Otherwise the thread
 * sleeps until an interrupt is raised, with IF = 1; with IF = 0 none can ever
 * come, so it naps briefly. Pause and stop wake it in all cases.
 */
static void uv_handle_hlt(struct uv_vcpu *v, const struct uv_exit *e)
{
	uv_skip(v, e, 1);
	if (uv_irq_deliverable(v))
		return;
	if (v->scheduled) {
		uv_sched_halt(v);
		/* raised between the check above and halted = true (irq.c) */
		if (uv_irq_deliverable(v))
			v->halted = false;
		return;
	}
	if (uv_vendor->irq_ready(v))
		wait_event_interruptible(v->wq, READ_ONCE(v->requests) || kthread_should_stop() ||
					 uv_irq_pending(v));
	else
		wait_event_interruptible_timeout(v->wq, READ_ONCE(v->requests) ||
						 kthread_should_stop(), msecs_to_jiffies(1));
}

bool uv_handle_exit(struct uv_vcpu *v)
{
	struct uv_exit e = { };

	uv_vendor->decode_exit(v, &e);
	switch (e.kind) {
	case UV_EXIT_HOST:
		v->stats[UV_STAT_HOST]++;
		return false;
	case UV_EXIT_CPUID:
		v->stats[UV_STAT_CPUID]++;
		uv_handle_cpuid(v, &e);
		return false;
	case UV_EXIT_MSR:
		v->stats[UV_STAT_MSR]++;
		return uv_handle_msr(v, &e);
	case UV_EXIT_IO:
		v->stats[UV_STAT_IO]++;
		return uv_handle_io(v, &e);
	case UV_EXIT_HLT:
		v->stats[UV_STAT_HLT]++;
		uv_handle_hlt(v, &e);
		return false;
	case UV_EXIT_HYPERCALL:
		v->stats[UV_STAT_HYPERCALL]++;
		return uv_hypercall(v, &e);
	case UV_EXIT_IRQ_WINDOW:
		v->stats[UV_STAT_IRQ_WINDOW]++;	/* the next entry injects */
		return false;
	default:
		break;
	}
	v->stats[UV_STAT_OTHER]++;
	switch (e.kind) {
	case UV_EXIT_UD:
		return uv_inject(v, &e, X86_UD, false, 0);
	case UV_EXIT_REFLECT:
		return uv_inject(v, &e, e.exc.vector, e.exc.has_error, e.exc.error);
	case UV_EXIT_SKIP:
		uv_skip(v, &e, e.skip.len);
		return false;
	case UV_EXIT_NPF:
		/* the I/O APIC page: emulated, or refused as any other NPF (logged why) */
		if (uv_ioapic_owns(e.npf.gpa) && uv_ioapic_npf(v, &e))
			return false;
		uv_fault(v, &e, UV_FAULT_NPF);
		return true;
	case UV_EXIT_SHUTDOWN:
		uv_fault(v, &e, UV_FAULT_SHUTDOWN);
		return true;
	case UV_EXIT_INVALID:
		uv_fault(v, &e, UV_FAULT_BAD_STATE);
		return true;
	case UV_EXIT_UNSUPPORTED:
		uv_fault(v, &e, UV_FAULT_UNSUPPORTED);
		return true;
	default:
		uv_fault(v, &e, UV_FAULT_UNHANDLED);
		return true;
	}
}
