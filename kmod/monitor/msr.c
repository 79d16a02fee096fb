// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs of the Linux guest platform (docs/guest-platform.md, "MSRs"):
 * IA32_APIC_BASE and the x2APIC range 0x800-0x8ff and IA32_TSC_DEADLINE
 * (lapic.c), kvmclock's two MSRs (kvmclock.c), and two AMD MSRs Linux reads
 * without a fault handler: HWCR once the TSC is invariant (to check that it
 * counts at P0 frequency: TscFreqSel, bit 24), and on family 0xf (QEMU's
 * model) the K8 interrupt-pending message register, for the E400 C1E check. Anything else is the
 * caller's: exits.c's short list, then the vendor's, then #GP.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

#include "internal.h"

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_AMD_HWCR		0xc0010015
#define MSR_AMD_INT_PENDING_MSG	0xc0010055	/* K8: C1E enable bits (Linux's E400 check) */
#define HWCR_TSC_FREQ_SEL	BIT_ULL(24)

int uv_platform_rdmsr(struct uv_vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_APIC_BASE:
		*val = v->plat.lapic.apic_base;
		return 0;
	case MSR_TSC_DEADLINE:
		return uv_lapic_rdmsr(v, msr, val);
	case MSR_KVM_WALL_CLOCK_NEW:
		*val = v->plat.kvm_wall_clock;
		return 0;
	case MSR_KVM_SYSTEM_TIME_NEW:
		*val = v->plat.kvm_system_time;
		return 0;
	case MSR_AMD_HWCR:
		*val = HWCR_TSC_FREQ_SEL;
		return 0;
	case MSR_AMD_INT_PENDING_MSG:
		*val = 0;		/* no C1E: the idle loop may use HLT */
		return 0;
	}
	if (uv_lapic_x2apic_msr(msr))
		return uv_lapic_rdmsr(v, msr, val);
	return -ENOENT;
}

int uv_platform_wrmsr(struct uv_vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_APIC_BASE:
		return uv_lapic_set_base(v, val);
	case MSR_TSC_DEADLINE:
		return uv_lapic_wrmsr(v, msr, val);
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		return uv_kvmclock_wrmsr(v, msr, val);
	case MSR_AMD_HWCR:
		return 0;		/* nothing in it is emulated: Linux sets chicken bits */
	}
	if (uv_lapic_x2apic_msr(msr))
		return uv_lapic_wrmsr(v, msr, val);
	return -ENOENT;
}
