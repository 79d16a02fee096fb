/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI tables a Linux partition boots with (docs/guest-platform.md,
 * "Firmware tables"): RSDP -> XSDT -> FADT (hardware-reduced, physical APIC
 * destinations, no VGA/CMOS/8042, sleep and reset registers) -> DSDT with
 * only \_S5, and a MADT with one
 * processor-local x2APIC per vCPU and one I/O APIC (24 pins, GSI 0). Built into a buffer that
 * will sit at a known guest-physical address, every checksum set.
 */
#ifndef ULTRA_ACPI_TABLES_H
#define ULTRA_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "ultra.h"

#define ULTRA_ACPI_MAX_CPUS	64	/* MADT entries that fit in ULTRA_ACPI_SIZE */
#define ULTRA_ACPI_SIZE		8192	/* bytes the tables may take */

/* Offsets of the tables inside the buffer (fixed, so tests and logs can name them) */
#define ULTRA_ACPI_RSDP		0x000
#define ULTRA_ACPI_XSDT		0x040
#define ULTRA_ACPI_FADT		0x100
#define ULTRA_ACPI_DSDT		0x240
#define ULTRA_ACPI_MADT		0x280

#define ULTRA_ACPI_FADT_LEN	276	/* ACPI 6 FADT */
#define ULTRA_ACPI_HDR_LEN	36

/* FADT.Flags and FADT.IAPC_BOOT_ARCH bits we set */
#define ULTRA_FADT_F_RESET_REG_SUP	(1u << 10)
#define ULTRA_FADT_F_APIC_PHYSICAL	(1u << 19)
#define ULTRA_FADT_F_HW_REDUCED		(1u << 20)
#define ULTRA_FADT_BOOT_NO_VGA		(1u << 2)
#define ULTRA_FADT_BOOT_NO_CMOS_RTC	(1u << 5)

/*
 * Write the tables for @nr_cpus vCPUs (APIC IDs 0..nr_cpus-1) into @buf of
 * @len bytes, which the guest will see at @gpa. On success returns the bytes
 * used and sets *@rsdp to the RSDP's guest-physical address. -EINVAL: no
 * vCPU or more than ULTRA_ACPI_MAX_CPUS; -ENOSPC: @len too small; -ERANGE:
 * @gpa would put a table above 4 GiB (the RSDP's 32-bit fields).
 */
int ultra_acpi_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_cpus,
		     uint64_t *rsdp, struct ultra_err *e);

/* The 8-bit sum of @len bytes: 0 for a table whose checksum is right. */
uint8_t ultra_acpi_sum(const uint8_t *p, size_t len);

#endif /* ULTRA_ACPI_TABLES_H */
