/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtualization features of the host's CPUs, probed once at module load
 * (kmod/core/cpu_features.c) and read-only afterwards. The monitor code branches
 * on the has_* flags (Jailhouse style) instead of reading CPUID/MSRs again.
 *
 * When CPUs differ, every field holds what *all* probed CPUs offer: features are
 * ANDed, the ASID count is the minimum, VMX allowed-1 control bits are ANDed and
 * required-1 (allowed-0) bits ORed.
 *
 * Bit names follow the manuals, not the kernel's private headers, whose names
 * and homes move between releases (this module builds against 6.1 and 6.12):
 * AMD APM vol. 2 (CPUID Fn8000_000A, VM_CR MSR) and Intel SDM vol. 3 appendix A.
 */
#ifndef _UV_CPU_FEATURES_H
#define _UV_CPU_FEATURES_H

#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/types.h>

/* CPUID Fn8000_0001 ECX / Fn0000_0001 ECX */
#define UV_CPUID_EXT1_ECX_SVM		BIT(2)
#define UV_CPUID_1_ECX_VMX		BIT(5)
#define UV_CPUID_1_ECX_HYPERVISOR	BIT(31)

#define UV_CPUID_SVM_LEAF		0x8000000a

/* CPUID Fn8000_000A EDX: SVM feature identification (APM vol. 2, 15.x; vol. 3 E.4.9) */
#define UV_SVM_NPT			BIT(0)
#define UV_SVM_LBRV			BIT(1)
#define UV_SVM_SVML			BIT(2)
#define UV_SVM_NRIPS			BIT(3)
#define UV_SVM_TSC_RATE			BIT(4)
#define UV_SVM_VMCB_CLEAN		BIT(5)
#define UV_SVM_FLUSH_BY_ASID		BIT(6)
#define UV_SVM_DECODE_ASSISTS		BIT(7)
#define UV_SVM_PAUSE_FILTER		BIT(10)
#define UV_SVM_PAUSE_FILTER_THRESH	BIT(12)
#define UV_SVM_AVIC			BIT(13)
#define UV_SVM_VMSAVE_VIRT		BIT(15)
#define UV_SVM_VGIF			BIT(16)
#define UV_SVM_GMET			BIT(17)
#define UV_SVM_X2AVIC			BIT(18)
#define UV_SVM_SSS_CHECK		BIT(19)
#define UV_SVM_SPEC_CTRL		BIT(20)
#define UV_SVM_ROGPT			BIT(21)
#define UV_SVM_HOST_MCE_OVERRIDE	BIT(23)
#define UV_SVM_TLBI_CTL			BIT(24)
#define UV_SVM_VNMI			BIT(25)
#define UV_SVM_IBS_VIRT			BIT(26)
#define UV_SVM_SVME_ADDR_CHK		BIT(28)

/* VM_CR MSR (0xc0010114), APM vol. 2, 15.30.1 */
#define UV_VM_CR_LOCK			BIT_ULL(3)
#define UV_VM_CR_SVMDIS			BIT_ULL(4)

/* IA32_FEATURE_CONTROL (0x3a) */
#define UV_FEAT_CTL_LOCKED		BIT_ULL(0)
#define UV_FEAT_CTL_VMX_IN_SMX		BIT_ULL(1)
#define UV_FEAT_CTL_VMX_OUTSIDE_SMX	BIT_ULL(2)

/*
 * VMX: one word of named features synthesized from the IA32_VMX_* capability
 * MSRs, so that CPUs can be compared and reported like SVM's CPUID word.
 */
#define UV_VMXF_EPT			BIT_ULL(0)	/* secondary ctl 1 */
#define UV_VMXF_VPID			BIT_ULL(1)	/* secondary ctl 5 */
#define UV_VMXF_UNRESTRICTED_GUEST	BIT_ULL(2)	/* secondary ctl 7 */
#define UV_VMXF_PREEMPTION_TIMER	BIT_ULL(3)	/* pin-based ctl 6 */
#define UV_VMXF_POSTED_INTR		BIT_ULL(4)	/* pin-based ctl 7 */
#define UV_VMXF_VIRTUAL_NMIS		BIT_ULL(5)	/* pin-based ctl 5 */
#define UV_VMXF_TPR_SHADOW		BIT_ULL(6)	/* primary ctl 21 */
#define UV_VMXF_MSR_BITMAPS		BIT_ULL(7)	/* primary ctl 28 */
#define UV_VMXF_IO_BITMAPS		BIT_ULL(8)	/* primary ctl 25 */
#define UV_VMXF_MTF			BIT_ULL(9)	/* primary ctl 27 */
#define UV_VMXF_SECONDARY_CTLS		BIT_ULL(10)	/* primary ctl 31 */
#define UV_VMXF_APIC_ACCESS		BIT_ULL(11)	/* secondary ctl 0 */
#define UV_VMXF_X2APIC_MODE		BIT_ULL(12)	/* secondary ctl 4 */
#define UV_VMXF_APIC_REG_VIRT		BIT_ULL(13)	/* secondary ctl 8 */
#define UV_VMXF_VIRT_INTR_DELIVERY	BIT_ULL(14)	/* secondary ctl 9 */
#define UV_VMXF_PAUSE_LOOP_EXITING	BIT_ULL(15)	/* secondary ctl 10 */
#define UV_VMXF_RDTSCP			BIT_ULL(16)	/* secondary ctl 3 */
#define UV_VMXF_VMFUNC			BIT_ULL(17)	/* secondary ctl 13 */
#define UV_VMXF_SHADOW_VMCS		BIT_ULL(18)	/* secondary ctl 14 */
#define UV_VMXF_XSAVES			BIT_ULL(19)	/* secondary ctl 20 */
#define UV_VMXF_TSC_SCALING		BIT_ULL(20)	/* secondary ctl 25 */
#define UV_VMXF_EPT_4LEVEL		BIT_ULL(21)	/* EPT_VPID_CAP 6 */
#define UV_VMXF_EPT_5LEVEL		BIT_ULL(22)	/* EPT_VPID_CAP 7 */
#define UV_VMXF_EPT_WB			BIT_ULL(23)	/* EPT_VPID_CAP 14 */
#define UV_VMXF_EPT_2M			BIT_ULL(24)	/* EPT_VPID_CAP 16 */
#define UV_VMXF_EPT_1G			BIT_ULL(25)	/* EPT_VPID_CAP 17 */
#define UV_VMXF_INVEPT			BIT_ULL(26)	/* EPT_VPID_CAP 20 */
#define UV_VMXF_EPT_AD			BIT_ULL(27)	/* EPT_VPID_CAP 21 */
#define UV_VMXF_INVVPID			BIT_ULL(28)	/* EPT_VPID_CAP 32 */
#define UV_VMXF_TRUE_CTLS		BIT_ULL(29)	/* VMX_BASIC 55 */
#define UV_VMXF_INS_OUTS_INFO		BIT_ULL(30)	/* VMX_BASIC 54 */
#define UV_VMXF_ACTIVITY_HLT		BIT_ULL(31)	/* VMX_MISC 6 */
#define UV_VMXF_LOAD_EFER		BIT_ULL(32)	/* entry ctl 15 + exit ctl 21 */
#define UV_VMXF_ACK_INTR_ON_EXIT	BIT_ULL(33)	/* exit ctl 15 */

/**
 * struct uv_cpu_features - what every probed CPU offers
 * @virt:		UV_VIRT_SVM or UV_VIRT_VMX (uapi/linux/ultravisor.h)
 * @nr_cpus:		number of CPUs probed (those online at load)
 * @hypervisor:		CPUID.1 ECX.HYPERVISOR: the host itself is a guest
 * @svm_revision:	CPUID Fn8000_000A EAX[7:0]
 * @svm_nr_asids:	CPUID Fn8000_000A EBX (minimum over the CPUs)
 * @svm_features:	CPUID Fn8000_000A EDX (UV_SVM_*)
 * @vmx_basic:		IA32_VMX_BASIC of the first CPU
 * @vmx_pin:		IA32_VMX_(TRUE_)PINBASED_CTLS: low dword = bits that must
 *			be 1 (ORed), high dword = bits that may be 1 (ANDed)
 * @vmx_proc:		IA32_VMX_(TRUE_)PROCBASED_CTLS, same layout
 * @vmx_proc2:		IA32_VMX_PROCBASED_CTLS2, same layout (0 if absent)
 * @vmx_exit:		IA32_VMX_(TRUE_)EXIT_CTLS, same layout
 * @vmx_entry:		IA32_VMX_(TRUE_)ENTRY_CTLS, same layout
 * @vmx_misc:		IA32_VMX_MISC of the first CPU
 * @vmx_ept_vpid:	IA32_VMX_EPT_VPID_CAP (ANDed; 0 if absent)
 * @vmx_features:	UV_VMXF_* (ANDed)
 */
struct uv_cpu_features {
	u32 virt;
	unsigned int nr_cpus;
	bool hypervisor;

	u32 svm_revision;
	u32 svm_nr_asids;
	u32 svm_features;

	u64 vmx_basic;
	u64 vmx_pin;
	u64 vmx_proc;
	u64 vmx_proc2;
	u64 vmx_exit;
	u64 vmx_entry;
	u64 vmx_misc;
	u64 vmx_ept_vpid;
	u64 vmx_features;

	/* Probed once; the monitor branches on these. */
	bool has_npt;
	bool has_nrips;
	bool has_decode_assists;
	bool has_vmcb_clean;
	bool has_flush_by_asid;
	bool has_lbrv;
	bool has_avic;
	bool has_vgif;
	bool has_pause_filter;
	bool has_vmsave_virt;
	bool has_vnmi;

	bool has_ept;
	bool has_vpid;
	bool has_unrestricted_guest;
	bool has_preemption_timer;
	bool has_ept_ad;
	bool has_invept;
	bool has_invvpid;
};

extern struct uv_cpu_features uv_cpu_features;

/*
 * Probe every online CPU, log what it offers and decide whether ultravisor can
 * run: 0, -ENODEV (no usable SVM/VMX), -EBUSY (another hypervisor holds it) or
 * -ENOMEM. Called once from module init, before anything else.
 */
int uv_cpu_features_probe(void);

#endif /* _UV_CPU_FEATURES_H */
