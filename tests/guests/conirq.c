// SPDX-License-Identifier: GPL-2.0
/*
 * conirq: conecho that waits for input with interrupts instead of polling.
 * receiveq0 gets vector=V (default 64); the guest sleeps in HLT with IF = 1 and
 * the server's used-buffer notification, injected by the monitor, wakes it. Every
 * line received is echoed back as "echo: LINE"; "quit" ends it with exit code 0
 * and a report on the serial port: lines, interrupts taken (total and on V),
 * HLTs done, and how many of them found nothing new (spurious wake-ups).
 *
 * badvec=N writes N as receiveq0's vector instead (one the module must refuse,
 * e.g. 30 or 300 & 0xffff) and polls like conecho: the echo must still work, and
 * no interrupt may arrive.
 */
#include "guest.h"
#include "lib/irq.h"
#include "lib/con_echo.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static char in[4096];
static struct con_echo e;

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint32_t vec = (uint32_t)parse_num(cmdline_get(mbi, "vector"), 64);
	const char *bad = cmdline_get(mbi, "badvec");
	uint32_t halts = 0, empty_wakes = 0, n;
	uint16_t seen;
	struct vcon c;

	if (bad)
		vec = (uint32_t)parse_num(bad, 5);
	irq_setup(NULL);
	if (vcon_open_vec(&c, 10000000000ULL, (uint16_t)vec)) {
		puts("conirq: ");
		puts(c.err);
		puts("\n");
		guest_exit(1);
	}
	irq_enable();
	con_say(&c, "conirq: ready\n");
	puts("conirq: ready\n");
	for (;;) {
		n = vcon_read(&c, in, sizeof(in));
		if (c.err)
			break;
		if (!n) {
			if (bad) {
				hypercall(UV_HC_YIELD, 0, 0, 0, 0);
				continue;
			}
			seen = c.rx.last_used;
			halts++;
			irq_wait_change(&c.rx.used->idx, seen);
			if (c.rx.used->idx == seen)
				empty_wakes++;
			continue;
		}
		if (con_echo_feed(&c, &e, in, n)) {
			con_say(&c, "conirq: bye\n");
			vcon_drain(&c, 2000000000ULL);
			puts("conirq: quit");
			put_field("lines", e.lines);
			put_field("irqs", irq_total);
			put_field("irqs_on_vector", irq_count[vec & 255]);
			put_field("halts", halts);
			put_field("empty_wakes", empty_wakes);
			put_field("kicks", c.kicks);
			puts("\n");
			guest_exit(0);
		}
	}
	puts("conirq: ");
	puts(c.err ? c.err : "?");
	puts("\n");
	guest_exit(1);
}
