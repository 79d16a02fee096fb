// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated 16550 UART at 0x3f8 (8 ports): enough for a polling driver.
 * Transmitted bytes go to the partition's console ring; the transmitter is
 * always empty (LSR.THRE|TEMT) and nothing is ever received. No interrupt
 * line is ever raised, but IIR reports the transmitter-empty condition as a
 * 16550 does (pending once THR is empty with IER.ETBEI set, until IIR is
 * read or THR written): a driver without an interrupt (Linux's 8250 with
 * irq 0) polls IIR from a timer and sends only when it says so. The divisor
 * latch, IER, LCR, MCR and scratch registers read back what was written.
 *
 * What Linux's 8250 driver probes for: with FIFOs enabled (FCR bit 0) IIR
 * reads 0xc1, so it finds a 16550A and sends 16 bytes per poll instead of
 * one (the port has no interrupt, it is polled from a timer); in loopback
 * (MCR bit 4) the modem status lines follow MCR (RTS -> CTS, DTR -> DSR,
 * OUT1 -> RI, OUT2 -> DCD), which its loopback test checks.
 */
#include <linux/types.h>

#include <linux/ultravisor_hypercall.h>

#include "internal.h"

#define UART_LCR_DLAB	0x80
#define UART_LSR_IDLE	0x60	/* THRE | TEMT */
#define UART_MSR_IDLE	0xb0	/* DCD | DSR | CTS */
#define UART_MCR_LOOP	0x10
#define UART_FCR_ENABLE	0x01
#define UART_IIR_NONE	0x01
#define UART_IIR_THRI	0x02
#define UART_IER_THRI	0x02
#define UART_IIR_FIFOS	0xc0

/* MSR in loopback: DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD (bits 0-3 -> 5, 4, 6, 7) */
static u8 uv_uart_loop_msr(u8 mcr)
{
	return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) |
	       ((mcr & 0x08) << 4);
}

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
			u->thri = true;		/* sent at once: THR empty again */
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
			if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thri = true;	/* THR is empty */
			u->ier = v & 0x0f;
		}
		break;
	case 2:
		if (in) {		/* IIR: THR empty or nothing; FIFOs as FCR set them */
			*val = u->fcr & UART_FCR_ENABLE ? UART_IIR_FIFOS : 0;
			if (u->thri && (u->ier & UART_IER_THRI)) {
				*val |= UART_IIR_THRI;
				u->thri = false;	/* reading IIR clears it */
			} else {
				*val |= UART_IIR_NONE;
			}
		} else {
			u->fcr = v & UART_FCR_ENABLE;	/* the reset bits act at once */
		}
		break;
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
			*val = u->mcr & UART_MCR_LOOP ? uv_uart_loop_msr(u->mcr) : UART_MSR_IDLE;
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
