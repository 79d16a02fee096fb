// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock (Linux Documentation/virt/kvm/x86/msr.rst), the documented
 * paravirtual clock the stock kernel already speaks. What it buys: the TSC
 * frequency, which Linux on AMD can otherwise only calibrate against a
 * PIT, HPET or PM timer that we do not emulate, the delay-loop preset, and
 * the wall clock without a CMOS RTC.
 *
 * The guest's TSC is the host's (VMCB TSC offset 0, RDTSC not intercepted),
 * so one pvclock_vcpu_time_info written when the guest registers it stays
 * right: system_time = ns since the partition was loaded at tsc_timestamp,
 * the scale from the host's tsc_khz, and PVCLOCK_TSC_STABLE_BIT. It would
 * need rewriting only if the vCPU's TSC changed rate or offset, which it
 * does not (the vCPU stays on its CPU, the host TSC is the clocksource).
 * The structures are written through uv_gpa_to_kva(): wholly inside the
 * partition, or the write is refused with #GP.
 */
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "internal.h"

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define PVCLOCK_TSC_STABLE_BIT	0x01
#define KVMCLOCK_ENABLE		0x01ULL

/* Documentation/virt/kvm/x86/msr.rst: struct pvclock_vcpu_time_info (32 bytes) */
struct uv_pvclock_vcpu {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags;
	u8 pad[2];
} __packed;

/* struct pvclock_wall_clock (12 bytes) */
struct uv_pvclock_wall {
	u32 version;
	u32 sec;
	u32 nsec;
} __packed;

/*
 * ns = ((tsc_delta << shift, or >> -shift) * mul) >> 32. Normalize the TSC
 * rate b into (1e9, 2e9] by doubling or halving, counting the steps in
 * shift; mul = 1e9 * 2^32 / b then lies in [2^31, 2^32).
 */
static void uv_kvmclock_scale(u64 tsc_hz, u32 *mul, s8 *shift)
{
	u64 b = tsc_hz;
	int s = 0;

	while (b <= NSEC_PER_SEC) {
		b <<= 1;
		s++;
	}
	while (b > 2 * (u64)NSEC_PER_SEC) {
		b >>= 1;
		s--;
	}
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, b);
	*shift = s;
}

static int uv_kvmclock_system_time(struct uv_vcpu *v, u64 val)
{
	struct uv_pvclock_vcpu *t;
	u32 mul;
	s8 shift;

	if (!(val & KVMCLOCK_ENABLE)) {
		v->plat.kvm_system_time = val;	/* disabled: nothing more is written */
		return 0;
	}
	t = uv_gpa_to_kva(v->part, val & ~KVMCLOCK_ENABLE, sizeof(*t));
	if (!t || !tsc_khz)
		return -EINVAL;
	uv_kvmclock_scale((u64)tsc_khz * 1000, &mul, &shift);
	WRITE_ONCE(t->version, READ_ONCE(t->version) | 1);
	smp_wmb();	/* odd version before the fields: readers retry */
	/*
	 * Every vCPU's page has the same reference, the partition's load (TSC
	 * and 0 ns): their clocks agree exactly, so time read on one vCPU never
	 * runs behind time read on another before it (PVCLOCK_TSC_STABLE_BIT).
	 */
	t->tsc_timestamp = v->part->boot_tsc;
	t->system_time = 0;
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	t->flags = PVCLOCK_TSC_STABLE_BIT;
	smp_wmb();	/* the fields before the even version */
	WRITE_ONCE(t->version, READ_ONCE(t->version) + 1);
	v->plat.kvm_system_time = val;
	return 0;
}

/* The wall-clock time at which kvmclock's system_time was 0. */
static int uv_kvmclock_wall(struct uv_vcpu *v, u64 val)
{
	struct uv_pvclock_wall *w = uv_gpa_to_kva(v->part, val, sizeof(*w));
	u64 ns;
	u32 rem;

	if (!w)
		return -EINVAL;
	ns = ktime_get_real_ns() - (ktime_get_ns() - v->part->boot_ns);
	WRITE_ONCE(w->version, READ_ONCE(w->version) | 1);
	smp_wmb();	/* odd version before the fields: readers retry */
	w->sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);
	w->nsec = rem;
	smp_wmb();	/* the fields before the even version */
	WRITE_ONCE(w->version, READ_ONCE(w->version) + 1);
	v->plat.kvm_wall_clock = val;
	return 0;
}

int uv_kvmclock_wrmsr(struct uv_vcpu *v, u32 msr, u64 val)
{
	if (msr == MSR_KVM_WALL_CLOCK_NEW)
		return uv_kvmclock_wall(v, val);
	return uv_kvmclock_system_time(v, val);
}
