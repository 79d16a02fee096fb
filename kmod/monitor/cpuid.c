// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as a guest sees it (docs/guest-platform.md, "CPUID and the x2APIC").
 *
 * The host's answers, filtered: only features the monitor lets the guest use
 * and that need no emulation it does not have. On top of that, what the
 * platform emulates: the x2APIC (leaf 1 ECX[21], the APIC in EDX[9], the
 * APIC ID in EBX[31:24]) with the TSC-deadline timer (ECX[24]) and an
 * always-running timer (leaf 6 EAX[2] ARAT: Linux then needs no PIT), an
 * invariant TSC when the host's is, our own signature at 0x40000000 and
 * KVM's at 0x40000100 offering only kvmclock (CLOCKSOURCE2, stable bit)
 * and NOP_IO_DELAY. Linux scans 0x40000000-0x4000ff00 for KVM, so the
 * second slot is found; no KVM feature that makes Linux issue a KVM
 * hypercall is offered (their numbers collide with ours). XSAVE/AVX stay
 * hidden: the guest's FPU state is switched with FXSAVE/FXRSTOR and XCR0
 * is the host's.
 */
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include <linux/ultravisor_hypercall.h>

#include "internal.h"

/* CPUID bits a guest may see (everything else reads as 0) */
#define UV_CPUID1_ECX_KEEP	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | \
				 BIT(22) | BIT(23) | BIT(25) | BIT(30))
#define UV_CPUID1_EDX_KEEP	(BIT(0) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
				 BIT(8) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(17) | \
				 BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
#define UV_CPUID7_EBX_KEEP	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(19) | \
				 BIT(20) | BIT(23))
#define UV_CPUIDX1_ECX_KEEP	(BIT(0) | BIT(5) | BIT(6) | BIT(8))
#define UV_CPUIDX1_EDX_KEEP	(BIT(0) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | \
				 BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(17) | BIT(20) | \
				 BIT(22) | BIT(23) | BIT(24) | BIT(26) | BIT(29))

/* what the platform adds */
#define UV_CPUID1_ECX_X2APIC		BIT(21)
#define UV_CPUID1_ECX_TSC_DEADLINE	BIT(24)
#define UV_CPUID1_ECX_HYPERVISOR	BIT(31)
#define UV_CPUID1_EDX_APIC		BIT(9)
#define UV_CPUID6_EAX_ARAT		BIT(2)
#define UV_CPUIDX7_EDX_INVTSC		BIT(8)

/* KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst), second slot */
#define UV_KVM_CPUID_BASE		0x40000100
#define UV_KVM_CPUID_FEATURES		0x40000101
#define UV_KVM_SIG_EBX			0x4b4d564b	/* "KVMK" */
#define UV_KVM_SIG_ECX			0x564b4d56	/* "VMKV" */
#define UV_KVM_SIG_EDX			0x0000004d	/* "M\0\0\0" */
#define UV_KVM_FEATURE_NOP_IO_DELAY	BIT(1)
#define UV_KVM_FEATURE_CLOCKSOURCE2	BIT(3)
#define UV_KVM_FEATURE_STABLE_BIT	BIT(24)

void uv_cpuid(struct uv_vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	u32 max_basic = cpuid_eax(0), max_ext = cpuid_eax(0x80000000);

	*a = 0;
	*b = 0;
	*c = 0;
	*d = 0;
	if (leaf < 0x40000000 && leaf > min(max_basic, 7u))
		return;
	if (leaf >= 0x80000000 && leaf > min(max_ext, 0x80000008u))
		return;
	switch (leaf) {
	case 0:
		cpuid(0, a, b, c, d);
		*a = min(*a, 7u);
		break;
	case 1:
		cpuid(1, a, b, c, d);
		/* CLFLUSH size kept; one logical processor; the vCPU's APIC ID */
		*b = (*b & 0xff00) | (v->plat.apic_id << 24);
		*c = (*c & UV_CPUID1_ECX_KEEP) | UV_CPUID1_ECX_HYPERVISOR |
		     UV_CPUID1_ECX_X2APIC | UV_CPUID1_ECX_TSC_DEADLINE;
		*d = (*d & UV_CPUID1_EDX_KEEP) | UV_CPUID1_EDX_APIC;
		break;
	case 6:
		*a = UV_CPUID6_EAX_ARAT;	/* the deadline timer never stops */
		break;
	case 7:
		if (sub)
			break;
		cpuid_count(7, 0, a, b, c, d);
		*a = 0;
		*b &= UV_CPUID7_EBX_KEEP;
		*c = 0;
		*d = 0;
		break;
	case UV_CPUID_SIGNATURE:
		*a = UV_CPUID_MAX_LEAF;
		*b = UV_CPUID_SIG_EBX;
		*c = UV_CPUID_SIG_ECX;
		*d = UV_CPUID_SIG_EDX;
		break;
	case UV_CPUID_ABI:
		*a = UV_HC_ABI_VERSION_NR;
		break;
	case UV_KVM_CPUID_BASE:
		*a = UV_KVM_CPUID_FEATURES;
		*b = UV_KVM_SIG_EBX;
		*c = UV_KVM_SIG_ECX;
		*d = UV_KVM_SIG_EDX;
		break;
	case UV_KVM_CPUID_FEATURES:
		*a = UV_KVM_FEATURE_NOP_IO_DELAY | UV_KVM_FEATURE_CLOCKSOURCE2 |
		     UV_KVM_FEATURE_STABLE_BIT;
		break;
	case 0x80000000:
		cpuid(leaf, a, b, c, d);
		*a = min(*a, 0x80000008u);
		break;
	case 0x80000001:
		cpuid(leaf, a, b, c, d);
		*b = 0;
		*c &= UV_CPUIDX1_ECX_KEEP;
		*d &= UV_CPUIDX1_EDX_KEEP;
		break;
	case 0x80000002 ... 0x80000006:	/* brand string, caches */
		cpuid(leaf, a, b, c, d);
		break;
	case 0x80000007:
		/* the guest's TSC is the host's: invariant if the host's is */
		if (boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
		    boot_cpu_has(X86_FEATURE_NONSTOP_TSC))
			*d = UV_CPUIDX7_EDX_INVTSC;
		break;
	case 0x80000008:
		cpuid(leaf, a, b, c, d);
		*a &= 0xffff;		/* address sizes only */
		*b = 0;
		*c = 0;
		*d = 0;
		break;
	}
}
