// SPDX-License-Identifier: GPL-2.0
/*
 * pm: the power-off and reset ports (kmod/monitor/acpi_pm.c). First writes
 * that ask for nothing the platform does, which the monitor must ignore and
 * count (PM_IGNORED of them): S5's SLP_TYP without SLP_EN, SLP_EN with
 * another sleep type (S1), a wrong reset value, an i8042 command other than
 * the reset pulse, 0xcf9 without RST_CPU. Each register reads 0. Then the
 * path chosen by path= (0: ACPI S5 power-off, 1: ACPI RESET_REG, 2: i8042
 * 0xfe, 3: 0xcf9 RST_CPU), which must end the partition; if it does not, the
 * guest stops with exit code 1 through the exit port.
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

#define SLP_EN		0x20
#define SLP_TYP(t)	((t) << 2)

static const uint16_t pm_ports[] = {
	UV_PORT_ACPI_SLEEP_CTL, UV_PORT_ACPI_SLEEP_STS, UV_PORT_ACPI_RESET,
	UV_PORT_KBC_CMD, UV_PORT_RESET_CTL,
};

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint64_t path = parse_num(cmdline_get(mbi, "path"), 0);
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(pm_ports) / sizeof(pm_ports[0]); i++)
		if (inb(pm_ports[i])) {
			puts("pm: a power-management register did not read 0\n");
			bad = 1;
		}
	outb(UV_PORT_ACPI_SLEEP_CTL, SLP_TYP(UV_ACPI_SLP_TYP_S5));	/* no SLP_EN */
	outb(UV_PORT_ACPI_SLEEP_CTL, SLP_EN | SLP_TYP(1));		/* S1 */
	outb(UV_PORT_ACPI_SLEEP_STS, 0x80);	/* WAK_STS clear: not counted */
	outb(UV_PORT_ACPI_RESET, UV_ACPI_RESET_VALUE + 1);
	outb(UV_PORT_KBC_CMD, 0xd1);		/* write output port: not emulated */
	outb(UV_PORT_RESET_CTL, 0x02);		/* SYS_RST alone, as Linux's first write */
	puts(bad ? "pm: FAILED\n" : "pm: ignored writes done\n");
	if (bad)
		guest_exit(1);
	switch (path) {
	case 0:
		outb(UV_PORT_ACPI_SLEEP_CTL, SLP_EN | SLP_TYP(UV_ACPI_SLP_TYP_S5));
		break;
	case 1:
		outb(UV_PORT_ACPI_RESET, UV_ACPI_RESET_VALUE);
		break;
	case 2:
		outb(UV_PORT_KBC_CMD, 0xfe);
		break;
	default:
		outb(UV_PORT_RESET_CTL, 0x06);	/* RST_CPU | SYS_RST */
		break;
	}
	puts("pm: still running after the power-management write\n");
	guest_exit(1);
}
