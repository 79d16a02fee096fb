// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for Linux partitions (acpi_tables.h). Hardware-reduced ACPI
 * tells Linux there is no PIT, PIC, PM timer, RTC or i8042 to probe or
 * calibrate against; the MADT lists the CPUs as x2APICs and the monitor's one
 * I/O APIC (channel interrupts). All fields little-endian.
 */
#include <errno.h>
#include <string.h>

#include <linux/ultravisor_hypercall.h>

#include "acpi_tables.h"

#define LAPIC_ADDR		0xfee00000u
#define MADT_X2APIC		9	/* Processor Local x2APIC structure */
#define MADT_X2APIC_LEN		16
#define MADT_BODY		8	/* Local Interrupt Controller Address + Flags */
#define MADT_IOAPIC		1	/* I/O APIC structure */
#define MADT_IOAPIC_LEN		12

/* FADT fields past the header (ACPI 6.x, table 5.9) */
#define FADT_RESET_REG		116	/* GAS */
#define FADT_RESET_VALUE	128
#define FADT_SLEEP_CONTROL_REG	244	/* GAS */
#define FADT_SLEEP_STATUS_REG	256	/* GAS */

#define GAS_SYSTEM_IO		1	/* address space ID */
#define GAS_ACCESS_BYTE		1

/*
 * The DSDT's AML: Name (\_S5, Package (4) { 5, 5, Zero, Zero }), i.e. SLP_TYP
 * 5 for S5 (the value hardware-reduced ACPI writes to SLEEP_CONTROL_REG;
 * Linux offers power-off only when \_S5 exists and both sleep registers are
 * given). Hand-assembled (ACPI 6.x, 20.2):
 *   08           NameOp
 *   5f 53 35 5f  NameSeg "_S5_" (in the root scope)
 *   12           PackageOp
 *   08           PkgLength: 8 bytes from here to the end (one-byte encoding)
 *   04           NumElements
 *   0a 05        BytePrefix 5: SLP_TYPa
 *   0a 05        BytePrefix 5: SLP_TYPb
 *   00 00        ZeroOp, ZeroOp: reserved
 */
static const uint8_t dsdt_aml[] = {
	0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04,
	0x0a, UV_ACPI_SLP_TYP_S5, 0x0a, UV_ACPI_SLP_TYP_S5, 0x00, 0x00,
};

_Static_assert(ULTRA_ACPI_HDR_LEN + sizeof(dsdt_aml) <= ULTRA_ACPI_MADT - ULTRA_ACPI_DSDT,
	       "the DSDT overlaps the MADT");

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* ACPI identifiers are fixed-width character fields, not NUL-terminated strings */
static void put_id(uint8_t *p, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)id[i];
}

uint8_t ultra_acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Generic Address Structure: an 8-bit register at I/O @port */
static void put_io_gas(uint8_t *p, uint16_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = 8;			/* register bit width */
	p[2] = 0;			/* bit offset */
	p[3] = GAS_ACCESS_BYTE;
	put64(p + 4, port);
}

/* Standard description header; the checksum is set by seal() once the body is written. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	put_id(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	put_id(t + 10, "ULTRAV", 6);
	put_id(t + 16, "ULTRAVSR", 8);
	put32(t + 24, 1);		/* OEM revision */
	put_id(t + 28, "UVSR", 4);	/* creator */
	put32(t + 32, 1);
}

static void seal(uint8_t *t, size_t len, size_t sum_off)
{
	t[sum_off] = 0;
	t[sum_off] = (uint8_t)-ultra_acpi_sum(t, len);
}

int ultra_acpi_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_cpus,
		     uint64_t *rsdp, struct ultra_err *e)
{
	size_t madt_len = ULTRA_ACPI_HDR_LEN + MADT_BODY + (size_t)nr_cpus * MADT_X2APIC_LEN +
			  MADT_IOAPIC_LEN;
	size_t used = ULTRA_ACPI_MADT + madt_len;
	uint8_t *t;
	unsigned int i;

	if (!nr_cpus || nr_cpus > ULTRA_ACPI_MAX_CPUS)
		return ultra_err_set(e, EINVAL, "ACPI tables: %u vCPUs (1 to %u)", nr_cpus,
				     ULTRA_ACPI_MAX_CPUS);
	if (len < used)
		return ultra_err_set(e, ENOSPC, "ACPI tables: need %zu bytes, have %zu", used,
				     len);
	if (gpa > UINT32_MAX - used)
		return ultra_err_set(e, ERANGE, "ACPI tables at %#llx: must lie below 4 GiB",
				     (unsigned long long)gpa);
	memset(buf, 0, used);

	/* RSDP, revision 2 (ACPI 2.0+): only the XSDT is given */
	t = buf + ULTRA_ACPI_RSDP;
	put_id(t, "RSD PTR ", 8);
	put_id(t + 9, "ULTRAV", 6);
	t[15] = 2;
	put32(t + 20, 36);
	put64(t + 24, gpa + ULTRA_ACPI_XSDT);
	seal(t, 20, 8);			/* ACPI 1.0 checksum: first 20 bytes */
	seal(t, 36, 32);		/* extended checksum: all of it */

	t = buf + ULTRA_ACPI_XSDT;
	header(t, "XSDT", ULTRA_ACPI_HDR_LEN + 16, 1);
	put64(t + 36, gpa + ULTRA_ACPI_FADT);
	put64(t + 44, gpa + ULTRA_ACPI_MADT);
	seal(t, ULTRA_ACPI_HDR_LEN + 16, 9);

	/*
	 * FADT: no PM blocks, no SCI, no FACS; hardware-reduced (no legacy
	 * timers or PIC), physical destination mode (x2apic_phys: no logical
	 * clusters to emulate), no VGA, no CMOS RTC, no i8042 (bit 1 clear).
	 * Power-off and reset through the monitor's ports (kmod/monitor/acpi_pm.c):
	 * the sleep control/status registers and a reset register.
	 */
	t = buf + ULTRA_ACPI_FADT;
	header(t, "FACP", ULTRA_ACPI_FADT_LEN, 6);
	put32(t + 40, gpa + ULTRA_ACPI_DSDT);
	put16(t + 109, ULTRA_FADT_BOOT_NO_VGA | ULTRA_FADT_BOOT_NO_CMOS_RTC);
	put32(t + 112, ULTRA_FADT_F_HW_REDUCED | ULTRA_FADT_F_APIC_PHYSICAL |
		  ULTRA_FADT_F_RESET_REG_SUP);
	put_io_gas(t + FADT_RESET_REG, UV_PORT_ACPI_RESET);
	t[FADT_RESET_VALUE] = UV_ACPI_RESET_VALUE;
	put_io_gas(t + FADT_SLEEP_CONTROL_REG, UV_PORT_ACPI_SLEEP_CTL);
	put_io_gas(t + FADT_SLEEP_STATUS_REG, UV_PORT_ACPI_SLEEP_STS);
	t[131] = 0;			/* FADT minor version */
	put64(t + 140, gpa + ULTRA_ACPI_DSDT);
	put_id(t + 268, "ULTRAVSR", 8);	/* hypervisor vendor identity */
	seal(t, ULTRA_ACPI_FADT_LEN, 9);

	/* DSDT: no devices to describe, only \_S5 for power-off */
	t = buf + ULTRA_ACPI_DSDT;
	header(t, "DSDT", ULTRA_ACPI_HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(t + ULTRA_ACPI_HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(t, ULTRA_ACPI_HDR_LEN + sizeof(dsdt_aml), 9);

	/*
	 * MADT: no PCAT_COMPAT (no 8259s), one enabled x2APIC per vCPU, ID = UID =
	 * index, then the I/O APIC
	 */
	t = buf + ULTRA_ACPI_MADT;
	header(t, "APIC", madt_len, 5);
	put32(t + 36, LAPIC_ADDR);
	put32(t + 40, 0);
	for (i = 0; i < nr_cpus; i++) {
		uint8_t *x = t + ULTRA_ACPI_HDR_LEN + MADT_BODY + (size_t)i * MADT_X2APIC_LEN;

		x[0] = MADT_X2APIC;
		x[1] = MADT_X2APIC_LEN;
		put32(x + 4, i);	/* x2APIC ID */
		put32(x + 8, 1);	/* enabled */
		put32(x + 12, i);	/* ACPI processor UID */
	}
	/* the monitor's I/O APIC (channel interrupts): ID 0, all pins from GSI 0 */
	t[madt_len - MADT_IOAPIC_LEN] = MADT_IOAPIC;
	t[madt_len - MADT_IOAPIC_LEN + 1] = MADT_IOAPIC_LEN;
	put32(t + madt_len - MADT_IOAPIC_LEN + 4, UV_IOAPIC_GPA);
	put32(t + madt_len - MADT_IOAPIC_LEN + 8, 0);
	seal(t, madt_len, 9);

	*rsdp = gpa + ULTRA_ACPI_RSDP;
	return (int)used;
}
