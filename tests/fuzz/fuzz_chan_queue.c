// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the device side of a split virtqueue over guest memory made of
 * fuzz bytes. The input is
 *   byte 0	bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bits 2-3 direction, bit 4 resume,
 *		bits 5-7 log2 of the queue size (1..128)
 *   byte 1	bit 0 a second region ending at 2^64, bit 1 the rings' page reserved,
 *		bits 2-7 the most segments per chain (1..64)
 *   byte 2-3	how many of the following bytes are the memory image (the rest is a
 *		script of 3-byte writes {offset le16, value} the "guest" makes between
 *		two calls, as if it were running on another CPU)
 *   ...	the memory image (64 KiB region at 0x10000, rings at its start)
 * The server must never crash, read or write outside the regions (ASan: each
 * region is its own exact-size allocation), hang, or hand out a segment that breaks
 * the rules; a refusal must leave the queue broken with a reason and a message.
 * The same bytes also go through the header-page check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor_channel.h>

#include "chan_header.h"
#include "chan_mem.h"
#include "chan_queue.h"

#define A_GPA	0x10000ULL
#define A_SIZE	0x10000u
#define B_GPA	0xfffffffffffff000ULL
#define B_SIZE	0x1000u
#define MAX_SEG	64

static void must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_chan_queue: %s\n", what);
		abort();
	}
}

static int inside(const void *p, uint32_t len, const uint8_t *base, uint32_t size)
{
	const uint8_t *q = p;

	return q >= base && len <= size && q - base <= (long)(size - len);
}

static void check_header(const uint8_t *data, size_t size)
{
	static struct uv_channel_header page, copy;
	struct chan_queue_config cfg;
	char why[CHAN_WHY_LEN];
	unsigned int i;

	memset(&page, 0, sizeof(page));
	memcpy(&page, data, size < sizeof(page) ? size : sizeof(page));
	if (chan_header_read(&page, 1 << 22, &copy, why, sizeof(why)))
		return;
	for (i = 0; i <= UV_CHANNEL_MAX_QUEUES; i++)
		(void)chan_header_queue_config(&copy, i, CHAN_DIR_ANY, &cfg, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct chan_seg seg[MAX_SEG];
	struct chan_queue_config cfg;
	struct chan_dev_queue q;
	struct chan_chain c;
	struct chan_mem m;
	uint8_t *a, *b = NULL, scratch[256];
	size_t img, script, pos = 0;
	unsigned int max_seg, iter;

	if (size < 4)
		return 0;
	check_header(data, size);
	img = data[2] | (size_t)data[3] << 8;
	if (img > size - 4)
		img = size - 4;
	script = 4 + img;
	max_seg = 1 + (data[1] >> 2);

	a = calloc(1, A_SIZE);
	must(a != NULL, "calloc");
	memcpy(a, data + 4, img < A_SIZE ? img : A_SIZE);
	chan_mem_init(&m);
	must(!chan_mem_add(&m, A_GPA, A_SIZE, a), "add A");
	if (data[1] & 1) {
		b = calloc(1, B_SIZE);
		must(b != NULL, "calloc");
		must(!chan_mem_add(&m, B_GPA, B_SIZE, b), "add B");
	}
	if (data[1] & 2)
		must(!chan_mem_reserve(&m, A_GPA, 0x1000), "reserve");

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = (uint16_t)(1u << (data[0] >> 5));
	cfg.desc_addr = A_GPA;
	cfg.avail_addr = A_GPA + 0x800;
	cfg.used_addr = A_GPA + 0xc00;
	cfg.event_idx = data[0] & 1;
	cfg.indirect = data[0] & 2;
	cfg.dir = (enum chan_dir)((data[0] >> 2) & 3);	/* 3 is not a direction: acts as ANY */
	cfg.resume = data[0] & 16;
	cfg.max_chain_bytes = 0x20000;
	must(!chan_dev_queue_start(&q, &m, &cfg), "start");

	for (iter = 0; iter < 1024; iter++) {
		int r = chan_dev_queue_pop(&q, seg, max_seg, &c);

		if (r < 0) {
			must(q.error > 0 && q.error <= UV_CHANNEL_ERR_MAX && q.why[0], "no reason");
			break;
		}
		if (r == 1) {
			uint64_t total = 0;
			unsigned int i;

			must(c.nr_seg >= 1 && c.nr_seg <= max_seg && c.nr_read <= c.nr_seg, "counts");
			must(c.head < cfg.size, "head");
			for (i = 0; i < c.nr_seg; i++) {
				must(seg[i].len > 0, "empty segment");
				must(inside(seg[i].ptr, seg[i].len, a, A_SIZE) ||
				     (b && inside(seg[i].ptr, seg[i].len, b, B_SIZE)), "outside");
				must(seg[i].write == (i >= c.nr_read), "order");
				must(!(cfg.dir == CHAN_DIR_DEVICE_READS && seg[i].write), "dir");
				must(!(cfg.dir == CHAN_DIR_DEVICE_WRITES && !seg[i].write), "dir");
				if (seg[i].write)	/* ASan checks every byte */
					memset(seg[i].ptr, 0xa5, seg[i].len);
				total += seg[i].len;
			}
			must(total == c.read_bytes + c.write_bytes && total <= 0x20000, "total");
			while (chan_chain_read(&c, 0, scratch, sizeof(scratch)) == sizeof(scratch) &&
			       c.read_bytes > sizeof(scratch) &&
			       chan_chain_read(&c, c.read_bytes - 1, scratch, 1) != 1)
				;
			(void)chan_chain_write(&c, 0, scratch, sizeof(scratch));
			must(!chan_dev_queue_push(&q, c.head, (uint32_t)c.write_bytes), "push");
			(void)chan_dev_queue_need_notify(&q);
		} else if (!chan_dev_queue_enable_notify(&q) && pos + 3 > size - script) {
			break;	/* idle and the guest has nothing more to write */
		}
		/* the guest moves on: one write from the script */
		if (pos + 3 <= size - script) {
			const uint8_t *w = data + script + pos;
			uint32_t off = (w[0] | (uint32_t)w[1] << 8) & (A_SIZE - 1);

			a[off] = w[2];
			pos += 3;
		}
		if (iter % 7 == 0)
			chan_dev_queue_disable_notify(&q);
	}
	free(a);
	free(b);
	return 0;
}
