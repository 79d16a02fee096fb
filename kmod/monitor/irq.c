// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt injection (docs/monitor.md, "Interrupts"): a per-vCPU bitmap of
 * pending external vectors (32..255), set from any context by
 * uv_partition_raise_irq(), and delivered by the vCPU thread right before
 * each guest entry (uv_irq_enter(), called by the vendor's run step with
 * IRQs off). If the guest can take an interrupt then, the highest pending
 * vector is injected; if not (IF = 0, interrupt shadow, an event already
 * being injected), the vendor is asked for an exit as soon as it can
 * (interrupt window), and the next entry injects it.
 *
 * The bitmap is the x2APIC's IRR (lapic.c): uv_irq_enter() asks
 * uv_lapic_pick() for the vector to deliver (the highest whose priority
 * beats the guest's PPR once it has enabled its APIC; the highest, edge-like
 * and with no EOI, for a guest that never does) and marks it in service.
 *
 * Raising never waits for the vCPU. Ordering, so that no raise is missed:
 *   raiser: set bit; smp_mb(); in_run ? IPI : -; halted -> wake
 *   vCPU:   in_run = 1; smp_mb(); look at the bitmap; VMRUN
 * Either the vCPU sees the bit before entering, or the raiser sees in_run and
 * its IPI is pending at VMRUN (host interrupts are intercepted), so the guest
 * leaves at once and the next entry injects. The IPI is an asynchronous call
 * (usable with IRQs off) with one call_single_data per target CPU, in module
 * memory, so no vCPU is referenced by a queued call; while one is queued for a
 * CPU (-EBUSY) its IPI is still to come, which kicks the guest as well.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/wait.h>

#include "internal.h"

static void uv_irq_kick_fn(void *info)
{
	/* nothing: the IPI itself made the guest exit */
}

static DEFINE_PER_CPU(call_single_data_t, uv_irq_kick_csd);

void uv_irq_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_CSD(per_cpu_ptr(&uv_irq_kick_csd, cpu), uv_irq_kick_fn, NULL);
}

/* Module unload, no partition left: no kick may still be queued or running. */
void uv_irq_teardown(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		call_single_data_t *csd = per_cpu_ptr(&uv_irq_kick_csd, cpu);

		/* acquire: the handler's last use of the csd is before its unlock */
		while (smp_load_acquire(&csd->node.u_flags) & CSD_FLAG_LOCK)
			cpu_relax();
	}
	synchronize_rcu();	/* the handler runs with IRQs off: it has returned */
}

void uv_irq_init(struct uv_vcpu *v)
{
	uv_irq_reset(v);
}

/* A new guest (load): nothing pending, counters from 0. No thread runs. */
void uv_irq_reset(struct uv_vcpu *v)
{
	bitmap_zero(v->irq_pending, UV_NR_VECTORS);
	atomic64_set(&v->irq_raised, 0);
	v->irq_injected = 0;
}

/* INIT or STARTUP taken (lapic.c): what was pending is gone; counters stay. Runner. */
void uv_irq_reset_pending(struct uv_vcpu *v)
{
	bitmap_zero(v->irq_pending, UV_NR_VECTORS);
}

/* A vector is pending that the APIC would deliver (whether or not IF allows it now). */
bool uv_irq_pending(struct uv_vcpu *v)
{
	return uv_lapic_pick(v) >= 0;
}

/* A pending interrupt the guest can take now (HLT must not sleep). vCPU thread. */
bool uv_irq_deliverable(struct uv_vcpu *v)
{
	smp_mb();	/* pairs with uv_vcpu_wake(): halted (sched.c) before the bitmap */
	return uv_irq_pending(v) && uv_vendor->irq_ready(v);
}

/*
 * Make the vCPU look at its interrupts: out of the guest if it is in (IPI), out
 * of a halt if it sleeps. Any context.
 */
void uv_vcpu_wake(struct uv_vcpu *v)
{
	smp_mb();	/* the caller's bitmap store before in_run and halted */
	if (READ_ONCE(v->in_run) && cpu_online(v->cpu))
		smp_call_function_single_async(v->cpu, per_cpu_ptr(&uv_irq_kick_csd, v->cpu));
	/* halted in its slots (sched.c): may run again at once */
	WRITE_ONCE(v->halted, false);
	wake_up_all(&v->wq);
	if (v->scheduled)
		uv_sched_wake(v);	/* its executor may sleep in the vCPU's slot */
}

/* Make @vector (checked by the caller) pending in @v and wake it. Any context. */
void uv_vcpu_raise_irq(struct uv_vcpu *v, unsigned int vector)
{
	set_bit(vector, v->irq_pending);
	atomic64_inc(&v->irq_raised);
	uv_vcpu_wake(v);
}

int uv_partition_raise_irq(struct uv_partition *p, unsigned int vector)
{
	if (vector < UV_FIRST_EXT_VECTOR || vector >= UV_NR_VECTORS)
		return -EINVAL;
	uv_vcpu_raise_irq(&p->vcpus[0], vector);
	return 0;
}

/* The vendor's run step, IRQs off, right before the world switch. */
void uv_irq_enter(struct uv_vcpu *v)
{
	int vec;

	WRITE_ONCE(v->in_run, true);
	smp_mb();	/* in_run before the bitmap: see the top of the file */
	vec = uv_lapic_pick(v);
	if (vec < 0) {
		uv_vendor->irq_window(v, false);
		return;
	}
	if (uv_vendor->irq_ready(v)) {
		clear_bit(vec, v->irq_pending);
		uv_lapic_accept(v, vec);
		uv_vendor->inject_irq(v, vec);
		v->irq_injected++;
	}
	/* more to deliver (or this one could not be): exit when the guest can take it */
	uv_vendor->irq_window(v, uv_irq_pending(v));
}

/* Right after the world switch, IRQs still off. */
void uv_irq_leave(struct uv_vcpu *v)
{
	WRITE_ONCE(v->in_run, false);
}
