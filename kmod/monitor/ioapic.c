// SPDX-License-Identifier: GPL-2.0
/*
 * One emulated I/O APIC per partition (docs/guest-platform.md, section 12):
 * 24 pins at GSI 0, registers at UV_IOAPIC_BASE, listed in the MADT. It exists
 * so that a channel's interrupt reaches a Linux guest through an interrupt
 * controller the guest programs itself: a module cannot own a raw IDT vector,
 * but it can acpi_register_gsi() a pin and request_irq() it.
 *
 * Registers (82093AA layout, version 0x11: no EOI register): IOREGSEL at +0x00,
 * IOWIN at +0x10, reached through mmio.c. ID (read/write bits 27:24), version
 * (24 entries), arbitration (= ID), 24 redirection entries: vector, delivery
 * mode, destination mode, polarity, trigger mode and mask are stored;
 * delivery status and remote IRR read 0. Every pin is edge-triggered in
 * effect: a level entry delivers like an edge and never sets remote IRR (no
 * device here holds a line asserted).
 *
 * A raised pin (uv_partition_raise_gsi(), any context) delivers its entry's
 * vector to the local APIC whose ID is the entry's physical destination
 * (fixed or lowest-priority delivery, vector 32..255). While the entry is
 * masked the edge is remembered and delivered when the guest unmasks it, so a
 * notification that arrives while Linux reprograms a pin is late, not lost.
 * Anything the platform cannot deliver (logical destination, NMI/SMI/INIT/
 * ExtINT mode, a vector below 32, no such APIC ID) is dropped and counted.
 *
 * Counters since load (uv_partition_get_status(), UV_IOC_PART_STATUS): edges
 * raised, delivered and dropped; the guest's loads and stores to the page; and
 * accesses refused (a fetch, an unaligned or undecodable access), each of
 * which faults the partition.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>

#include "internal.h"

#define UV_IOAPIC_REGSEL	0x00
#define UV_IOAPIC_WIN		0x10

#define UV_IOAPIC_REG_ID	0x00
#define UV_IOAPIC_REG_VER	0x01
#define UV_IOAPIC_REG_ARB	0x02
#define UV_IOAPIC_REG_REDIR	0x10

#define UV_IOAPIC_VERSION	0x11
#define UV_IOAPIC_ID_MASK	GENMASK(27, 24)

/* redirection entry bits */
#define UV_RTE_VECTOR		GENMASK_ULL(7, 0)
#define UV_RTE_DM_SHIFT		8
#define UV_RTE_DM_MASK		7
#define UV_RTE_DM_FIXED		0
#define UV_RTE_DM_LOWEST	1
#define UV_RTE_LOGICAL		BIT_ULL(11)
#define UV_RTE_POLARITY		BIT_ULL(13)
#define UV_RTE_LEVEL		BIT_ULL(15)
#define UV_RTE_MASKED		BIT_ULL(16)
#define UV_RTE_DEST_SHIFT	56
/* what the guest can write: vector, modes, polarity, trigger, mask, destination */
#define UV_RTE_WRITABLE		(GENMASK_ULL(11, 0) | UV_RTE_POLARITY | UV_RTE_LEVEL | \
				 UV_RTE_MASKED | GENMASK_ULL(63, 56))

/* A new guest: every pin masked, nothing pending, ID 0, counters at 0. */
void uv_ioapic_reset(struct uv_ioapic *io)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&io->lock, flags);
	io->id = 0;
	io->regsel = 0;
	io->pending = 0;
	for (i = 0; i < UV_IOAPIC_PINS; i++)
		io->redir[i] = UV_RTE_MASKED;
	io->raised = 0;
	io->delivered = 0;
	io->dropped = 0;
	io->reads = 0;
	io->writes = 0;
	io->refused = 0;
	spin_unlock_irqrestore(&io->lock, flags);
}

void uv_ioapic_init(struct uv_ioapic *io)
{
	spin_lock_init(&io->lock);
	uv_ioapic_reset(io);
}

/* The vCPU whose local APIC has @apic_id, or NULL. */
static struct uv_vcpu *uv_ioapic_dest(struct uv_partition *p, u32 apic_id)
{
	unsigned int i;

	for (i = 0; i < p->nr_vcpus; i++)
		if (p->vcpus[i].plat.apic_id == apic_id)
			return &p->vcpus[i];
	return NULL;
}

/*
 * Where entry @rte delivers: 0 and *vcpu, *vector set, or -EINVAL (dropped).
 * Lock held.
 */
static int uv_ioapic_route(struct uv_partition *p, u64 rte, struct uv_vcpu **vcpu,
			   unsigned int *vector)
{
	unsigned int dm = (rte >> UV_RTE_DM_SHIFT) & UV_RTE_DM_MASK;

	*vector = rte & UV_RTE_VECTOR;
	if ((dm != UV_RTE_DM_FIXED && dm != UV_RTE_DM_LOWEST) || (rte & UV_RTE_LOGICAL) ||
	    *vector < UV_FIRST_EXT_VECTOR)
		return -EINVAL;
	*vcpu = uv_ioapic_dest(p, rte >> UV_RTE_DEST_SHIFT);
	return *vcpu ? 0 : -EINVAL;
}

/* Deliver after the lock is dropped: raising wakes the vCPU. */
static void uv_ioapic_deliver(struct uv_vcpu *v, unsigned int vector)
{
	if (v)
		uv_vcpu_raise_irq(v, vector);	/* 32..255: uv_ioapic_route() checked */
}

/**
 * uv_partition_raise_gsi - an edge on pin @gsi of the partition's I/O APIC
 *
 * Any context. 0 when delivered, remembered (masked) or dropped by the
 * guest's programming (counted); -EINVAL for a pin that does not exist.
 */
int uv_partition_raise_gsi(struct uv_partition *p, unsigned int gsi)
{
	struct uv_ioapic *io = &p->ioapic;
	struct uv_vcpu *v = NULL;
	unsigned int vector = 0;
	unsigned long flags;
	u64 rte;

	if (gsi >= UV_IOAPIC_PINS)
		return -EINVAL;
	spin_lock_irqsave(&io->lock, flags);
	io->raised++;
	rte = io->redir[gsi];
	if (rte & UV_RTE_MASKED) {
		io->pending |= BIT(gsi);
	} else if (uv_ioapic_route(p, rte, &v, &vector)) {
		io->dropped++;
		v = NULL;
	} else {
		io->delivered++;
	}
	spin_unlock_irqrestore(&io->lock, flags);
	uv_ioapic_deliver(v, vector);
	return 0;
}

/* IOWIN read of register @reg. Lock held. */
static u32 uv_ioapic_read_reg(struct uv_ioapic *io, u32 reg)
{
	unsigned int pin;

	switch (reg) {
	case UV_IOAPIC_REG_ID:
	case UV_IOAPIC_REG_ARB:
		return io->id;
	case UV_IOAPIC_REG_VER:
		return UV_IOAPIC_VERSION | ((UV_IOAPIC_PINS - 1) << 16);
	}
	if (reg < UV_IOAPIC_REG_REDIR || reg >= UV_IOAPIC_REG_REDIR + 2 * UV_IOAPIC_PINS)
		return 0;			/* reserved registers read 0 */
	pin = (reg - UV_IOAPIC_REG_REDIR) / 2;
	return (reg & 1) ? io->redir[pin] >> 32 : (u32)io->redir[pin];
}

/*
 * IOWIN write of register @reg. An unmasked entry with an edge remembered
 * delivers it: *vcpu and *vector say where (NULL: nothing). Lock held.
 */
static void uv_ioapic_write_reg(struct uv_partition *p, u32 reg, u32 val,
				struct uv_vcpu **vcpu, unsigned int *vector)
{
	struct uv_ioapic *io = &p->ioapic;
	unsigned int pin;
	u64 rte;

	*vcpu = NULL;
	if (reg == UV_IOAPIC_REG_ID) {
		io->id = val & UV_IOAPIC_ID_MASK;
		return;
	}
	if (reg < UV_IOAPIC_REG_REDIR || reg >= UV_IOAPIC_REG_REDIR + 2 * UV_IOAPIC_PINS)
		return;				/* version, arbitration, reserved: read-only */
	pin = (reg - UV_IOAPIC_REG_REDIR) / 2;
	rte = io->redir[pin];
	if (reg & 1)
		rte = (rte & GENMASK_ULL(31, 0)) | ((u64)val << 32);
	else
		rte = (rte & GENMASK_ULL(63, 32)) | val;
	rte &= UV_RTE_WRITABLE;
	io->redir[pin] = rte;
	if ((rte & UV_RTE_MASKED) || !(io->pending & BIT(pin)))
		return;
	io->pending &= ~BIT(pin);
	if (uv_ioapic_route(p, rte, vcpu, vector)) {
		io->dropped++;
		*vcpu = NULL;
	} else {
		io->delivered++;
	}
}

/* mmio.c's device callback: one aligned 32-bit access inside the page. */
static void uv_ioapic_access(struct uv_vcpu *v, u64 gpa, bool write, u32 *val)
{
	struct uv_partition *p = v->part;
	struct uv_ioapic *io = &p->ioapic;
	unsigned int off = gpa - UV_IOAPIC_BASE, vector = 0;
	struct uv_vcpu *to = NULL;
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if (write)
		io->writes++;
	else
		io->reads++;
	if (off == UV_IOAPIC_REGSEL) {
		if (write)
			io->regsel = *val & 0xff;
		else
			*val = io->regsel;
	} else if (off == UV_IOAPIC_WIN) {
		if (write)
			uv_ioapic_write_reg(p, io->regsel, *val, &to, &vector);
		else
			*val = uv_ioapic_read_reg(io, io->regsel);
	} else if (!write) {
		*val = 0;			/* nothing else in the page (no EOI register) */
	}
	spin_unlock_irqrestore(&io->lock, flags);
	uv_ioapic_deliver(to, vector);
}

/* The page's guest-physical range: a nested page fault there is ours. */
bool uv_ioapic_owns(u64 gpa)
{
	return gpa >= UV_IOAPIC_BASE && gpa < UV_IOAPIC_BASE + PAGE_SIZE;
}

/*
 * A nested page fault on the I/O APIC page: emulate the access. False when it
 * cannot be (mmio.c refused the instruction, or it is unaligned, or a fetch):
 * the caller ends the partition; the reason is logged here.
 */
bool uv_ioapic_npf(struct uv_vcpu *v, const struct uv_exit *e)
{
	struct uv_ioapic *io = &v->part->ioapic;
	u64 gpa = e->npf.gpa;
	const char *why = NULL;
	unsigned long flags;

	if (e->npf.access & UV_ACCESS_EXEC)
		why = "instruction fetch";
	else if (gpa & 3)
		why = "unaligned access";
	else if (!uv_mmio_emulate(v, e, gpa, uv_ioapic_access, &why))
		return true;
	spin_lock_irqsave(&io->lock, flags);
	io->refused++;
	spin_unlock_irqrestore(&io->lock, flags);
	pr_info_ratelimited("partition %s: I/O APIC access at gpa %#llx, rip %#llx refused: %s\n",
			    v->part->name, gpa, v->rip, why);
	return false;
}
