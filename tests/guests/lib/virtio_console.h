/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio_console: a freestanding virtio-console driver for the test guests, over
 * a console memory channel (docs/channels.md, uapi/linux/ultravisor_channel.h).
 *
 * It finds the partition's console channel with UV_HC_CHANNEL_LIST, negotiates
 * VERSION_1 and EVENT_IDX, sets up receiveq0 and transmitq0 in the channel's own
 * queue memory (the default placement the module wrote). By default it polls the
 * used rings and asks for no used-buffer notifications; vcon_open_vec() gives
 * receiveq0 an interrupt vector instead: the driver then publishes used_event =
 * the next entry it waits for, and the server's notification becomes that
 * interrupt (lib/irq.h waits for it in HLT). A kick (UV_HC_CHANNEL_NOTIFY) is
 * sent only when the device's avail_event says it is waiting for it.
 *
 * The driver never waits for the host without a bound: a write that finds
 * transmitq0 full polls for room for at most the caller's time, then drops the
 * rest and reports it in the console config (struct uv_console_config tx_drop_*),
 * where the server sees it and marks its log.
 */
#ifndef VIRTIO_CONSOLE_H
#define VIRTIO_CONSOLE_H

#include <stdint.h>

#include <linux/ultravisor_channel.h>

#define VCON_MAX_QUEUE	256		/* entries we use at most per queue */
#define VCON_TX_BUF	1024		/* bytes per transmit buffer (one chain each) */
#define VCON_RX_BUFS	32
#define VCON_RX_BUF	256

struct vcon_queue {
	volatile struct uv_vring_desc *desc;
	volatile struct uv_vring_avail *avail;
	volatile struct uv_vring_used *used;
	volatile uint16_t *used_event;	/* ours, in the avail ring */
	volatile uint16_t *avail_event;	/* the device's, in the used ring */
	uint16_t size;
	uint16_t notify_data;
	uint16_t vector;		/* UV_CHANNEL_NO_VECTOR: polled */
	uint16_t avail_idx;		/* private: next entry to fill */
	uint16_t published;		/* avail_idx at the last kick decision */
	uint16_t last_used;		/* private: next used entry to take */
	uint16_t num_free;
	uint16_t free_head;
	uint16_t next[VCON_MAX_QUEUE];	/* private copy of the free list */
};

struct vcon {
	volatile struct uv_channel_header *h;
	volatile struct uv_console_config *cfg;
	uint32_t gpa;
	struct vcon_queue rx, tx;
	uint32_t kicks;			/* notify hypercalls made */
	uint32_t kick_skipped;		/* publishes that needed none */
	uint32_t dropped;		/* bytes given up on (tx queue full) */
	uint32_t drop_events;
	int dropping;			/* inside a drop episode */
	const char *err;		/* why vcon_open or a call failed */
};

/*
 * Find the console channel, wait up to @wait_ns for its server (READY), negotiate
 * and set up the queues; 0, or -1 with c->err set.
 */
int vcon_open(struct vcon *c, uint64_t wait_ns);

/*
 * vcon_open with @rx_vector for receiveq0's used-buffer notifications
 * (UV_CHANNEL_NO_VECTOR: polled, as vcon_open). The vector is written as given,
 * so a test can also write one the module must refuse.
 */
int vcon_open_vec(struct vcon *c, uint64_t wait_ns, uint16_t rx_vector);

/* receiveq0 has nothing new since the last vcon_read (IF = 0 when it matters). */
int vcon_rx_empty(struct vcon *c);

/*
 * Queue @len bytes for transmission (one chain per VCON_TX_BUF bytes) without
 * publishing them. When the queue is full, poll for room up to @wait_ns; after
 * that, drop what is left (counted). Returns the bytes queued.
 */
uint32_t vcon_add(struct vcon *c, const void *buf, uint32_t len, uint64_t wait_ns);

/* Publish what was added; kick the device if its event index asks for it. */
void vcon_publish(struct vcon *c);

/* vcon_add + vcon_publish. */
uint32_t vcon_write(struct vcon *c, const void *buf, uint32_t len, uint64_t wait_ns);

/* Bytes received so far (at most @max), without waiting; buffers are given back. */
uint32_t vcon_read(struct vcon *c, void *buf, uint32_t max);

/* Wait (polling) until the device has used every transmit chain, up to @wait_ns. */
int vcon_drain(struct vcon *c, uint64_t wait_ns);

/* Host monotonic time (UV_HC_TIME_NS). */
uint64_t vcon_now(void);

#endif
