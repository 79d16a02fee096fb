// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated 16550 UART at 0x3f8 (8 ports): enough for a polling driver.
 * Transmitted bytes go to the partition's console ring; the transmitter is
 * always empty (LSR.THRE|TEMT), nothing is ever received, and no interrupt is
 * ever raised (IIR = 1: none pending). The divisor latch, IER, LCR, MCR and
 * scratch registers read back what was written.
 */
#include <linux/types.h>

#include <linux/ultravisor_hypercall.h>

#include "internal.h"

#define UART_LCR_DLAB	0x80
#define UART_LSR_IDLE	0x60	/* THRE | TEMT */
#define UART_MSR_IDLE	0xb0	/* DCD | DSR | CTS */

void uv_uart_reset(struct uv_uart *u)
{
	*u = (struct uv_uart){ .lcr = 0x03 };
}

/*
 * A guest access to @port of size 1 (wider accesses use their low byte).
 * Returns false if @port is not the UART's.
 */
bool uv_uart_io(struct uv_partition *p, u16 port, bool in, u32 *val)
{
	struct uv_uart *u = &p->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 v = *val;
	char c;

	if (port < UV_PORT_SERIAL || port > UV_PORT_SERIAL + 7)
		return false;
	switch (port - UV_PORT_SERIAL) {
	case 0:
		if (dlab) {
			if (in)
				*val = u->dll;
			else
				u->dll = v;
		} else if (in) {
			*val = 0;		/* RBR: nothing received */
		} else {
			c = v;
			uv_console_write(&p->console, &c, 1);
		}
		break;
	case 1:
		if (dlab) {
			if (in)
				*val = u->dlm;
			else
				u->dlm = v;
		} else if (in) {
			*val = u->ier;
		} else {
			u->ier = v & 0x0f;
		}
		break;
	case 2:
		if (in)
			*val = 0x01;		/* IIR: no interrupt pending */
		break;				/* FCR: ignored */
	case 3:
		if (in)
			*val = u->lcr;
		else
			u->lcr = v;
		break;
	case 4:
		if (in)
			*val = u->mcr;
		else
			u->mcr = v & 0x1f;
		break;
	case 5:
		if (in)
			*val = UART_LSR_IDLE;
		break;
	case 6:
		if (in)
			*val = UART_MSR_IDLE;
		break;
	default:
		if (in)
			*val = u->scr;
		else
			u->scr = v;
		break;
	}
	return true;
}
