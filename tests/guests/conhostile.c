// SPDX-License-Identifier: GPL-2.0
/*
 * conhostile: sets up the console channel like conwrite, sends one good line,
 * then puts one kind of hostile entry into its transmit queue (kind=, from the
 * command line) and kicks:
 *   addr     a buffer outside the partition's memory
 *   overlap  a buffer on the channel's own header page
 *   wrap     a buffer whose end wraps around 2^64
 *   len      a buffer bigger than the server takes (8 MiB)
 *   head     an available-ring entry naming descriptor 999 (>= queue size)
 *   idx      an available index far ahead of the used index
 *   loop     a descriptor chained to itself
 *   dir      a device-writable buffer on the transmit queue
 * It then waits (polling, 20 s at most) for the server to mark the channel BROKEN,
 * prints the reason number on the serial port and exits 0; 1 if it never did.
 */
#include "guest.h"
#include "lib/virtio_console.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static const char *const kinds[] = { "addr", "overlap", "wrap", "len", "head", "idx", "loop",
				     "dir" };
static uint8_t junk[64];

static int kind_of(const char *v)
{
	unsigned int i;

	for (i = 0; v && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i]);

		if (!strncmp(v, kinds[i], n) && (v[n] == 0 || v[n] == ' '))
			return (int)i;
	}
	return -1;
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	int kind = kind_of(cmdline_get(mbi, "kind"));
	struct vcon c;
	struct vcon_queue *q = &c.tx;
	volatile struct uv_vring_desc *d;
	uint64_t end;
	uint16_t slot;

	if (kind < 0) {
		puts("conhostile: kind= must be one of addr overlap wrap len head idx loop dir\n");
		guest_exit(2);
	}
	if (vcon_open(&c, 10000000000ULL)) {
		puts("conhostile: ");
		puts(c.err);
		puts("\n");
		guest_exit(1);
	}
	vcon_write(&c, "conhostile: a good line first\n", 30, 2000000000ULL);
	vcon_drain(&c, 5000000000ULL);
	/* descriptor 0 of the transmit queue, free again after the drain */
	d = &q->desc[0];
	d->addr = (uint32_t)(uintptr_t)junk;
	d->len = sizeof(junk);
	d->flags = 0;
	d->next = 0;
	slot = q->avail_idx & (q->size - 1);
	q->avail->ring[slot] = 0;
	switch (kind) {
	case 0:
		d->addr = 0x0000100000000000ULL;
		break;
	case 1:
		d->addr = c.gpa;
		break;
	case 2:
		d->addr = 0xfffffffffffff000ULL;
		d->len = 0x2000;
		break;
	case 3:
		d->addr = 0x100000;
		d->len = 8 << 20;
		break;
	case 4:
		q->avail->ring[slot] = 999;
		break;
	case 5:
		q->avail_idx += (uint16_t)(q->size + 7);
		break;
	case 6:
		d->flags = UV_VRING_DESC_F_NEXT;
		d->next = 0;
		break;
	default:
		d->flags = UV_VRING_DESC_F_WRITE;
		break;
	}
	q->avail_idx++;
	puts("conhostile: sent kind ");
	puts(kinds[kind]);
	puts("\n");
	vcon_publish(&c);
	/* and kick whatever the event index says: a hostile guest does */
	hypercall(UV_HC_CHANNEL_NOTIFY, c.gpa, q->notify_data, 0, 0);
	end = vcon_now() + 20000000000ULL;
	while (c.h->server_state != UV_CHANNEL_SERVER_BROKEN && vcon_now() < end)
		hypercall(UV_HC_YIELD, 0, 0, 0, 0);
	if (c.h->server_state != UV_CHANNEL_SERVER_BROKEN) {
		puts("conhostile: the server never marked the channel broken\n");
		guest_exit(1);
	}
	puts("conhostile: broken reason=");
	put_dec(c.h->broken_reason);
	puts(" queue=");
	put_dec(c.h->broken_queue);
	puts("\n");
	guest_exit(0);
}
