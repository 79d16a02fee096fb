// SPDX-License-Identifier: GPL-2.0
/*
 * Driver (client) side of a split virtqueue: see chan_queue.h. The descriptor links
 * and chain lengths are kept privately (next[], chain_len[]), so freeing a chain
 * never follows anything the device could have written; the only device-written
 * values read here are used->idx, the used elements and avail_event/used->flags,
 * and a used id that is not an outstanding head breaks the queue.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan_queue.h"
#include "chan_shm.h"

static void drv_fail(struct chan_drv_queue *q, int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void drv_fail(struct chan_drv_queue *q, int reason, const char *fmt, ...)
{
	va_list ap;

	if (q->error)
		return;
	q->error = reason;
	va_start(ap, fmt);
	/*
	 * clang-tidy reports this va_list as uninitialized when it analyses this file
	 * after another one in the same run (not when alone): a false positive.
	 */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(q->why, sizeof(q->why), fmt, ap);
	va_end(ap);
}

int chan_drv_queue_init(struct chan_drv_queue *q, void *desc, void *avail, void *used,
			uint16_t size, bool event_idx)
{
	unsigned int i;

	memset(q, 0, sizeof(*q));
	if (!size || (size & (size - 1)))
		return -EINVAL;
	q->next = calloc(size, sizeof(*q->next));
	q->chain_len = calloc(size, sizeof(*q->chain_len));
	q->cookie = calloc(size, sizeof(*q->cookie));
	if (!q->next || !q->chain_len || !q->cookie) {
		chan_drv_queue_destroy(q);
		return -ENOMEM;
	}
	memset(desc, 0, uv_vring_desc_bytes(size));
	memset(avail, 0, uv_vring_avail_bytes(size));
	memset(used, 0, uv_vring_used_bytes(size));
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->used_event = &q->avail->ring[size];
	q->avail_event = (__le16 *)&q->used->ring[size];
	q->size = size;
	q->event_idx = event_idx;
	for (i = 0; i < size; i++)
		q->next[i] = (uint16_t)(i + 1);
	q->num_free = size;
	q->free_head = 0;
	return 0;
}

void chan_drv_queue_destroy(struct chan_drv_queue *q)
{
	free(q->next);
	free(q->chain_len);
	free(q->cookie);
	q->next = NULL;
	q->chain_len = NULL;
	q->cookie = NULL;
}

int chan_drv_queue_add(struct chan_drv_queue *q, const struct chan_buf *rd, unsigned int nr_read,
		       const struct chan_buf *wr, unsigned int nr_write, void *cookie)
{
	unsigned int n = nr_read + nr_write, k;
	uint16_t head, i, last = 0;

	if (q->error || !cookie || !n || n > q->size)
		return -EINVAL;
	if (n > q->num_free)
		return -ENOSPC;
	head = q->free_head;
	i = head;
	for (k = 0; k < n; k++) {
		const struct chan_buf *b = k < nr_read ? &rd[k] : &wr[k - nr_read];
		struct uv_vring_desc *d = &q->desc[i];
		uint16_t flags = k < nr_read ? 0 : UV_VRING_DESC_F_WRITE;

		if (k + 1 < n)
			flags |= UV_VRING_DESC_F_NEXT;
		shm_st64(&d->addr, b->gpa);
		shm_st32(&d->len, b->len);
		shm_st16(&d->flags, flags);
		shm_st16(&d->next, k + 1 < n ? q->next[i] : 0);
		last = i;
		i = q->next[i];
	}
	q->free_head = q->next[last];
	q->num_free -= n;
	q->chain_len[head] = (uint16_t)n;
	q->cookie[head] = cookie;
	shm_st16(&q->avail->ring[q->avail_idx & (q->size - 1)], head);
	q->avail_idx++;
	q->stats.chains++;
	return 0;
}

void chan_drv_queue_expose(struct chan_drv_queue *q)
{
	if (q->error || q->exposed == q->avail_idx)
		return;
	/* descriptors and ring entries before the index that covers them */
	shm_st16_release(&q->avail->idx, q->avail_idx);
	q->exposed = q->avail_idx;
}

bool chan_drv_queue_publish(struct chan_drv_queue *q)
{
	uint16_t old = q->published, new = q->avail_idx;
	bool need;

	if (q->error || old == new)
		return false;
	chan_drv_queue_expose(q);
	q->published = new;
	/* our avail->idx store before reading avail_event / used->flags */
	shm_full_fence();
	if (q->event_idx)
		need = uv_vring_need_event(shm_ld16(q->avail_event), new, old);
	else
		need = !(shm_ld16(&q->used->flags) & UV_VRING_USED_F_NO_NOTIFY);
	if (need)
		q->stats.notify++;
	else
		q->stats.notify_suppressed++;
	return need;
}

/* Read used->idx once and check it; true if entries are waiting. */
static bool used_pending(struct chan_drv_queue *q)
{
	uint16_t u, outstanding;

	if (q->last_used != q->used_seen)
		return true;
	u = shm_ld16_acquire(&q->used->idx);
	outstanding = (uint16_t)(q->exposed - q->last_used);
	if ((uint16_t)(u - q->last_used) > outstanding) {
		drv_fail(q, UV_CHANNEL_ERR_AVAIL_IDX, "used idx %u: %u entries past %u, %u outstanding",
			 u, (uint16_t)(u - q->last_used), q->last_used, outstanding);
		return false;
	}
	q->used_seen = u;
	return u != q->last_used;
}

void *chan_drv_queue_get_used(struct chan_drv_queue *q, uint32_t *len)
{
	const struct uv_vring_used_elem *e;
	uint32_t id;
	uint16_t n, tail;
	void *cookie;

	if (q->error || !used_pending(q))
		return NULL;
	e = &q->used->ring[q->last_used & (q->size - 1)];
	id = shm_ld32(&e->id);
	if (len)
		*len = shm_ld32(&e->len);
	if (id >= q->size || !q->cookie[id]) {
		drv_fail(q, UV_CHANNEL_ERR_HEAD, "used entry %u: id %u is not an outstanding chain",
			 q->last_used, id);
		return NULL;
	}
	cookie = q->cookie[id];
	q->cookie[id] = NULL;
	n = q->chain_len[id];
	for (tail = (uint16_t)id; --n; )
		tail = q->next[tail];
	q->next[tail] = q->free_head;
	q->free_head = (uint16_t)id;
	q->num_free += q->chain_len[id];
	q->last_used++;
	q->stats.used++;
	return cookie;
}

bool chan_drv_queue_enable_cb(struct chan_drv_queue *q)
{
	if (q->error)
		return false;
	if (q->event_idx) {
		shm_st16(q->used_event, q->last_used);
	} else if (q->cb_off) {
		shm_st16(&q->avail->flags, 0);
		q->cb_off = false;
	}
	/* our request before re-reading used->idx */
	shm_full_fence();
	return used_pending(q);
}

bool chan_drv_queue_enable_cb_delayed(struct chan_drv_queue *q)
{
	uint16_t outstanding = (uint16_t)(q->exposed - q->last_used);
	uint16_t want = (uint16_t)(q->last_used + outstanding * 3 / 4);

	if (q->error)
		return false;
	if (!q->event_idx)
		return chan_drv_queue_enable_cb(q);
	shm_st16(q->used_event, want);
	shm_full_fence();
	return (uint16_t)(shm_ld16_acquire(&q->used->idx) - q->last_used) >
	       (uint16_t)(want - q->last_used);
}

void chan_drv_queue_disable_cb(struct chan_drv_queue *q)
{
	if (q->error || q->event_idx || q->cb_off)
		return;
	shm_st16(&q->avail->flags, UV_VRING_AVAIL_F_NO_INTERRUPT);
	q->cb_off = true;
}
