// SPDX-License-Identifier: GPL-2.0
/*
 * conwrite: writes bytes=N bytes of a known pattern through the console channel
 * (tests/guests/lib/virtio_console.c), msg=M bytes per chain-set, burst=B messages
 * per publish, then gap=US microseconds of pause; wait=MS is how long a full
 * transmit queue is waited for before bytes are dropped. serial=1 writes the same
 * bytes to the serial port instead (the benchmark's reference). Reports on the
 * serial port: bytes queued and dropped, notifications sent, nanoseconds taken;
 * with progress=MS also every MS milliseconds "conwrite: progress off=N queued=N
 * dropped=N", which shows it writing while no server reads its channel.
 *
 * The pattern (also in tests/vm/tools/con_check.c): byte i is in line i/64; its
 * column 63 is '\n', columns 0-7 the line number in hex, the others
 * 'a' + (line + column) % 26.
 */
#include "guest.h"
#include "lib/virtio_console.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static uint8_t msgbuf[4096];

static uint8_t pattern(uint32_t i)
{
	uint32_t line = i >> 6, col = i & 63;

	if (col == 63)
		return '\n';
	if (col < 8)
		return (uint8_t)"0123456789abcdef"[(line >> (28 - 4 * col)) & 15];
	return (uint8_t)('a' + (line + col) % 26);
}

static void pause_us(uint64_t us)
{
	uint64_t end = vcon_now() + us * 1000;

	while (vcon_now() < end)
		hypercall(UV_HC_YIELD, 0, 0, 0, 0);
}

/* FNV-1a (32 bits) of the bytes queued: con_check computes it over the log */
static uint32_t fnv(uint32_t h, const uint8_t *p, uint32_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint32_t total = (uint32_t)parse_num(cmdline_get(mbi, "bytes"), 1 << 20);
	uint32_t msg = (uint32_t)parse_num(cmdline_get(mbi, "msg"), 4096);
	uint32_t burst = (uint32_t)parse_num(cmdline_get(mbi, "burst"), 16);
	uint64_t gap = parse_num(cmdline_get(mbi, "gap"), 0);
	uint64_t wait = parse_num(cmdline_get(mbi, "wait"), 2000) * 1000000ULL;
	int serial = (int)parse_num(cmdline_get(mbi, "serial"), 0);
	uint64_t progress = parse_num(cmdline_get(mbi, "progress"), 0) * 1000000ULL;
	uint64_t next_progress = 0;
	uint32_t off = 0, queued = 0, in_burst = 0, msgs = 0, i, sum = 2166136261u, q;
	uint64_t t0, t1;
	struct vcon c;
	int bad = 0;

	if (!msg || msg > sizeof(msgbuf) || !burst) {
		puts("conwrite: bad msg= or burst=\n");
		guest_exit(2);
	}
	if (!serial && vcon_open(&c, 10000000000ULL)) {
		puts("conwrite: ");
		puts(c.err);
		puts("\n");
		guest_exit(1);
	}
	puts("conwrite: start\n");
	t0 = vcon_now();
	while (off < total) {
		uint32_t n = total - off < msg ? total - off : msg;

		for (i = 0; i < n; i++)
			msgbuf[i] = pattern(off + i);
		if (serial) {
			for (i = 0; i < n; i++)
				serial_putc((char)msgbuf[i]);
			queued += n;
			sum = fnv(sum, msgbuf, n);
		} else {
			q = vcon_add(&c, msgbuf, n, wait);
			queued += q;
			sum = fnv(sum, msgbuf, q);
			if (c.err)
				break;
		}
		off += n;
		msgs++;
		if (++in_burst == burst || off == total) {
			in_burst = 0;
			if (!serial)
				vcon_publish(&c);
			if (gap)
				pause_us(gap);
			if (progress && vcon_now() >= next_progress) {
				next_progress = vcon_now() + progress;
				puts("conwrite: progress");
				put_field("off", off);
				put_field("queued", queued);
				put_field("dropped", serial ? 0 : c.dropped);
				puts("\n");
			}
		}
	}
	if (!serial && vcon_drain(&c, 10000000000ULL)) {
		puts("conwrite: the server did not take everything within 10 s\n");
		bad = 1;
	}
	t1 = vcon_now();
	if (!serial && c.err) {
		puts("conwrite: ");
		puts(c.err);
		puts("\n");
		bad = 1;
	}
	puts("conwrite: done");
	put_field("bytes", total);
	put_field("queued", queued);
	put_field("dropped", serial ? 0 : c.dropped);
	put_field("drop_events", serial ? 0 : c.drop_events);
	put_field("messages", msgs);
	put_field("kicks", serial ? 0 : c.kicks);
	put_field("kicks_skipped", serial ? 0 : c.kick_skipped);
	put_field("ns", t1 - t0);
	puts(" sum=");
	put_hex(sum);
	puts("\n");
	if (!serial && queued + c.dropped != total) {
		puts("conwrite: queued + dropped != bytes\n");
		bad = 1;
	}
	guest_exit(bad);
}
