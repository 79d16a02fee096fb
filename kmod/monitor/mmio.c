// SPDX-License-Identifier: GPL-2.0
/*
 * The one MMIO access the monitor emulates (docs/guest-platform.md, section 12):
 * a 32-bit MOV between a general-purpose register and the I/O APIC page. The
 * page has no nested translation, so the access exits as a nested page fault
 * that names the guest-physical address but not the instruction (QEMU TCG
 * offers no decode assists): the instruction bytes are fetched by walking the
 * guest's own page tables from its RIP, and decoded here.
 *
 * Accepted, in 64-bit mode only, are the forms mmio_decode.h decodes (those
 * of Linux's readl()/writel() in io_apic_read() and io_apic_write()). The
 * address itself is not computed: the fault gave it. Anything else is
 * refused, and the caller ends the partition.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "internal.h"
#include "mmio_decode.h"

#define UV_CR0_PG	BIT_ULL(31)
#define UV_CR4_PAE	BIT_ULL(5)
#define UV_CR4_LA57	BIT_ULL(12)
#define UV_EFER_LMA_BIT	BIT_ULL(10)
#define UV_PTE_P	BIT_ULL(0)
#define UV_PTE_PS	BIT_ULL(7)
#define UV_PTE_ADDR	GENMASK_ULL(51, 12)

/*
 * Guest-linear @la -> guest-physical, through the guest's 4- or 5-level
 * tables (long mode), or identity with paging off. Permissions are not
 * checked: the CPU already fetched this instruction. -EFAULT: not mapped, or
 * a table outside partition memory.
 */
static int uv_guest_translate(struct uv_vcpu *v, const struct uv_paging *pg, u64 la, u64 *gpa)
{
	unsigned int level, shift;
	u64 table, pte;

	if (!(pg->cr0 & UV_CR0_PG)) {
		*gpa = la;
		return 0;
	}
	if (!(pg->efer & UV_EFER_LMA_BIT) || !(pg->cr4 & UV_CR4_PAE))
		return -EOPNOTSUPP;	/* 32-bit paging: Linux never reaches the I/O APIC so */
	level = (pg->cr4 & UV_CR4_LA57) ? 5 : 4;
	table = pg->cr3 & UV_PTE_ADDR;
	for (;;) {
		shift = 12 + 9 * (level - 1);
		if (uv_guest_read(v->part, table + ((la >> shift) & 511) * 8, &pte, sizeof(pte)))
			return -EFAULT;
		if (!(pte & UV_PTE_P))
			return -EFAULT;
		if (level == 1 || ((level == 2 || level == 3) && (pte & UV_PTE_PS))) {
			/* a large page's address bits below its size are PAT/reserved */
			*gpa = (pte & UV_PTE_ADDR & ~GENMASK_ULL(shift - 1, 0)) |
			       (la & GENMASK_ULL(shift - 1, 0));
			return 0;
		}
		table = pte & UV_PTE_ADDR;
		level--;
	}
}

/* Up to UV_MMIO_INSN_MAX bytes at the guest's RIP; the count fetched, or -errno. */
static int uv_fetch_insn(struct uv_vcpu *v, u8 *buf)
{
	struct uv_paging pg;
	unsigned int got = 0;
	u64 gpa;

	uv_vendor->get_paging(v, &pg);
	while (got < UV_MMIO_INSN_MAX) {
		u64 la = v->rip + got;
		unsigned int n = min_t(u64, UV_MMIO_INSN_MAX - got, PAGE_SIZE - (la & ~PAGE_MASK));
		int ret = uv_guest_translate(v, &pg, la, &gpa);

		if (ret)
			return got ? got : ret;	/* the next page may not be needed */
		if (uv_guest_read(v->part, gpa, buf + got, n))
			return got ? got : -EFAULT;
		got += n;
	}
	return got;
}

/* Register number (ModRM order: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15). */
static u64 *uv_gpr(struct uv_vcpu *v, unsigned int reg)
{
	u64 *const map[16] = {
		&v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx,
		&v->regs.rsp, &v->regs.rbp, &v->regs.rsi, &v->regs.rdi,
		&v->regs.r8, &v->regs.r9, &v->regs.r10, &v->regs.r11,
		&v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
	};

	return map[reg & 15];
}

/**
 * uv_mmio_emulate - the access at the guest's RIP that faulted on @gpa
 * @dev:	the device: reads fill *val, writes take it
 *
 * 0: done, RIP advanced past the instruction. -EINVAL: not an instruction this
 * file decodes (or not fetchable); *why says which, nothing changed.
 */
int uv_mmio_emulate(struct uv_vcpu *v, const struct uv_exit *e, u64 gpa,
		    void (*dev)(struct uv_vcpu *v, u64 gpa, bool write, u32 *val),
		    const char **why)
{
	struct uv_mmio m = { };
	u8 buf[UV_MMIO_INSN_MAX];
	u64 *reg;
	u32 val;
	int n;

	if (!e->long_mode) {
		*why = "not in 64-bit mode";
		return -EINVAL;
	}
	n = uv_fetch_insn(v, buf);
	if (n < 0) {
		*why = n == -EOPNOTSUPP ? "32-bit paging" :
		       "the instruction's page is not mapped in partition memory";
		return -EINVAL;
	}
	*why = uv_mmio_decode(buf, n, &m);
	if (*why)
		return -EINVAL;
	reg = uv_gpr(v, m.reg);
	if (m.write) {
		val = (u32)*reg;
		dev(v, gpa, true, &val);
	} else {
		val = 0;
		dev(v, gpa, false, &val);
		*reg = val;		/* a 32-bit destination zero-extends */
	}
	v->rip += m.len;
	return 0;
}
