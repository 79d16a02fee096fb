/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM: the VMCB and the constants the backend uses, named after AMD's
 * APM vol. 2 (chapter 15 and appendix B, "Layout of VMCB"; appendix C, "SVM
 * Intercept Exit Codes"), not after the kernel's private asm/svm.h, whose
 * names move between releases. Offsets are checked at build time (svm.c).
 */
#ifndef _UV_MONITOR_SVM_H
#define _UV_MONITOR_SVM_H

#include <linux/bits.h>
#include <linux/types.h>

/* MSRs */
#define UV_MSR_EFER		0xc0000080
#define UV_MSR_VM_HSAVE_PA	0xc0010117
#define UV_MSR_PAT		0x277
#define UV_EFER_SCE		BIT_ULL(0)
#define UV_EFER_LME		BIT_ULL(8)
#define UV_EFER_LMA		BIT_ULL(10)
#define UV_EFER_NXE		BIT_ULL(11)
#define UV_EFER_SVME		BIT_ULL(12)

/* Intercept vector 3 (VMCB 00Ch) */
#define UV_ICPT_INTR		BIT(0)
#define UV_ICPT_NMI		BIT(1)
#define UV_ICPT_SMI		BIT(2)
#define UV_ICPT_INIT		BIT(3)
#define UV_ICPT_VINTR		BIT(4)
#define UV_ICPT_CPUID		BIT(18)
#define UV_ICPT_INVD		BIT(22)
#define UV_ICPT_HLT		BIT(24)
#define UV_ICPT_INVLPGA		BIT(26)
#define UV_ICPT_IOIO		BIT(27)
#define UV_ICPT_MSR		BIT(28)
#define UV_ICPT_TASK_SWITCH	BIT(29)
#define UV_ICPT_FERR_FREEZE	BIT(30)
#define UV_ICPT_SHUTDOWN	BIT(31)
/* Intercept vector 4 (VMCB 010h) */
#define UV_ICPT_VMRUN		BIT(0)
#define UV_ICPT_VMMCALL		BIT(1)
#define UV_ICPT_VMLOAD		BIT(2)
#define UV_ICPT_VMSAVE		BIT(3)
#define UV_ICPT_STGI		BIT(4)
#define UV_ICPT_CLGI		BIT(5)
#define UV_ICPT_SKINIT		BIT(6)
#define UV_ICPT_RDTSCP		BIT(7)
#define UV_ICPT_MONITOR		BIT(10)
#define UV_ICPT_MWAIT		BIT(11)
#define UV_ICPT_MWAIT_COND	BIT(12)
#define UV_ICPT_XSETBV		BIT(13)
#define UV_ICPT_RDPRU		BIT(14)

/* VMCB 060h: virtual interrupt control */
#define UV_V_IRQ		BIT(8)
#define UV_V_INTR_PRIO_SHIFT	16
#define UV_V_IGN_TPR		BIT(20)
#define UV_VINTR_MASKING	BIT(24)
/* VMCB 068h */
#define UV_INT_SHADOW		BIT(0)
/* VMCB 090h */
#define UV_NP_ENABLE		BIT_ULL(0)
/* VMCB 058h TLB_CONTROL */
#define UV_TLB_NOTHING		0
#define UV_TLB_FLUSH_ALL	1
#define UV_TLB_FLUSH_ASID	3
/* VMCB 0C0h clean bits (APM 15.15.3) */
#define UV_CLEAN_INTERCEPTS	BIT(0)	/* intercepts, TSC offset, pause filter */
#define UV_CLEAN_IOPM		BIT(1)	/* IOPM and MSRPM base */
#define UV_CLEAN_ASID		BIT(2)
#define UV_CLEAN_TPR		BIT(3)	/* V_TPR, V_IRQ, V_INTR_*, ... */
#define UV_CLEAN_NP		BIT(4)	/* NP_ENABLE, N_CR3, G_PAT */
#define UV_CLEAN_CRX		BIT(5)	/* CR0, CR3, CR4, EFER */
#define UV_CLEAN_DRX		BIT(6)	/* DR6, DR7 */
#define UV_CLEAN_DT		BIT(7)	/* GDT, IDT */
#define UV_CLEAN_SEG		BIT(8)	/* CS, DS, SS, ES, CPL */
#define UV_CLEAN_CR2		BIT(9)
#define UV_CLEAN_ALL		0x3ff	/* the bits above; LBR and AVIC unused */

/* EVENTINJ / EXITINTINFO (APM 15.20) */
#define UV_EVT_VALID		BIT(31)
#define UV_EVT_ERR_VALID	BIT(11)
#define UV_EVT_TYPE_INTR	(0 << 8)
#define UV_EVT_TYPE_EXCEPTION	(3 << 8)
#define UV_EVT_TYPE_SHIFT	8
#define UV_EVT_TYPE_MASK	(7 << 8)
#define UV_EVT_VECTOR_MASK	0xff
/* RFLAGS */
#define UV_RFLAGS_IF		BIT_ULL(9)

/* IOIO EXITINFO1 (APM 15.10.2) */
#define UV_IOIO_IN		BIT(0)
#define UV_IOIO_STR		BIT(2)
#define UV_IOIO_REP		BIT(3)
#define UV_IOIO_SZ8		BIT(4)
#define UV_IOIO_SZ16		BIT(5)
#define UV_IOIO_SZ32		BIT(6)

/* #NPF EXITINFO1 (APM 15.25.6) */
#define UV_NPF_WRITE		BIT_ULL(1)
#define UV_NPF_FETCH		BIT_ULL(4)

/* Exit codes (APM appendix C) */
#define UV_SVM_EXIT_EXCP_BASE	0x040
#define UV_SVM_EXIT_EXCP_DB	0x041
#define UV_SVM_EXIT_EXCP_AC	0x051
#define UV_SVM_EXIT_INTR	0x060
#define UV_SVM_EXIT_NMI		0x061
#define UV_SVM_EXIT_SMI		0x062
#define UV_SVM_EXIT_INIT	0x063
#define UV_SVM_EXIT_VINTR	0x064
#define UV_SVM_EXIT_CPUID	0x072
#define UV_SVM_EXIT_INVD	0x076
#define UV_SVM_EXIT_HLT		0x078
#define UV_SVM_EXIT_INVLPGA	0x07a
#define UV_SVM_EXIT_IOIO	0x07b
#define UV_SVM_EXIT_MSR		0x07c
#define UV_SVM_EXIT_TASK_SWITCH	0x07d
#define UV_SVM_EXIT_FERR_FREEZE	0x07e
#define UV_SVM_EXIT_SHUTDOWN	0x07f
#define UV_SVM_EXIT_VMRUN	0x080
#define UV_SVM_EXIT_VMMCALL	0x081
#define UV_SVM_EXIT_VMLOAD	0x082
#define UV_SVM_EXIT_VMSAVE	0x083
#define UV_SVM_EXIT_STGI	0x084
#define UV_SVM_EXIT_CLGI	0x085
#define UV_SVM_EXIT_SKINIT	0x086
#define UV_SVM_EXIT_RDTSCP	0x087
#define UV_SVM_EXIT_MONITOR	0x08a
#define UV_SVM_EXIT_MWAIT	0x08b
#define UV_SVM_EXIT_MWAIT_COND	0x08c
#define UV_SVM_EXIT_XSETBV	0x08d
#define UV_SVM_EXIT_RDPRU	0x08e
#define UV_SVM_EXIT_NPF		0x400
#define UV_SVM_EXIT_INVALID	((u64)-1)

struct uv_vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 40-47 in 7:0, bits 52-55 in 11:8 */
	u32 limit;
	u64 base;
} __packed;

/* VMCB control area (offsets 000h-3FFh) */
struct uv_vmcb_control {
	u32 intercept_cr;		/* 000h: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 004h */
	u32 intercept_exceptions;	/* 008h */
	u32 intercept_misc1;		/* 00Ch: vector 3 */
	u32 intercept_misc2;		/* 010h: vector 4 */
	u32 intercept_misc3;		/* 014h: vector 5 */
	u8 reserved_018[0x03c - 0x018];
	u16 pause_filter_threshold;	/* 03Ch */
	u16 pause_filter_count;		/* 03Eh */
	u64 iopm_base_pa;		/* 040h */
	u64 msrpm_base_pa;		/* 048h */
	u64 tsc_offset;			/* 050h */
	u32 asid;			/* 058h */
	u8 tlb_control;			/* 05Ch */
	u8 reserved_05d[3];
	u32 int_ctl;			/* 060h */
	u32 int_vector;			/* 064h */
	u32 int_state;			/* 068h */
	u8 reserved_06c[4];
	u64 exit_code;			/* 070h */
	u64 exit_info1;			/* 078h */
	u64 exit_info2;			/* 080h */
	u32 exit_int_info;		/* 088h */
	u32 exit_int_info_err;		/* 08Ch */
	u64 np_control;			/* 090h */
	u64 avic_apic_bar;		/* 098h */
	u64 ghcb_pa;			/* 0A0h */
	u32 event_inj;			/* 0A8h */
	u32 event_inj_err;		/* 0ACh */
	u64 n_cr3;			/* 0B0h */
	u64 virt_ext;			/* 0B8h */
	u32 clean;			/* 0C0h */
	u32 reserved_0c4;
	u64 next_rip;			/* 0C8h */
	u8 insn_len;			/* 0D0h */
	u8 insn_bytes[15];
	u8 reserved_0e0[0x400 - 0x0e0];
} __packed;

/* VMCB state save area (offsets 400h-) */
struct uv_vmcb_save {
	struct uv_vmcb_seg es;		/* 400h */
	struct uv_vmcb_seg cs;
	struct uv_vmcb_seg ss;
	struct uv_vmcb_seg ds;
	struct uv_vmcb_seg fs;
	struct uv_vmcb_seg gs;
	struct uv_vmcb_seg gdtr;
	struct uv_vmcb_seg ldtr;
	struct uv_vmcb_seg idtr;
	struct uv_vmcb_seg tr;		/* 490h */
	u8 reserved_4a0[0x4cb - 0x4a0];
	u8 cpl;				/* 4CBh */
	u32 reserved_4cc;
	u64 efer;			/* 4D0h */
	u8 reserved_4d8[0x548 - 0x4d8];
	u64 cr4;			/* 548h */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;			/* 578h */
	u8 reserved_580[0x5d8 - 0x580];
	u64 rsp;			/* 5D8h */
	u64 s_cet;
	u64 ssp;
	u64 isst_addr;
	u64 rax;			/* 5F8h */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;			/* 640h */
	u8 reserved_648[0x668 - 0x648];
	u64 g_pat;			/* 668h */
	u64 dbgctl;
	u64 br_from;
	u64 br_to;
	u64 last_excp_from;
	u64 last_excp_to;		/* 690h */
} __packed;

struct uv_vmcb {
	struct uv_vmcb_control control;
	struct uv_vmcb_save save;
} __packed;

/* Per-vCPU SVM state (uv_vcpu.vendor) */
/* FXSAVE/FXRSTOR area (x87, MXCSR, XMM0-15): 512 bytes, 16-byte aligned */
struct uv_fxsave {
	u16 fcw;
	u8 other[22];
	u32 mxcsr;
	u8 rest[484];
} __aligned(16);

struct uv_svm_vcpu {
	struct uv_vmcb *vmcb;
	struct uv_fxsave *fpu;		/* the guest's, between entries */
	bool dr_guest;			/* DR0-3 handed to the guest (first MOV DR) */
	unsigned long dr[4];		/* the guest's DR0-3, between entries */
	u32 held_event;			/* EVENTINJ format: an interrupted interrupt */
	u32 held_err;			/* or NMI, after an exception (event.h) */
	u64 vmcb_pa;
	u64 asid_generation;
	int asid_cpu;
};

/* vmrun.c: one world switch; GIF and IF are 0 on entry and return. */
void uv_svm_vmrun(u64 vmcb_pa, u64 host_save_pa, void *regs);

#endif /* _UV_MONITOR_SVM_H */
