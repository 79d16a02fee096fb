// SPDX-License-Identifier: GPL-2.0
/*
 * The x2APIC (docs/guest-platform.md, "CPUID and the x2APIC"; Intel SDM
 * vol. 3, 11.12 "Extended XAPIC (x2APIC)"), through its MSR interface
 * only: there is no xAPIC page to decode. The vCPU starts with the x2APIC
 * enabled (IA32_APIC_BASE EN | EXTD), so Linux switches to x2APIC
 * operations and never looks for the MMIO page.
 *
 * IRR is the vCPU's pending-vector bitmap of irq.c (uv_partition_raise_irq
 * sets it from any context); ISR, TPR and PPR live here. Once the guest
 * software-enables its APIC (SVR bit 8), irq.c asks uv_lapic_pick() for the
 * vector to inject: the highest in IRR whose priority class beats PPR; on
 * injection uv_lapic_accept() moves it into ISR, and the guest's EOI
 * clears the highest ISR bit. A guest that never enables it (the
 * freestanding test guests) gets every raised vector, highest first, with
 * no EOI, as before the APIC existed.
 *
 * Timer: TSC-deadline mode only (CPUID offers it with ARAT, so Linux uses
 * nothing else). IA32_TSC_DEADLINE arms a host hrtimer for the moment the
 * guest TSC (= host TSC) reaches the value; its callback raises the LVT
 * timer vector unless masked. One-shot and periodic counts are stored, not
 * run.
 *
 * IPIs (ICR): fixed vectors to any vCPU of the partition by APIC ID (= the
 * vCPU's index), physical or logical (x2APIC cluster: ID >> 4, bit ID & 15)
 * destination, or by shorthand (self, all, all but self); they go into the
 * target's IRR through irq.c, which kicks it out of the guest or its halt.
 * INIT and STARTUP (docs/guest-platform.md, SMP) are posted to the target
 * (sipi_ev, sipi_start) and taken by its own runner before its next entry
 * (uv_lapic_take_sipi): INIT puts it in wait-for-SIPI with its reset state,
 * the first STARTUP then starts it in real mode at vector << 12, a STARTUP
 * to a vCPU not waiting for one is ignored. NMI, SMI, ExtINT, lowest
 * priority, INIT level de-assert, INIT/STARTUP to itself, an illegal vector
 * or an APIC ID no vCPU has: ignored and counted (ipi_stats), never an error
 * for the host. Reserved ICR bits set: #GP.
 * Everything here runs on the vCPU's runner except the hrtimer callback,
 * which touches only tsc_deadline, timer_fired and the IRR, and the senders
 * of IPIs, which touch only the target's IRR, sipi_ev and sipi_start.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "internal.h"

#define APIC_BASE_ADDR		0xfee00000ULL
#define APIC_BASE_BSP		BIT_ULL(8)
#define APIC_BASE_EXTD		BIT_ULL(10)
#define APIC_BASE_EN		BIT_ULL(11)

#define X2APIC_ID		0x802
#define X2APIC_VER		0x803
#define X2APIC_TPR		0x808
#define X2APIC_PPR		0x80a
#define X2APIC_EOI		0x80b
#define X2APIC_LDR		0x80d
#define X2APIC_SVR		0x80f
#define X2APIC_ISR0		0x810
#define X2APIC_TMR0		0x818
#define X2APIC_IRR0		0x820
#define X2APIC_ESR		0x828
#define X2APIC_CMCI		0x82f
#define X2APIC_ICR		0x830
#define X2APIC_LVT0		0x832	/* timer; thermal, PMC, LINT0, LINT1, error follow */
#define X2APIC_TMICT		0x838
#define X2APIC_TMCCT		0x839
#define X2APIC_TDCR		0x83e
#define X2APIC_SELF_IPI		0x83f
#define MSR_TSC_DEADLINE	0x6e0

#define APIC_VERSION		0x14	/* integrated APIC */
#define APIC_MAXLVT		(UV_LAPIC_NR_LVT - 1)
#define SVR_ENABLE		BIT(8)
#define LVT_MASKED		BIT(16)
#define LVT_TIMER_MODE		(3 << 17)
#define LVT_TIMER_TSCDEADLINE	(2 << 17)
#define LVT_TIMER_BITS		(0xff | LVT_MASKED | LVT_TIMER_MODE)
#define LVT_BITS		(0xff | (7 << 8) | BIT(13) | BIT(15) | LVT_MASKED)
#define ICR_VECTOR		0xffULL
#define ICR_DELIVERY		(7ULL << 8)
#define ICR_FIXED		(0ULL << 8)
#define ICR_INIT		(5ULL << 8)
#define ICR_STARTUP		(6ULL << 8)
#define ICR_LOGICAL		BIT_ULL(11)
#define ICR_ASSERT		BIT_ULL(14)
#define ICR_LEVEL		BIT_ULL(15)
#define ICR_SHORTHAND		(3ULL << 18)
#define ICR_DEST_FIELD		(0ULL << 18)
#define ICR_SELF		BIT_ULL(18)
#define ICR_ALL			(2ULL << 18)
#define ICR_ALL_BUT_SELF	(3ULL << 18)
#define ICR_RESERVED		(GENMASK_ULL(31, 20) | GENMASK_ULL(17, 16) | BIT_ULL(13))
#define ICR_STATUS		BIT_ULL(12)	/* delivery status: read-only, always idle */
#define ICR_BROADCAST		0xffffffffu
#define ESR_SEND_ILLEGAL	BIT(5)

/* 32 bits of a 256-bit register, from bit @i (a multiple of 32) */
static u32 uv_reg32(const unsigned long *map, unsigned int i)
{
	return map[i / BITS_PER_LONG] >> (i % BITS_PER_LONG);
}

static int uv_isr_highest(struct uv_lapic *l)
{
	unsigned long v = find_last_bit(l->isr, 256);

	return v < 256 ? (int)v : -1;
}

static u32 uv_ppr(struct uv_lapic *l)
{
	int isrv = uv_isr_highest(l);
	u32 isr_class = isrv < 0 ? 0 : (isrv & 0xf0);

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

bool uv_lapic_enabled(struct uv_vcpu *v)
{
	struct uv_lapic *l = &v->plat.lapic;

	return (l->apic_base & APIC_BASE_EN) && (l->svr & SVR_ENABLE);
}

/* The vector to inject now, or -1 (irq.c, IRQs off, vCPU thread). */
int uv_lapic_pick(struct uv_vcpu *v)
{
	unsigned long irr = find_last_bit(v->irq_pending, UV_NR_VECTORS);

	if (irr >= UV_NR_VECTORS)
		return -1;
	if (uv_lapic_enabled(v) && (irr & 0xf0) <= (uv_ppr(&v->plat.lapic) & 0xf0))
		return -1;
	return irr;
}

/* @vector was injected: it is in service until the guest's EOI. */
void uv_lapic_accept(struct uv_vcpu *v, u8 vector)
{
	if (uv_lapic_enabled(v))
		__set_bit(vector, v->plat.lapic.isr);
}

/* A vector for @v itself; 0..31 are not external interrupts: dropped. */
static void uv_lapic_self(struct uv_vcpu *v, u32 vector)
{
	if (vector >= UV_FIRST_EXT_VECTOR && vector < UV_NR_VECTORS)
		uv_vcpu_raise_irq(v, vector);
}

static void uv_lapic_raise(struct uv_vcpu *v, u32 lvt)
{
	if (!(lvt & LVT_MASKED) && (v->plat.lapic.svr & SVR_ENABLE))
		uv_lapic_self(v, lvt & 0xff);
}

static enum hrtimer_restart uv_lapic_timer_fn(struct hrtimer *t)
{
	struct uv_lapic *l = container_of(t, struct uv_lapic, timer);
	struct uv_vcpu *v = container_of(l, struct uv_vcpu, plat.lapic);

	WRITE_ONCE(l->tsc_deadline, 0);
	l->timer_fired++;
	uv_lapic_raise(v, READ_ONCE(l->lvt[0]));
	return HRTIMER_NORESTART;
}

static bool uv_lapic_deadline_mode(struct uv_lapic *l)
{
	return (l->lvt[0] & LVT_TIMER_MODE) == LVT_TIMER_TSCDEADLINE;
}

static void uv_lapic_set_deadline(struct uv_vcpu *v, u64 deadline)
{
	struct uv_lapic *l = &v->plat.lapic;
	u64 now, ns;

	hrtimer_cancel(&l->timer);
	WRITE_ONCE(l->tsc_deadline, 0);
	if (!deadline || !uv_lapic_deadline_mode(l))
		return;
	now = rdtsc();
	if (deadline <= now || !tsc_khz) {
		l->timer_fired++;
		uv_lapic_raise(v, l->lvt[0]);
		return;
	}
	/* a deadline centuries away must not wrap into a negative ktime */
	ns = min_t(u64, mul_u64_u32_div(deadline - now, NSEC_PER_MSEC, tsc_khz), KTIME_MAX);
	WRITE_ONCE(l->tsc_deadline, deadline);
	hrtimer_start(&l->timer, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
}

static void uv_ipi_count(struct uv_vcpu *v, enum uv_ipi_stat what)
{
	atomic64_inc(&v->ipi_stats[what]);
}

/* Does destination @dest of an ICR without shorthand name @t? */
static bool uv_icr_match(const struct uv_vcpu *t, u64 icr, u32 dest)
{
	u32 id = t->plat.apic_id;

	if (dest == ICR_BROADCAST)
		return true;
	if (!(icr & ICR_LOGICAL))
		return dest == id;
	/* x2APIC logical: cluster in 31:16, one bit per member in 15:0 (LDR) */
	return (dest >> 16) == (id >> 4) && (dest & BIT(id & 15));
}

/*
 * Post INIT or STARTUP from @v to @t (another vCPU); its runner takes it
 * (uv_lapic_take_sipi). A STARTUP while one is still pending is dropped.
 */
static void uv_ipi_sipi(struct uv_vcpu *v, struct uv_vcpu *t, u64 icr)
{
	if ((icr & ICR_DELIVERY) != ICR_STARTUP) {
		set_bit(UV_SIPI_EV_INIT, &t->sipi_ev);
	} else if (atomic_cmpxchg(&t->sipi_start, 0,
				  UV_SIPI_PENDING | (icr & ICR_VECTOR)) != 0) {
		uv_ipi_count(v, UV_IPI_IGNORED);
		return;
	}
	uv_vcpu_wake(t);
}

/* Send the IPI @icr asks for to @t; @self: @t is the sender. */
static void uv_ipi_one(struct uv_vcpu *v, struct uv_vcpu *t, u64 icr, bool self)
{
	u32 vector = icr & ICR_VECTOR;

	switch (icr & ICR_DELIVERY) {
	case ICR_FIXED:
		if (READ_ONCE(t->wait_sipi))
			break;		/* INIT state: interrupts are not accepted */
		uv_vcpu_raise_irq(t, vector);
		uv_ipi_count(v, UV_IPI_FIXED);
		return;
	case ICR_INIT:
		/* level de-assert (Linux sends it after the assert): no effect */
		if (self || ((icr & ICR_LEVEL) && !(icr & ICR_ASSERT)))
			break;
		uv_ipi_sipi(v, t, icr);
		return;
	case ICR_STARTUP:
		if (self)
			break;
		uv_ipi_sipi(v, t, icr);
		return;
	}
	uv_ipi_count(v, UV_IPI_IGNORED);
}

/*
 * A write to the ICR. 0, or -EINVAL (#GP) for reserved bits. Fixed vectors
 * below 32 are illegal here (the ESR says so) and nothing is sent.
 */
static int uv_lapic_icr(struct uv_vcpu *v, u64 icr)
{
	struct uv_partition *p = v->part;
	u32 dest = icr >> 32, mode = icr & ICR_DELIVERY;
	u64 sh = icr & ICR_SHORTHAND;
	unsigned int i;
	bool any = false;

	if (icr & ICR_RESERVED)
		return -EINVAL;
	v->plat.lapic.icr = icr & ~ICR_STATUS;
	if (mode == ICR_FIXED && (icr & ICR_VECTOR) < UV_FIRST_EXT_VECTOR) {
		v->plat.lapic.esr |= ESR_SEND_ILLEGAL;
		uv_ipi_count(v, UV_IPI_IGNORED);
		return 0;
	}
	if (mode != ICR_FIXED && mode != ICR_INIT && mode != ICR_STARTUP) {
		/* NMI, SMI, ExtINT, lowest priority, reserved */
		uv_ipi_count(v, UV_IPI_IGNORED);
		return 0;
	}
	if (sh == ICR_SELF) {
		uv_ipi_one(v, v, icr, true);
		return 0;
	}
	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *t = &p->vcpus[i];

		if (sh == ICR_ALL_BUT_SELF && t == v)
			continue;
		if (sh == ICR_DEST_FIELD && !uv_icr_match(t, icr, dest))
			continue;
		uv_ipi_one(v, t, icr, t == v);
		any = true;
	}
	if (!any)
		uv_ipi_count(v, UV_IPI_IGNORED);	/* no vCPU has that APIC ID */
	return 0;
}

/*
 * The runner of @v, before an entry, in process context: take the INIT and
 * STARTUP other vCPUs sent. INIT: back to the reset state, waiting for a
 * STARTUP. STARTUP while waiting: real mode at the vector's page. The
 * executor does not pick a waiting vCPU until something is posted (sched.c).
 */
void uv_lapic_take_sipi(struct uv_vcpu *v)
{
	int start;

	if (test_and_clear_bit(UV_SIPI_EV_INIT, &v->sipi_ev)) {
		/* INIT first: with a STARTUP also pending, that one then starts it */
		uv_platform_reset(v);
		uv_irq_reset_pending(v);
		WRITE_ONCE(v->wait_sipi, true);
		uv_ipi_count(v, UV_IPI_INIT);
	}
	start = atomic_xchg(&v->sipi_start, 0);
	if (!start)
		return;
	if (!READ_ONCE(v->wait_sipi)) {
		uv_ipi_count(v, UV_IPI_IGNORED);	/* Linux sends two: the second is void */
		return;
	}
	memset(&v->regs, 0, sizeof(v->regs));
	uv_irq_reset_pending(v);
	uv_vendor->vcpu_sipi(v, start & ICR_VECTOR);
	WRITE_ONCE(v->wait_sipi, false);
	uv_ipi_count(v, UV_IPI_STARTUP);
}

bool uv_lapic_x2apic_msr(u32 msr)
{
	return msr >= 0x800 && msr <= 0x8ff;
}

static bool uv_x2apic_on(struct uv_lapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}

int uv_lapic_rdmsr(struct uv_vcpu *v, u32 msr, u64 *val)
{
	struct uv_lapic *l = &v->plat.lapic;
	u32 i;

	if (msr == MSR_TSC_DEADLINE) {
		*val = uv_lapic_deadline_mode(l) ? READ_ONCE(l->tsc_deadline) : 0;
		return 0;
	}
	if (!uv_x2apic_on(l))
		return -EINVAL;
	switch (msr) {
	case X2APIC_ID:
		*val = v->plat.apic_id;
		return 0;
	case X2APIC_VER:
		*val = APIC_VERSION | APIC_MAXLVT << 16;
		return 0;
	case X2APIC_TPR:
		*val = l->tpr;
		return 0;
	case X2APIC_PPR:
		*val = uv_ppr(l);
		return 0;
	case X2APIC_LDR:
		*val = (v->plat.apic_id >> 4) << 16 | BIT(v->plat.apic_id & 15);
		return 0;
	case X2APIC_SVR:
		*val = l->svr;
		return 0;
	case X2APIC_ISR0 ... X2APIC_ISR0 + 7:
		i = (msr - X2APIC_ISR0) * 32;
		*val = uv_reg32(l->isr, i);
		return 0;
	case X2APIC_TMR0 ... X2APIC_TMR0 + 7:
		*val = 0;		/* edge-triggered only */
		return 0;
	case X2APIC_IRR0 ... X2APIC_IRR0 + 7:
		i = (msr - X2APIC_IRR0) * 32;
		*val = uv_reg32(v->irq_pending, i);
		return 0;
	case X2APIC_ESR:
		*val = l->esr;
		return 0;
	case X2APIC_CMCI:
		*val = l->lvt_cmci;
		return 0;
	case X2APIC_ICR:
		*val = l->icr;
		return 0;
	case X2APIC_LVT0 ... X2APIC_LVT0 + UV_LAPIC_NR_LVT - 1:
		*val = l->lvt[msr - X2APIC_LVT0];
		return 0;
	case X2APIC_TMICT:
		*val = l->tmict;
		return 0;
	case X2APIC_TMCCT:
		*val = 0;		/* the count-down timer does not run */
		return 0;
	case X2APIC_TDCR:
		*val = l->tdcr;
		return 0;
	}
	return -EINVAL;			/* reserved or write-only (EOI, SELF_IPI): #GP */
}

int uv_lapic_wrmsr(struct uv_vcpu *v, u32 msr, u64 val)
{
	struct uv_lapic *l = &v->plat.lapic;
	unsigned int i;
	int isrv;

	if (msr == MSR_TSC_DEADLINE) {
		uv_lapic_set_deadline(v, val);
		return 0;
	}
	if (!uv_x2apic_on(l))
		return -EINVAL;
	if (msr != X2APIC_ICR && (val >> 32))
		return -EINVAL;		/* only the ICR is 64 bits wide */
	switch (msr) {
	case X2APIC_TPR:
		if (val & ~0xffULL)
			return -EINVAL;
		l->tpr = val;
		return 0;
	case X2APIC_EOI:
		if (val)
			return -EINVAL;
		isrv = uv_isr_highest(l);
		if (isrv >= 0)
			__clear_bit(isrv, l->isr);
		l->eoi_count++;
		return 0;
	case X2APIC_SVR:
		if (val & ~0x3ffULL)
			return -EINVAL;
		l->svr = val;
		if (!(val & SVR_ENABLE)) {	/* software disable masks every LVT */
			for (i = 0; i < UV_LAPIC_NR_LVT; i++)
				l->lvt[i] |= LVT_MASKED;
			uv_lapic_set_deadline(v, 0);
		}
		return 0;
	case X2APIC_ESR:
		if (val)
			return -EINVAL;
		l->esr = 0;
		return 0;
	case X2APIC_CMCI:
		l->lvt_cmci = val & LVT_BITS;
		return 0;
	case X2APIC_ICR:
		return uv_lapic_icr(v, val);
	case X2APIC_LVT0:
		if ((val & LVT_TIMER_MODE) == LVT_TIMER_MODE)
			return -EINVAL;		/* mode 11 is reserved */
		val &= LVT_TIMER_BITS;
		if (!(l->svr & SVR_ENABLE))
			val |= LVT_MASKED;
		if ((val ^ l->lvt[0]) & LVT_TIMER_MODE)
			uv_lapic_set_deadline(v, 0);	/* a mode change disarms */
		WRITE_ONCE(l->lvt[0], val);
		return 0;
	case X2APIC_LVT0 + 1 ... X2APIC_LVT0 + UV_LAPIC_NR_LVT - 1:
		val &= LVT_BITS;
		if (!(l->svr & SVR_ENABLE))
			val |= LVT_MASKED;
		l->lvt[msr - X2APIC_LVT0] = val;
		return 0;
	case X2APIC_TMICT:
		l->tmict = val;
		return 0;
	case X2APIC_TDCR:
		l->tdcr = val & 0xb;
		return 0;
	case X2APIC_SELF_IPI:
		if (val & ~0xffULL)
			return -EINVAL;
		uv_lapic_self(v, val);
		return 0;
	}
	return -EINVAL;			/* read-only or reserved: #GP */
}

/*
 * IA32_APIC_BASE: the base never moves; x2APIC on (EN | EXTD) or off
 * (neither). xAPIC mode (EN alone) is refused: there is no MMIO page.
 */
int uv_lapic_set_base(struct uv_vcpu *v, u64 val)
{
	struct uv_lapic *l = &v->plat.lapic;
	u64 mode_bits = APIC_BASE_EN | APIC_BASE_EXTD, mode = val & mode_bits;

	if ((val & ~mode_bits) != (l->apic_base & ~mode_bits))
		return -EINVAL;
	if (mode != 0 && mode != (APIC_BASE_EN | APIC_BASE_EXTD))
		return -EINVAL;
	if (!mode)
		uv_lapic_set_deadline(v, 0);
	l->apic_base = val;
	return 0;
}

void uv_platform_init(struct uv_vcpu *v, u32 apic_id)
{
	hrtimer_init(&v->plat.lapic.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	v->plat.lapic.timer.function = uv_lapic_timer_fn;
	v->plat.apic_id = apic_id;
}

/* A new guest: the architectural reset state, x2APIC already enabled. */
void uv_platform_reset(struct uv_vcpu *v)
{
	struct uv_platform *pl = &v->plat;
	struct uv_lapic *l = &pl->lapic;
	unsigned int i;

	hrtimer_cancel(&l->timer);
	l->apic_base = APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD |
		       (pl->apic_id ? 0 : APIC_BASE_BSP);
	l->tpr = 0;
	l->svr = 0xff;
	for (i = 0; i < UV_LAPIC_NR_LVT; i++)
		l->lvt[i] = LVT_MASKED;
	l->lvt_cmci = LVT_MASKED;
	l->esr = 0;
	l->tmict = 0;
	l->tdcr = 0;
	l->icr = 0;
	bitmap_zero(l->isr, 256);
	l->tsc_deadline = 0;
	l->timer_fired = 0;
	l->eoi_count = 0;
	pl->kvm_system_time = 0;
	pl->kvm_wall_clock = 0;
}

/* No timer may fire once the vCPU is gone or stopped. */
void uv_platform_stop(struct uv_vcpu *v)
{
	hrtimer_cancel(&v->plat.lapic.timer);
}
