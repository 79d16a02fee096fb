// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization features of the host CPUs, probed once at module load.
 *
 * Every online CPU runs uv_probe_this_cpu() (one IPI round, with the CPU
 * hotplug lock held so the set of CPUs can't change under us). It records the
 * raw CPUID words and MSRs; everything else happens afterwards on one CPU:
 * deciding whether ultravisor can run here, logging what each CPU offers, and
 * filling uv_cpu_features with what all CPUs share.
 *
 * Ownership of the virtualization extensions: whoever sets EFER.SVME (AMD) or
 * CR4.VMXE (Intel) on a CPU owns it. KVM checks the same bits and answers
 * -EBUSY when they are already set, so the two cannot both run VMs on a CPU.
 * Linux 6.1's kvm_amd/kvm_intel set them only while at least one VM exists
 * (6.12's kvm sets them at module load unless kvm.enable_virt_at_load=0).
 * This file only reads: it refuses to load when another hypervisor holds a CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>

#include <linux/ultravisor.h>
#include <uv/cpu_features.h>

static bool log_all_cpus;
module_param(log_all_cpus, bool, 0444);
MODULE_PARM_DESC(log_all_cpus, "Log the virtualization features of every CPU, not only those that differ from the first (default: N)");

struct uv_cpu_features uv_cpu_features __ro_after_init;

/* MSRs whose read faulted on a CPU (uv_cpu_raw.msr_faults) */
#define UV_FAULT_EFER		BIT(0)
#define UV_FAULT_VM_CR		BIT(1)
#define UV_FAULT_FEAT_CTL	BIT(2)
#define UV_FAULT_VMX		BIT(3)

/* IA32_VMX_BASIC (SDM vol. 3, A.1) */
#define UV_VMX_BASIC_REV(b)	((u32)((b) & GENMASK_ULL(30, 0)))
#define UV_VMX_BASIC_SIZE(b)	((u32)(((b) >> 32) & GENMASK_ULL(12, 0)))
#define UV_VMX_BASIC_INOUT	BIT_ULL(54)
#define UV_VMX_BASIC_TRUE_CTLS	BIT_ULL(55)

/* Control MSRs: allowed-1 settings are the high dword (SDM vol. 3, A.3-A.5). */
#define UV_VMX_MAY1(msr, bit)	((msr) & BIT_ULL(32 + (bit)))

/* Raw per-CPU values, compared between CPUs with memcmp(): no padding. */
struct uv_cpu_caps {
	u32 cpuid1_ecx;
	u32 ext1_ecx;
	u32 svm_eax;
	u32 svm_ebx;
	u32 svm_edx;
	u32 msr_faults;
	u64 vm_cr;
	u64 feat_ctl;
	u64 vmx_basic;
	u64 vmx_pin;
	u64 vmx_proc;
	u64 vmx_proc2;
	u64 vmx_exit;
	u64 vmx_entry;
	u64 vmx_misc;
	u64 vmx_ept_vpid;
};

struct uv_cpu_raw {
	struct uv_cpu_caps caps;
	/* Ownership state, not capabilities: left out of the comparison. */
	u64 efer;
	unsigned long cr4;
	bool probed;
};

struct uv_feat_name {
	u64 mask;
	const char *name;
};

static const struct uv_feat_name uv_svm_names[] = {
	{ UV_SVM_NPT, "npt" },
	{ UV_SVM_NRIPS, "nrips" },
	{ UV_SVM_DECODE_ASSISTS, "decode_assists" },
	{ UV_SVM_VMCB_CLEAN, "vmcb_clean" },
	{ UV_SVM_FLUSH_BY_ASID, "flush_by_asid" },
	{ UV_SVM_LBRV, "lbrv" },
	{ UV_SVM_AVIC, "avic" },
	{ UV_SVM_X2AVIC, "x2avic" },
	{ UV_SVM_VGIF, "vgif" },
	{ UV_SVM_PAUSE_FILTER, "pause_filter" },
	{ UV_SVM_PAUSE_FILTER_THRESH, "pause_filter_threshold" },
	{ UV_SVM_VMSAVE_VIRT, "vmsave_virt" },
	{ UV_SVM_VNMI, "vnmi" },
	{ UV_SVM_TSC_RATE, "tsc_rate" },
	{ UV_SVM_SVML, "svm_lock" },
	{ UV_SVM_SPEC_CTRL, "spec_ctrl" },
	{ UV_SVM_GMET, "gmet" },
	{ UV_SVM_SSS_CHECK, "sss_check" },
	{ UV_SVM_ROGPT, "rogpt" },
	{ UV_SVM_HOST_MCE_OVERRIDE, "host_mce_override" },
	{ UV_SVM_TLBI_CTL, "tlbi_ctl" },
	{ UV_SVM_IBS_VIRT, "ibs_virt" },
	{ UV_SVM_SVME_ADDR_CHK, "svme_addr_chk" },
};

static const struct uv_feat_name uv_vmx_names[] = {
	{ UV_VMXF_EPT, "ept" },
	{ UV_VMXF_VPID, "vpid" },
	{ UV_VMXF_UNRESTRICTED_GUEST, "unrestricted_guest" },
	{ UV_VMXF_PREEMPTION_TIMER, "preemption_timer" },
	{ UV_VMXF_EPT_4LEVEL, "ept_4level" },
	{ UV_VMXF_EPT_5LEVEL, "ept_5level" },
	{ UV_VMXF_EPT_WB, "ept_wb" },
	{ UV_VMXF_EPT_2M, "ept_2m" },
	{ UV_VMXF_EPT_1G, "ept_1g" },
	{ UV_VMXF_EPT_AD, "ept_ad" },
	{ UV_VMXF_INVEPT, "invept" },
	{ UV_VMXF_INVVPID, "invvpid" },
	{ UV_VMXF_VIRTUAL_NMIS, "virtual_nmis" },
	{ UV_VMXF_POSTED_INTR, "posted_intr" },
	{ UV_VMXF_SECONDARY_CTLS, "secondary_ctls" },
	{ UV_VMXF_TRUE_CTLS, "true_ctls" },
	{ UV_VMXF_MSR_BITMAPS, "msr_bitmaps" },
	{ UV_VMXF_IO_BITMAPS, "io_bitmaps" },
	{ UV_VMXF_MTF, "mtf" },
	{ UV_VMXF_TPR_SHADOW, "tpr_shadow" },
	{ UV_VMXF_APIC_ACCESS, "apic_access" },
	{ UV_VMXF_X2APIC_MODE, "x2apic_mode" },
	{ UV_VMXF_APIC_REG_VIRT, "apic_reg_virt" },
	{ UV_VMXF_VIRT_INTR_DELIVERY, "virt_intr_delivery" },
	{ UV_VMXF_PAUSE_LOOP_EXITING, "pause_loop_exiting" },
	{ UV_VMXF_RDTSCP, "rdtscp" },
	{ UV_VMXF_VMFUNC, "vmfunc" },
	{ UV_VMXF_SHADOW_VMCS, "shadow_vmcs" },
	{ UV_VMXF_XSAVES, "xsaves" },
	{ UV_VMXF_TSC_SCALING, "tsc_scaling" },
	{ UV_VMXF_INS_OUTS_INFO, "ins_outs_info" },
	{ UV_VMXF_ACTIVITY_HLT, "activity_hlt" },
	{ UV_VMXF_LOAD_EFER, "load_efer" },
	{ UV_VMXF_ACK_INTR_ON_EXIT, "ack_intr_on_exit" },
};

/* Room for every name of the longer table, space separated. */
#define UV_FEAT_BUF_LEN		512

static void uv_probe_vmx_msrs(struct uv_cpu_caps *c)
{
	bool true_ctls;
	int err = 0;

	err |= rdmsrl_safe(MSR_IA32_VMX_BASIC, &c->vmx_basic);
	true_ctls = c->vmx_basic & UV_VMX_BASIC_TRUE_CTLS;
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, &c->vmx_pin);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, &c->vmx_proc);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			   MSR_IA32_VMX_EXIT_CTLS, &c->vmx_exit);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS, &c->vmx_entry);
	err |= rdmsrl_safe(MSR_IA32_VMX_MISC, &c->vmx_misc);
	/* The secondary controls MSR exists only if primary bit 31 may be 1. */
	if (UV_VMX_MAY1(c->vmx_proc, 31))
		err |= rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &c->vmx_proc2);
	/* EPT_VPID_CAP exists only if EPT or VPID may be enabled (SDM A.10). */
	if (UV_VMX_MAY1(c->vmx_proc2, 1) || UV_VMX_MAY1(c->vmx_proc2, 5))
		err |= rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->vmx_ept_vpid);
	if (err)
		c->msr_faults |= UV_FAULT_VMX;
}

/* Runs on each online CPU, in IPI context: read only, nothing that sleeps. */
static void uv_probe_this_cpu(void *info)
{
	struct uv_cpu_raw *r = (struct uv_cpu_raw *)info + smp_processor_id();
	struct uv_cpu_caps *c = &r->caps;
	u32 eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &c->cpuid1_ecx, &edx);
	if (cpuid_eax(0x80000000) >= 0x80000001)
		c->ext1_ecx = cpuid_ecx(0x80000001);

	if (c->ext1_ecx & UV_CPUID_EXT1_ECX_SVM) {
		if (cpuid_eax(0x80000000) >= UV_CPUID_SVM_LEAF)
			cpuid(UV_CPUID_SVM_LEAF, &c->svm_eax, &c->svm_ebx, &ecx,
			      &c->svm_edx);
		if (rdmsrl_safe(MSR_VM_CR, &c->vm_cr))
			c->msr_faults |= UV_FAULT_VM_CR;
	}
	if (c->cpuid1_ecx & UV_CPUID_1_ECX_VMX) {
		if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &c->feat_ctl))
			c->msr_faults |= UV_FAULT_FEAT_CTL;
		uv_probe_vmx_msrs(c);
	}
	if (rdmsrl_safe(MSR_EFER, &r->efer))
		c->msr_faults |= UV_FAULT_EFER;
	r->cr4 = cr4_read_shadow();
	r->probed = true;
}

static u64 uv_vmx_feature_word(const struct uv_cpu_caps *c)
{
	u64 f = 0;

	if (UV_VMX_MAY1(c->vmx_proc2, 1))
		f |= UV_VMXF_EPT;
	if (UV_VMX_MAY1(c->vmx_proc2, 5))
		f |= UV_VMXF_VPID;
	if (UV_VMX_MAY1(c->vmx_proc2, 7))
		f |= UV_VMXF_UNRESTRICTED_GUEST;
	if (UV_VMX_MAY1(c->vmx_pin, 6))
		f |= UV_VMXF_PREEMPTION_TIMER;
	if (UV_VMX_MAY1(c->vmx_pin, 7))
		f |= UV_VMXF_POSTED_INTR;
	if (UV_VMX_MAY1(c->vmx_pin, 5))
		f |= UV_VMXF_VIRTUAL_NMIS;
	if (UV_VMX_MAY1(c->vmx_proc, 21))
		f |= UV_VMXF_TPR_SHADOW;
	if (UV_VMX_MAY1(c->vmx_proc, 28))
		f |= UV_VMXF_MSR_BITMAPS;
	if (UV_VMX_MAY1(c->vmx_proc, 25))
		f |= UV_VMXF_IO_BITMAPS;
	if (UV_VMX_MAY1(c->vmx_proc, 27))
		f |= UV_VMXF_MTF;
	if (UV_VMX_MAY1(c->vmx_proc, 31))
		f |= UV_VMXF_SECONDARY_CTLS;
	if (UV_VMX_MAY1(c->vmx_proc2, 0))
		f |= UV_VMXF_APIC_ACCESS;
	if (UV_VMX_MAY1(c->vmx_proc2, 4))
		f |= UV_VMXF_X2APIC_MODE;
	if (UV_VMX_MAY1(c->vmx_proc2, 8))
		f |= UV_VMXF_APIC_REG_VIRT;
	if (UV_VMX_MAY1(c->vmx_proc2, 9))
		f |= UV_VMXF_VIRT_INTR_DELIVERY;
	if (UV_VMX_MAY1(c->vmx_proc2, 10))
		f |= UV_VMXF_PAUSE_LOOP_EXITING;
	if (UV_VMX_MAY1(c->vmx_proc2, 3))
		f |= UV_VMXF_RDTSCP;
	if (UV_VMX_MAY1(c->vmx_proc2, 13))
		f |= UV_VMXF_VMFUNC;
	if (UV_VMX_MAY1(c->vmx_proc2, 14))
		f |= UV_VMXF_SHADOW_VMCS;
	if (UV_VMX_MAY1(c->vmx_proc2, 20))
		f |= UV_VMXF_XSAVES;
	if (UV_VMX_MAY1(c->vmx_proc2, 25))
		f |= UV_VMXF_TSC_SCALING;
	if (c->vmx_ept_vpid & BIT_ULL(6))
		f |= UV_VMXF_EPT_4LEVEL;
	if (c->vmx_ept_vpid & BIT_ULL(7))
		f |= UV_VMXF_EPT_5LEVEL;
	if (c->vmx_ept_vpid & BIT_ULL(14))
		f |= UV_VMXF_EPT_WB;
	if (c->vmx_ept_vpid & BIT_ULL(16))
		f |= UV_VMXF_EPT_2M;
	if (c->vmx_ept_vpid & BIT_ULL(17))
		f |= UV_VMXF_EPT_1G;
	if (c->vmx_ept_vpid & BIT_ULL(20))
		f |= UV_VMXF_INVEPT;
	if (c->vmx_ept_vpid & BIT_ULL(21))
		f |= UV_VMXF_EPT_AD;
	if (c->vmx_ept_vpid & BIT_ULL(32))
		f |= UV_VMXF_INVVPID;
	if (c->vmx_basic & UV_VMX_BASIC_TRUE_CTLS)
		f |= UV_VMXF_TRUE_CTLS;
	if (c->vmx_basic & UV_VMX_BASIC_INOUT)
		f |= UV_VMXF_INS_OUTS_INFO;
	if (c->vmx_misc & BIT_ULL(6))
		f |= UV_VMXF_ACTIVITY_HLT;
	if (UV_VMX_MAY1(c->vmx_entry, 15) && UV_VMX_MAY1(c->vmx_exit, 21))
		f |= UV_VMXF_LOAD_EFER;
	if (UV_VMX_MAY1(c->vmx_exit, 15))
		f |= UV_VMXF_ACK_INTR_ON_EXIT;
	return f;
}

/* Space-separated names of the features in @have (or, if !@present, not in it). */
static const char *uv_feat_list(char *buf, const struct uv_feat_name *t, size_t n,
				u64 have, bool present)
{
	size_t len = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!!(have & t[i].mask) != present)
			continue;
		len += scnprintf(buf + len, UV_FEAT_BUF_LEN - len, "%s%s",
				 len ? " " : "", t[i].name);
	}
	return len ? buf : "(none)";
}

/* One CPU's capabilities in one line; @who is "CPU 3" or "all 4 CPUs". */
static void uv_log_cpu(const char *who, const struct uv_cpu_caps *c, u32 virt,
		       char *buf)
{
	if (virt == UV_VIRT_SVM) {
		pr_info("%s: AMD SVM revision %u, %u ASIDs, VM_CR=%#llx (SVMDIS=%d LOCK=%d)%s; features: %s\n",
			who, c->svm_eax & 0xff, c->svm_ebx, c->vm_cr,
			!!(c->vm_cr & UV_VM_CR_SVMDIS), !!(c->vm_cr & UV_VM_CR_LOCK),
			(c->msr_faults & UV_FAULT_VM_CR) ? " (VM_CR unreadable)" : "",
			uv_feat_list(buf, uv_svm_names, ARRAY_SIZE(uv_svm_names),
				     c->svm_edx, true));
	} else {
		pr_info("%s: Intel VMX, VMCS revision %#x size %u, IA32_FEATURE_CONTROL=%#llx (locked=%d vmx_outside_smx=%d)%s; features: %s\n",
			who, UV_VMX_BASIC_REV(c->vmx_basic),
			UV_VMX_BASIC_SIZE(c->vmx_basic), c->feat_ctl,
			!!(c->feat_ctl & UV_FEAT_CTL_LOCKED),
			!!(c->feat_ctl & UV_FEAT_CTL_VMX_OUTSIDE_SMX),
			(c->msr_faults & (UV_FAULT_FEAT_CTL | UV_FAULT_VMX)) ?
			" (some VMX MSRs unreadable)" : "",
			uv_feat_list(buf, uv_vmx_names, ARRAY_SIZE(uv_vmx_names),
				     uv_vmx_feature_word(c), true));
	}
}

/*
 * VMX control MSRs of two CPUs: a bit must be 1 if either requires it (low
 * dword, ORed) and may be 1 only if both allow it (high dword, ANDed).
 */
static u64 uv_vmx_merge_ctls(u64 a, u64 b)
{
	const u64 lo = GENMASK_ULL(31, 0);

	return ((a | b) & lo) | (a & b & ~lo);
}

/* Merge one CPU into @f: features ANDed, minimum ASIDs, VMX controls as above. */
static void uv_merge_cpu(struct uv_cpu_features *f, const struct uv_cpu_caps *c,
			 bool first)
{
	if (first) {
		f->svm_revision = c->svm_eax & 0xff;
		f->svm_nr_asids = c->svm_ebx;
		f->svm_features = c->svm_edx;
		f->vmx_basic = c->vmx_basic;
		f->vmx_misc = c->vmx_misc;
		f->vmx_pin = c->vmx_pin;
		f->vmx_proc = c->vmx_proc;
		f->vmx_proc2 = c->vmx_proc2;
		f->vmx_exit = c->vmx_exit;
		f->vmx_entry = c->vmx_entry;
		f->vmx_ept_vpid = c->vmx_ept_vpid;
		f->vmx_features = uv_vmx_feature_word(c);
		return;
	}
	f->svm_nr_asids = min(f->svm_nr_asids, c->svm_ebx);
	f->svm_features &= c->svm_edx;
	f->vmx_pin = uv_vmx_merge_ctls(f->vmx_pin, c->vmx_pin);
	f->vmx_proc = uv_vmx_merge_ctls(f->vmx_proc, c->vmx_proc);
	f->vmx_proc2 = uv_vmx_merge_ctls(f->vmx_proc2, c->vmx_proc2);
	f->vmx_exit = uv_vmx_merge_ctls(f->vmx_exit, c->vmx_exit);
	f->vmx_entry = uv_vmx_merge_ctls(f->vmx_entry, c->vmx_entry);
	f->vmx_ept_vpid &= c->vmx_ept_vpid;
	f->vmx_features &= uv_vmx_feature_word(c);
}

static void uv_set_has_flags(struct uv_cpu_features *f)
{
	u32 s = f->virt == UV_VIRT_SVM ? f->svm_features : 0;
	u64 v = f->virt == UV_VIRT_VMX ? f->vmx_features : 0;

	f->has_npt = s & UV_SVM_NPT;
	f->has_nrips = s & UV_SVM_NRIPS;
	f->has_decode_assists = s & UV_SVM_DECODE_ASSISTS;
	f->has_vmcb_clean = s & UV_SVM_VMCB_CLEAN;
	f->has_flush_by_asid = s & UV_SVM_FLUSH_BY_ASID;
	f->has_lbrv = s & UV_SVM_LBRV;
	f->has_avic = s & UV_SVM_AVIC;
	f->has_vgif = s & UV_SVM_VGIF;
	f->has_pause_filter = s & UV_SVM_PAUSE_FILTER;
	f->has_vmsave_virt = s & UV_SVM_VMSAVE_VIRT;
	f->has_vnmi = s & UV_SVM_VNMI;

	f->has_ept = v & UV_VMXF_EPT;
	f->has_vpid = v & UV_VMXF_VPID;
	f->has_unrestricted_guest = v & UV_VMXF_UNRESTRICTED_GUEST;
	f->has_preemption_timer = v & UV_VMXF_PREEMPTION_TIMER;
	f->has_ept_ad = v & UV_VMXF_EPT_AD;
	f->has_invept = v & UV_VMXF_INVEPT;
	f->has_invvpid = v & UV_VMXF_INVVPID;
}

/*
 * The refusals: each prints exactly one line ending in "not loading", and
 * nothing else is logged then.
 */
static int uv_check_present(const struct uv_cpu_raw *raw, unsigned int first,
			    u32 *virt)
{
	const struct uv_cpu_caps *b = &raw[first].caps;
	bool svm = b->ext1_ecx & UV_CPUID_EXT1_ECX_SVM;
	bool vmx = b->cpuid1_ecx & UV_CPUID_1_ECX_VMX;
	unsigned int cpu;

	if (!svm && !vmx) {
		pr_err("no AMD SVM or Intel VMX on this CPU (CPUID 0x80000001 ECX.SVM=0, CPUID.1 ECX.VMX=0): not loading\n");
		return -ENODEV;
	}
	*virt = svm ? UV_VIRT_SVM : UV_VIRT_VMX;

	for_each_online_cpu(cpu) {
		const struct uv_cpu_caps *c = &raw[cpu].caps;
		bool has = svm ? c->ext1_ecx & UV_CPUID_EXT1_ECX_SVM :
				 c->cpuid1_ecx & UV_CPUID_1_ECX_VMX;

		if (!raw[cpu].probed) {
			pr_err("CPU %u did not answer the feature probe: not loading\n", cpu);
			return -ENODEV;
		}
		if (!has) {
			pr_err("CPU %u has no %s but CPU %u has: mixed CPUs are not supported: not loading\n",
			       cpu, svm ? "AMD SVM" : "Intel VMX", first);
			return -ENODEV;
		}
	}
	return 0;
}

static int uv_check_usable(const struct uv_cpu_raw *raw, const struct uv_cpu_features *f)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		const struct uv_cpu_caps *c = &raw[cpu].caps;

		if (f->virt == UV_VIRT_SVM && (c->vm_cr & UV_VM_CR_SVMDIS)) {
			pr_err("SVM is disabled by the BIOS on CPU %u (VM_CR MSR 0xc0010114=%#llx, SVMDIS=1): enable SVM/AMD-V in the firmware setup: not loading\n",
			       cpu, c->vm_cr);
			return -ENODEV;
		}
		if (f->virt == UV_VIRT_VMX && (c->feat_ctl & UV_FEAT_CTL_LOCKED) &&
		    !(c->feat_ctl & UV_FEAT_CTL_VMX_OUTSIDE_SMX)) {
			pr_err("VMX is disabled by the BIOS on CPU %u (IA32_FEATURE_CONTROL=%#llx: locked, VMX outside SMX off): enable VT-x in the firmware setup: not loading\n",
			       cpu, c->feat_ctl);
			return -ENODEV;
		}
	}
	/* Containment is built on nested paging: without it there is no monitor. */
	if (f->virt == UV_VIRT_SVM && !f->has_npt) {
		pr_err("AMD SVM without nested paging (CPUID 0x8000000A EDX.NP=0 on some CPU): ultravisor needs NPT: not loading\n");
		return -ENODEV;
	}
	if (f->virt == UV_VIRT_VMX && !f->has_ept) {
		pr_err("Intel VMX without EPT (IA32_VMX_PROCBASED_CTLS2 bit 33 clear on some CPU): ultravisor needs EPT: not loading\n");
		return -ENODEV;
	}
	return 0;
}

static int uv_check_not_busy(const struct uv_cpu_raw *raw, u32 virt)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (virt == UV_VIRT_SVM && (raw[cpu].efer & EFER_SVME)) {
			pr_err("SVM is already enabled on CPU %u by another hypervisor (EFER.SVME=1; kvm_amd?): stop all KVM VMs, or unload kvm_amd (Linux 6.12+ enables SVM when kvm_amd loads): not loading\n",
			       cpu);
			return -EBUSY;
		}
		if (virt == UV_VIRT_VMX && (raw[cpu].cr4 & X86_CR4_VMXE)) {
			pr_err("VMX is already enabled on CPU %u by another hypervisor (CR4.VMXE=1; kvm_intel?): stop all KVM VMs, or unload kvm_intel (Linux 6.12+ enables VMX when kvm_intel loads): not loading\n",
			       cpu);
			return -EBUSY;
		}
	}
	return 0;
}

/* Log the capabilities: one line if all CPUs agree, else one per differing CPU. */
static void uv_log_features(const struct uv_cpu_raw *raw, unsigned int first,
			    const struct uv_cpu_features *f, char *buf)
{
	unsigned int cpu, nr_differ = 0;
	char who[32];

	for_each_online_cpu(cpu)
		if (memcmp(&raw[cpu].caps, &raw[first].caps, sizeof(raw[first].caps)))
			nr_differ++;

	if (!nr_differ && !log_all_cpus) {
		snprintf(who, sizeof(who), "all %u CPUs", f->nr_cpus);
		uv_log_cpu(who, &raw[first].caps, f->virt, buf);
	} else {
		if (nr_differ)
			pr_warn("%u of %u CPUs differ from CPU %u: using the features all CPUs share\n",
				nr_differ, f->nr_cpus, first);
		for_each_online_cpu(cpu) {
			if (!log_all_cpus && cpu != first &&
			    !memcmp(&raw[cpu].caps, &raw[first].caps, sizeof(raw[first].caps)))
				continue;
			snprintf(who, sizeof(who), "CPU %u", cpu);
			uv_log_cpu(who, &raw[cpu].caps, f->virt, buf);
		}
	}

	if (f->virt == UV_VIRT_SVM) {
		pr_info("SVM features present: %s\n",
			uv_feat_list(buf, uv_svm_names, ARRAY_SIZE(uv_svm_names),
				     f->svm_features, true));
		pr_info("SVM features absent: %s\n",
			uv_feat_list(buf, uv_svm_names, ARRAY_SIZE(uv_svm_names),
				     f->svm_features, false));
	} else {
		pr_info("VMX features present: %s\n",
			uv_feat_list(buf, uv_vmx_names, ARRAY_SIZE(uv_vmx_names),
				     f->vmx_features, true));
		pr_info("VMX features absent: %s\n",
			uv_feat_list(buf, uv_vmx_names, ARRAY_SIZE(uv_vmx_names),
				     f->vmx_features, false));
	}
	if (f->hypervisor)
		pr_info("the host itself runs under a hypervisor (CPUID.1 ECX.HYPERVISOR=1)\n");
}

int uv_cpu_features_probe(void)
{
	struct uv_cpu_features f = { };
	struct uv_cpu_raw *raw;
	unsigned int cpu, first;
	char *buf;
	int ret;

	raw = kcalloc(nr_cpu_ids, sizeof(*raw), GFP_KERNEL);
	buf = kmalloc(UV_FEAT_BUF_LEN, GFP_KERNEL);
	if (!raw || !buf) {
		ret = -ENOMEM;
		goto out;
	}

	/* The hotplug lock keeps cpu_online_mask stable while we probe and read. */
	cpus_read_lock();
	on_each_cpu(uv_probe_this_cpu, raw, 1);
	first = cpumask_first(cpu_online_mask);
	f.nr_cpus = num_online_cpus();
	f.hypervisor = raw[first].caps.cpuid1_ecx & UV_CPUID_1_ECX_HYPERVISOR;

	ret = uv_check_present(raw, first, &f.virt);
	if (ret)
		goto out_unlock;
	for_each_online_cpu(cpu)
		uv_merge_cpu(&f, &raw[cpu].caps, cpu == first);
	uv_set_has_flags(&f);

	/* A refusal is one line; the feature report is for a module that loads. */
	ret = uv_check_usable(raw, &f);
	if (!ret)
		ret = uv_check_not_busy(raw, f.virt);
	if (!ret) {
		uv_log_features(raw, first, &f, buf);
		uv_cpu_features = f;
	}
out_unlock:
	cpus_read_unlock();
out:
	kfree(buf);
	kfree(raw);
	return ret;
}
