// SPDX-License-Identifier: GPL-2.0
/*
 * Power-off and reset: the ports a Linux guest writes on `poweroff` and
 * `reboot`. The monitor only ends the partition and says how; whether a
 * reset starts it again is the daemon's policy.
 *
 * - ACPI sleep control register (hardware-reduced ACPI: the FADT's
 *   SLEEP_CONTROL_REG): SLP_EN with SLP_TYP = the DSDT's \_S5 value is a
 *   power-off, exit code 0. The sleep status register next to it takes
 *   Linux's WAK_STS clear and reads 0 (never woken).
 * - Reset, exit code UV_EXIT_CODE_RESET, by any of the paths Linux's
 *   native_machine_emergency_restart() tries in turn: the FADT's RESET_REG
 *   with its RESET_VALUE, the i8042's 0xfe command (port 0x64 reads 0, an
 *   empty input buffer, so kb_wait() does not spin), 0xcf9 with RST_CPU.
 *
 * Any other write (another sleep type, a value without SLP_EN, a wrong reset
 * value, another i8042 command, 0xcf9 without RST_CPU) does nothing and is
 * counted in pm_ignored; reads of the write-only registers return 0.
 */
#include <linux/errno.h>
#include <linux/types.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>

#include "internal.h"

#define ACPI_SLP_EN		0x20
#define ACPI_SLP_TYP(v)		(((v) >> 2) & 0x7)
#define KBC_PULSE_RESET		0xfe
#define RST_CTL_RST_CPU		0x04

static int uv_pm_write(struct uv_vcpu *v, u16 port, u8 val)
{
	switch (port) {
	case UV_PORT_ACPI_SLEEP_CTL:
		if ((val & ACPI_SLP_EN) && ACPI_SLP_TYP(val) == UV_ACPI_SLP_TYP_S5) {
			uv_partition_exited(v->part, 0, UV_PEXITED_POWEROFF);
			return 1;
		}
		break;
	case UV_PORT_ACPI_SLEEP_STS:
		return 0;		/* clearing WAK_STS: it is never set */
	case UV_PORT_ACPI_RESET:
		if (val == UV_ACPI_RESET_VALUE)
			goto reset;
		break;
	case UV_PORT_KBC_CMD:
		if (val == KBC_PULSE_RESET)
			goto reset;
		break;
	case UV_PORT_RESET_CTL:
		if (val & RST_CTL_RST_CPU)
			goto reset;
		break;
	}
	atomic64_inc(&v->part->pm_ignored);
	return 0;
reset:
	uv_partition_exited(v->part, UV_EXIT_CODE_RESET, UV_PEXITED_RESET);
	return 1;
}

int uv_acpi_pm_io(struct uv_vcpu *v, u16 port, bool in, u32 *val)
{
	switch (port) {
	case UV_PORT_ACPI_SLEEP_CTL:
	case UV_PORT_ACPI_SLEEP_STS:
	case UV_PORT_ACPI_RESET:
	case UV_PORT_KBC_CMD:
	case UV_PORT_RESET_CTL:
		break;
	default:
		return -ENOENT;
	}
	if (in) {
		*val = 0;
		return 0;
	}
	/* the registers are 8 bits wide: a wider access writes its low byte */
	return uv_pm_write(v, port, (u8)*val);
}
