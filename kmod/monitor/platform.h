/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest platform a stock Linux kernel needs (docs/guest-platform.md):
 * filtered CPUID with a KVM-compatible paravirtual leaf (cpuid.c), the MSRs
 * Linux reads and writes (msr.c), an x2APIC with the TSC-deadline timer
 * (lapic.c) and kvmclock (kvmclock.c). Per-vCPU state lives in struct
 * uv_platform inside struct uv_vcpu and belongs to the vCPU thread, except
 * the timer, whose callback only raises an interrupt.
 */
#ifndef _UV_MONITOR_PLATFORM_H
#define _UV_MONITOR_PLATFORM_H

#include <linux/hrtimer.h>
#include <linux/types.h>

struct uv_vcpu;

/* x2APIC LVT entries we keep: timer, thermal, PMC, LINT0, LINT1, error */
#define UV_LAPIC_NR_LVT		6

struct uv_lapic {
	u64 apic_base;			/* IA32_APIC_BASE */
	u32 tpr;
	u32 svr;
	u32 lvt[UV_LAPIC_NR_LVT];
	u32 lvt_cmci;
	u32 esr;
	u32 tmict;			/* one-shot/periodic: stored only */
	u32 tdcr;
	u64 icr;
	unsigned long isr[BITS_TO_LONGS(256)];
	u64 tsc_deadline;		/* armed deadline (guest TSC), 0 = none */
	struct hrtimer timer;		/* fires at tsc_deadline */
	u64 timer_fired;		/* counters, for status and tests */
	u64 eoi_count;
};

struct uv_platform {
	struct uv_lapic lapic;
	u64 kvm_system_time;		/* MSR_KVM_SYSTEM_TIME_NEW as written */
	u64 kvm_wall_clock;		/* MSR_KVM_WALL_CLOCK_NEW as written */
	u32 apic_id;
};

/* lifecycle: create (once), load (new guest), destroy or thread end */
void uv_platform_init(struct uv_vcpu *v, u32 apic_id);
void uv_platform_reset(struct uv_vcpu *v);
void uv_platform_stop(struct uv_vcpu *v);

/* cpuid.c: the answer to CPUID(@leaf, @sub) for @v */
void uv_cpuid(struct uv_vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d);

/*
 * msr.c: the platform's MSRs. 0 handled, -ENOENT not a platform MSR (the
 * caller tries the vendor's), -EINVAL refused (#GP).
 */
int uv_platform_rdmsr(struct uv_vcpu *v, u32 msr, u64 *val);
int uv_platform_wrmsr(struct uv_vcpu *v, u32 msr, u64 val);

/* lapic.c */
bool uv_lapic_x2apic_msr(u32 msr);
int uv_lapic_rdmsr(struct uv_vcpu *v, u32 msr, u64 *val);
int uv_lapic_wrmsr(struct uv_vcpu *v, u32 msr, u64 val);
int uv_lapic_set_base(struct uv_vcpu *v, u64 val);
bool uv_lapic_enabled(struct uv_vcpu *v);
int uv_lapic_pick(struct uv_vcpu *v);
void uv_lapic_accept(struct uv_vcpu *v, u8 vector);

/* kvmclock.c */
int uv_kvmclock_wrmsr(struct uv_vcpu *v, u32 msr, u64 val);

#endif /* _UV_MONITOR_PLATFORM_H */
