// SPDX-License-Identifier: GPL-2.0
/* A freestanding virtio-console driver over a console channel: see virtio_console.h. */
#include "../guest.h"
#include "virtio_console.h"

#define F_EVENT_IDX	(1u << UV_VIRTIO_F_EVENT_IDX)		/* word 0 */
#define F_VERSION_1	(1u << (UV_VIRTIO_F_VERSION_1 - 32))	/* word 0, high half */

static struct uv_channel_entry entries[16] __attribute__((aligned(64)));
static uint8_t tx_buf[VCON_MAX_QUEUE][VCON_TX_BUF] __attribute__((aligned(64)));
static uint8_t rx_buf[VCON_RX_BUFS][VCON_RX_BUF] __attribute__((aligned(64)));

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void mfence(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

uint64_t vcon_now(void)
{
	return hypercall64(UV_HC_TIME_NS);
}

static void *gpa_ptr(uint64_t gpa)
{
	return (void *)(uintptr_t)(uint32_t)gpa;
}

static int queue_setup(struct vcon *c, struct vcon_queue *q, unsigned int qi, uint16_t vector)
{
	volatile struct uv_channel_queue *d = &c->h->queue[qi];
	uint16_t max = d->max_size, i;

	if (max == 0 || (max & (max - 1))) {
		c->err = "queue max_size is not a power of two";
		return -1;
	}
	q->size = max < VCON_MAX_QUEUE ? max : VCON_MAX_QUEUE;
	q->notify_data = (uint16_t)d->notify_data;
	/* the default placement the module wrote (it fits max_size, so also q->size) */
	if ((d->desc_addr | d->avail_addr | d->used_addr) >> 32) {
		c->err = "rings above 4 GiB";
		return -1;
	}
	q->desc = gpa_ptr(d->desc_addr);
	q->avail = gpa_ptr(d->avail_addr);
	q->used = gpa_ptr(d->used_addr);
	q->used_event = (volatile uint16_t *)((volatile uint8_t *)q->avail +
					       uv_vring_used_event_off(q->size));
	q->avail_event = (volatile uint16_t *)((volatile uint8_t *)q->used +
						uv_vring_avail_event_off(q->size));
	for (i = 0; i < q->size; i++) {
		q->desc[i].addr = 0;
		q->desc[i].len = 0;
		q->desc[i].flags = 0;
		q->desc[i].next = 0;
		q->next[i] = (uint16_t)(i + 1);
	}
	q->vector = vector;
	q->avail->flags = vector == UV_CHANNEL_NO_VECTOR ? UV_VRING_AVAIL_F_NO_INTERRUPT : 0;
	q->avail->idx = 0;
	/* polled: no used-buffer notification wanted; else one for the first entry */
	*q->used_event = vector == UV_CHANNEL_NO_VECTOR ? 0xffff : 0;
	q->avail_idx = q->published = q->last_used = 0;
	q->num_free = q->size;
	q->free_head = 0;
	d->size = q->size;
	d->vector = vector;
	barrier();
	d->enable = 1;
	return 0;
}

/* Publish the avail index; kick if the device's avail_event lies in [old, new). */
static void queue_publish(struct vcon *c, struct vcon_queue *q)
{
	uint16_t old = q->published, now = q->avail_idx;

	if (old == now)
		return;
	barrier();
	q->avail->idx = now;		/* store-release: entries first (x86: ordered) */
	mfence();			/* Dekker against the device's enable_notify */
	q->published = now;
	if (uv_vring_need_event(*q->avail_event, now, old)) {
		hypercall(UV_HC_CHANNEL_NOTIFY, c->gpa, q->notify_data, 0, 0);
		c->kicks++;
	} else {
		c->kick_skipped++;
	}
}

/* Take used entries back: the number taken, or -1 if the device returned a bad id. */
static int tx_reclaim(struct vcon *c)
{
	struct vcon_queue *q = &c->tx;
	uint16_t idx = q->used->idx;
	int n = 0;

	barrier();			/* load-acquire of the used index */
	while (q->last_used != idx) {
		uint32_t id = q->used->ring[q->last_used & (q->size - 1)].id;

		if (id >= q->size || q->num_free >= q->size) {
			c->err = "device returned a bad used id";
			return -1;
		}
		q->next[id] = q->free_head;
		q->free_head = (uint16_t)id;
		q->num_free++;
		q->last_used++;
		n++;
	}
	*q->used_event = (uint16_t)(q->last_used - 1);	/* still no notifications */
	return n;
}

static void drop(struct vcon *c, uint32_t n)
{
	if (!c->dropping) {
		c->dropping = 1;
		c->drop_events++;
		c->cfg->tx_drop_avail = c->tx.avail_idx;
	}
	c->dropped += n;
	c->cfg->tx_dropped = c->dropped;
	barrier();
	c->cfg->tx_drop_events = c->drop_events;	/* last: the server reads it first */
}

uint32_t vcon_add(struct vcon *c, const void *buf, uint32_t len, uint64_t wait_ns)
{
	struct vcon_queue *q = &c->tx;
	const uint8_t *p = buf;
	uint32_t done = 0;

	while (done < len) {
		uint32_t n = len - done;
		uint16_t id;

		if (n > VCON_TX_BUF)
			n = VCON_TX_BUF;
		if (!q->num_free && tx_reclaim(c) < 0)
			break;
		if (!q->num_free && !c->dropping) {
			uint64_t end = vcon_now() + wait_ns;

			queue_publish(c, q);	/* let the device see what is waiting */
			while (!q->num_free && vcon_now() < end) {
				hypercall(UV_HC_YIELD, 0, 0, 0, 0);
				if (tx_reclaim(c) < 0)
					break;
			}
		}
		if (!q->num_free) {
			drop(c, len - done);
			break;
		}
		c->dropping = 0;
		id = q->free_head;
		q->free_head = q->next[id];
		q->num_free--;
		memcpy(tx_buf[id], p + done, n);
		q->desc[id].addr = (uint32_t)(uintptr_t)tx_buf[id];
		q->desc[id].len = n;
		q->desc[id].flags = 0;
		q->desc[id].next = 0;
		q->avail->ring[q->avail_idx & (q->size - 1)] = id;
		q->avail_idx++;
		done += n;
	}
	return done;
}

void vcon_publish(struct vcon *c)
{
	queue_publish(c, &c->tx);
}

uint32_t vcon_write(struct vcon *c, const void *buf, uint32_t len, uint64_t wait_ns)
{
	uint32_t n = vcon_add(c, buf, len, wait_ns);

	vcon_publish(c);
	return n;
}

int vcon_drain(struct vcon *c, uint64_t wait_ns)
{
	uint64_t end = vcon_now() + wait_ns;

	vcon_publish(c);
	while (c->tx.num_free < c->tx.size) {
		if (tx_reclaim(c) < 0 || vcon_now() >= end)
			return -1;
		if (c->tx.num_free < c->tx.size)
			hypercall(UV_HC_YIELD, 0, 0, 0, 0);
	}
	return 0;
}

static void rx_post(struct vcon_queue *q, uint16_t id)
{
	q->desc[id].addr = (uint32_t)(uintptr_t)rx_buf[id];
	q->desc[id].len = VCON_RX_BUF;
	q->desc[id].flags = UV_VRING_DESC_F_WRITE;
	q->desc[id].next = 0;
	q->avail->ring[q->avail_idx & (q->size - 1)] = id;
	q->avail_idx++;
}

uint32_t vcon_read(struct vcon *c, void *buf, uint32_t max)
{
	struct vcon_queue *q = &c->rx;
	uint16_t idx = q->used->idx;
	uint8_t *p = buf;
	uint32_t got = 0;

	barrier();
	while (q->last_used != idx) {
		volatile struct uv_vring_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
		uint32_t id = e->id, len = e->len;

		if (id >= VCON_RX_BUFS || len > VCON_RX_BUF) {
			c->err = "device returned a bad receive entry";
			break;
		}
		if (got + len > max)
			break;
		memcpy(p + got, rx_buf[id], len);
		got += len;
		q->last_used++;
		rx_post(q, (uint16_t)id);
	}
	if (q->vector == UV_CHANNEL_NO_VECTOR) {
		*q->used_event = (uint16_t)(q->last_used - 1);
	} else {
		/* interrupt at the next entry; before we look at the used index again */
		*q->used_event = q->last_used;
		mfence();
	}
	queue_publish(c, q);
	return got;
}

int vcon_rx_empty(struct vcon *c)
{
	return c->rx.used->idx == c->rx.last_used;
}

int vcon_open(struct vcon *c, uint64_t wait_ns)
{
	return vcon_open_vec(c, wait_ns, UV_CHANNEL_NO_VECTOR);
}

int vcon_open_vec(struct vcon *c, uint64_t wait_ns, uint16_t rx_vector)
{
	uint32_t n, i, feat;
	uint64_t end;
	volatile struct uv_channel_header *h = NULL;

	memset(c, 0, sizeof(*c));
	n = hypercall(UV_HC_CHANNEL_LIST, (uint32_t)(uintptr_t)entries, 16, 0, 0);
	if ((int32_t)n < 0) {
		c->err = "UV_HC_CHANNEL_LIST failed";
		return -1;
	}
	for (i = 0; i < n && i < 16; i++)
		if (entries[i].type_code == UV_CHANNEL_TYPE_CONSOLE) {
			c->gpa = (uint32_t)entries[i].gpa;
			h = gpa_ptr(entries[i].gpa);
			break;
		}
	if (!h) {
		c->err = "no console channel";
		return -1;
	}
	if (h->signature != UV_CHANNEL_SIGNATURE || h->virtio_device_id != UV_VIRTIO_ID_CONSOLE ||
	    h->num_queues < 2) {
		c->err = "bad console channel header";
		return -1;
	}
	c->h = h;
	c->cfg = (volatile struct uv_console_config *)h->config;
	h->client_state = UV_CHANNEL_CLIENT_RESET;
	barrier();
	h->client_state = UV_CHANNEL_CLIENT_ACKNOWLEDGE | UV_CHANNEL_CLIENT_DRIVER;
	end = vcon_now() + wait_ns;
	while (h->server_state != UV_CHANNEL_SERVER_READY) {
		if (vcon_now() >= end) {
			c->err = "no console server (server_state not READY)";
			return -1;
		}
		hypercall(UV_HC_YIELD, 0, 0, 0, 0);
	}
	feat = (uint32_t)h->device_features[0];
	if (!(feat & F_EVENT_IDX) || !((uint32_t)(h->device_features[0] >> 32) & F_VERSION_1)) {
		c->err = "server offers no VERSION_1 or EVENT_IDX";
		return -1;
	}
	h->driver_features[0] = F_EVENT_IDX | ((uint64_t)F_VERSION_1 << 32);
	h->driver_features[1] = 0;
	h->client_features = 0;
	c->cfg->tx_drop_events = 0;
	c->cfg->tx_dropped = 0;
	c->cfg->tx_drop_avail = 0;
	barrier();
	h->client_state |= UV_CHANNEL_CLIENT_FEATURES_OK;
	if (queue_setup(c, &c->rx, UV_CONSOLE_RECEIVEQ, rx_vector) ||
	    queue_setup(c, &c->tx, UV_CONSOLE_TRANSMITQ, UV_CHANNEL_NO_VECTOR))
		return -1;
	for (i = 0; i < VCON_RX_BUFS && i < c->rx.size; i++)
		rx_post(&c->rx, (uint16_t)i);
	c->rx.num_free = (uint16_t)(c->rx.size - i);
	barrier();
	h->client_state |= UV_CHANNEL_CLIENT_DRIVER_OK;
	mfence();
	queue_publish(c, &c->rx);
	return 0;
}
