// SPDX-License-Identifier: GPL-2.0
/*
 * Device (server) side of a split virtqueue: see chan_queue.h for the rules and the
 * memory ordering. The guest owns the rings and may rewrite them at any time, so
 * this file follows Xen's RING_COPY_REQUEST discipline: a shared field is loaded
 * once into a local (chan_shm.h), the local is checked, and only the local is used.
 * No address is dereferenced that did not come out of chan_mem_translate().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chan_queue.h"
#include "chan_shm.h"

static const char *const error_names[] = {
	[UV_CHANNEL_ERR_NONE] = "none",
	[UV_CHANNEL_ERR_HEADER] = "header",
	[UV_CHANNEL_ERR_FEATURES] = "features",
	[UV_CHANNEL_ERR_RING] = "ring",
	[UV_CHANNEL_ERR_AVAIL_IDX] = "avail-idx",
	[UV_CHANNEL_ERR_HEAD] = "head",
	[UV_CHANNEL_ERR_NEXT] = "next",
	[UV_CHANNEL_ERR_LOOP] = "loop",
	[UV_CHANNEL_ERR_ADDR] = "addr",
	[UV_CHANNEL_ERR_WRAP] = "wrap",
	[UV_CHANNEL_ERR_LEN] = "len",
	[UV_CHANNEL_ERR_OVERLAP] = "overlap",
	[UV_CHANNEL_ERR_DIRECTION] = "direction",
	[UV_CHANNEL_ERR_ORDER] = "order",
	[UV_CHANNEL_ERR_INDIRECT] = "indirect",
	[UV_CHANNEL_ERR_SEGMENTS] = "segments",
};

const char *chan_error_name(int reason)
{
	if (reason < 0 || reason > UV_CHANNEL_ERR_MAX)
		return "?";
	return error_names[reason];
}

void chan_dev_queue_fail(struct chan_dev_queue *q, int reason, const char *fmt, ...)
{
	va_list ap;

	if (q->error)
		return;		/* the first reason is the one that counts */
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

static bool is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

int chan_dev_queue_start(struct chan_dev_queue *q, const struct chan_mem *mem,
			 const struct chan_queue_config *cfg)
{
	static const char *const part[3] = { "descriptor table", "available ring", "used ring" };
	static const unsigned int align[3] = {
		UV_VRING_DESC_ALIGN, UV_VRING_AVAIL_ALIGN, UV_VRING_USED_ALIGN
	};
	uint64_t addr[3] = { cfg->desc_addr, cfg->avail_addr, cfg->used_addr };
	uint64_t bytes[3];
	void *host[3];
	unsigned int i, j;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	if (!is_pow2(cfg->size) || cfg->size > UV_VRING_MAX_SIZE) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_RING,
				    "queue size %u is not a power of two <= %u", cfg->size,
				    UV_VRING_MAX_SIZE);
		return -EINVAL;
	}
	bytes[0] = uv_vring_desc_bytes(cfg->size);
	bytes[1] = uv_vring_avail_bytes(cfg->size);
	bytes[2] = uv_vring_used_bytes(cfg->size);
	for (i = 0; i < 3; i++) {
		int reason = 0;

		if (addr[i] % align[i]) {
			chan_dev_queue_fail(q, UV_CHANNEL_ERR_RING,
					    "%s at 0x%" PRIx64 " is not %u-byte aligned",
					    part[i], addr[i], align[i]);
			return -EINVAL;
		}
		host[i] = chan_mem_translate(mem, addr[i], bytes[i], CHAN_MEM_RING, &reason);
		if (!host[i] || (uintptr_t)host[i] % align[i]) {
			chan_dev_queue_fail(q, UV_CHANNEL_ERR_RING,
					    "%s [0x%" PRIx64 ", +0x%" PRIx64 ") is not in client memory (%s)",
					    part[i], addr[i], bytes[i],
					    host[i] ? "host misaligned" : chan_error_name(reason));
			return -EINVAL;
		}
		q->ring_gpa[i] = addr[i];
		q->ring_last[i] = addr[i] + (bytes[i] - 1);
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (chan_range_overlap(q->ring_gpa[i], q->ring_last[i],
					       q->ring_gpa[j], q->ring_last[j])) {
				chan_dev_queue_fail(q, UV_CHANNEL_ERR_RING, "%s overlaps %s",
						    part[i], part[j]);
				return -EINVAL;
			}
	q->desc = host[0];
	q->avail = host[1];
	q->used = host[2];
	q->used_event = &q->avail->ring[cfg->size];
	q->avail_event = (__le16 *)&q->used->ring[cfg->size];
	q->size = cfg->size;
	q->event_idx = cfg->event_idx;
	q->indirect = cfg->indirect;
	q->dir = cfg->dir;
	q->max_chain_bytes = cfg->max_chain_bytes ? cfg->max_chain_bytes : CHAN_MAX_CHAIN_BYTES;
	if (cfg->resume) {
		/* any value is a valid start: pop checks avail against it */
		q->used_idx = shm_ld16(&q->used->idx);
	} else {
		q->used_idx = 0;
		shm_st16(&q->used->flags, 0);
		shm_st16_release(&q->used->idx, 0);
	}
	q->used_published = q->used_idx;
	q->last_avail = q->used_idx;
	q->avail_seen = q->used_idx;
	q->signalled = q->used_idx;
	if (q->event_idx)
		shm_st16(q->avail_event, q->last_avail);
	return 0;
}

/* Read avail->idx once and check it: true if it is sane (and now in avail_seen). */
static bool refresh_avail(struct chan_dev_queue *q)
{
	uint16_t a = shm_ld16_acquire(&q->avail->idx);

	/*
	 * The driver cannot have more than size chains outstanding (each holds a
	 * descriptor until it is used), so avail may lead used by at most size.
	 * It must also never go backwards past what we already took.
	 */
	if ((uint16_t)(a - q->used_idx) > q->size ||
	    (uint16_t)(a - q->last_avail) > (uint16_t)(a - q->used_idx)) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_AVAIL_IDX,
				    "avail idx %u: %u entries past used idx %u (queue size %u)",
				    a, (uint16_t)(a - q->used_idx), q->used_idx, q->size);
		return false;
	}
	q->avail_seen = a;
	return true;
}

bool chan_dev_queue_pending(struct chan_dev_queue *q)
{
	if (q->error)
		return false;
	if (q->last_avail != q->avail_seen)
		return true;
	return refresh_avail(q) && q->last_avail != q->avail_seen;
}

/* One descriptor copied out of shared memory. */
struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static void read_desc(const struct uv_vring_desc *table, uint16_t i, struct desc_copy *d)
{
	d->addr = shm_ld64(&table[i].addr);
	d->len = shm_ld32(&table[i].len);
	d->flags = shm_ld16(&table[i].flags);
	d->next = shm_ld16(&table[i].next);
}

static bool overlaps_rings(const struct chan_dev_queue *q, uint64_t gpa, uint64_t last)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (chan_range_overlap(gpa, last, q->ring_gpa[i], q->ring_last[i]))
			return true;
	return false;
}

/* Indirect descriptor @d: check it and return its table (NULL: queue broken). */
static const struct uv_vring_desc *open_indirect(struct chan_dev_queue *q, uint16_t head,
						 const struct desc_copy *d, bool nested,
						 uint16_t *entries)
{
	const struct uv_vring_desc *t;
	int reason = 0;

	if (!q->indirect) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_INDIRECT,
				    "chain %u: indirect descriptor, feature not negotiated", head);
		return NULL;
	}
	if (nested || (d->flags & UV_VRING_DESC_F_NEXT)) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_INDIRECT, "chain %u: %s", head,
				    nested ? "indirect descriptor inside an indirect table" :
				    "indirect descriptor with NEXT");
		return NULL;
	}
	if (!d->len || d->len % sizeof(struct uv_vring_desc) ||
	    d->len / sizeof(struct uv_vring_desc) > q->size) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_INDIRECT,
				    "chain %u: indirect table of %u bytes (16-byte entries, at most %u)",
				    head, d->len, q->size);
		return NULL;
	}
	if (d->addr % UV_VRING_DESC_ALIGN) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_INDIRECT,
				    "chain %u: indirect table at 0x%" PRIx64 " is not %u-byte aligned",
				    head, d->addr, UV_VRING_DESC_ALIGN);
		return NULL;
	}
	t = chan_mem_translate(q->mem, d->addr, d->len, CHAN_MEM_BUFFER, &reason);
	if (t && (uintptr_t)t % UV_VRING_DESC_ALIGN) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_INDIRECT,
				    "chain %u: indirect table misaligned in the server's mapping", head);
		return NULL;
	}
	if (!t || overlaps_rings(q, d->addr, d->addr + (d->len - 1))) {
		chan_dev_queue_fail(q, t ? UV_CHANNEL_ERR_OVERLAP : reason,
				    "chain %u: indirect table [0x%" PRIx64 ", +0x%x) refused (%s)",
				    head, d->addr, d->len,
				    chan_error_name(t ? UV_CHANNEL_ERR_OVERLAP : reason));
		return NULL;
	}
	*entries = (uint16_t)(d->len / sizeof(struct uv_vring_desc));
	return t;
}

/* Check buffer @d and append it to @c (false: queue broken). */
static bool add_segment(struct chan_dev_queue *q, uint16_t head, const struct desc_copy *d,
			struct chan_chain *c, unsigned int max_seg)
{
	bool write = d->flags & UV_VRING_DESC_F_WRITE;
	uint64_t last;
	int reason = 0;
	void *p;
	unsigned int i;

	if (write && q->dir == CHAN_DIR_DEVICE_READS) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_DIRECTION,
				    "chain %u: writable buffer on a queue the device only reads", head);
		return false;
	}
	if (!write && q->dir == CHAN_DIR_DEVICE_WRITES) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_DIRECTION,
				    "chain %u: readable buffer on a queue the device only writes", head);
		return false;
	}
	if (!write && c->nr_seg > c->nr_read) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_ORDER,
				    "chain %u: readable buffer after a writable one", head);
		return false;
	}
	if (d->len > q->max_chain_bytes - (c->read_bytes + c->write_bytes)) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_LEN,
				    "chain %u: more than %" PRIu64 " bytes", head, q->max_chain_bytes);
		return false;
	}
	p = chan_mem_translate(q->mem, d->addr, d->len, CHAN_MEM_BUFFER, &reason);
	if (!p) {
		chan_dev_queue_fail(q, reason,
				    "chain %u: buffer [0x%" PRIx64 ", +0x%x) refused (%s)",
				    head, d->addr, d->len, chan_error_name(reason));
		return false;
	}
	last = d->addr + (d->len - 1);	/* no wrap: translate checked it */
	if (overlaps_rings(q, d->addr, last)) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_OVERLAP,
				    "chain %u: buffer [0x%" PRIx64 ", +0x%x) overlaps the queue's rings",
				    head, d->addr, d->len);
		return false;
	}
	if (c->nr_seg >= max_seg) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_SEGMENTS,
				    "chain %u: more than %u buffers", head, max_seg);
		return false;
	}
	for (i = 0; i < c->nr_seg; i++) {
		const struct chan_seg *s = &c->seg[i];

		if ((write || s->write) &&
		    chan_range_overlap(d->addr, last, s->gpa, s->gpa + (s->len - 1))) {
			chan_dev_queue_fail(q, UV_CHANNEL_ERR_OVERLAP,
					    "chain %u: buffer [0x%" PRIx64 ", +0x%x) overlaps buffer %u",
					    head, d->addr, d->len, i);
			return false;
		}
	}
	c->seg[c->nr_seg].ptr = p;
	c->seg[c->nr_seg].gpa = d->addr;
	c->seg[c->nr_seg].len = d->len;
	c->seg[c->nr_seg].write = write;
	c->nr_seg++;
	if (write) {
		c->write_bytes += d->len;
	} else {
		c->nr_read++;
		c->read_bytes += d->len;
	}
	return true;
}

int chan_dev_queue_pop(struct chan_dev_queue *q, struct chan_seg *seg, unsigned int max_seg,
		       struct chan_chain *chain)
{
	const struct uv_vring_desc *table;
	uint16_t head, idx, table_size, count = 0;
	bool in_indirect = false;

	if (q->error)
		return -EIO;
	if (q->last_avail == q->avail_seen) {
		if (!refresh_avail(q))
			return -EIO;
		if (q->last_avail == q->avail_seen)
			return 0;
	}
	head = shm_ld16(&q->avail->ring[q->last_avail & (q->size - 1)]);
	if (head >= q->size) {
		chan_dev_queue_fail(q, UV_CHANNEL_ERR_HEAD,
				    "avail entry %u: head %u >= queue size %u",
				    q->last_avail, head, q->size);
		return -EIO;
	}
	/* field by field: a memset's wide stores would stall the narrow loads below */
	chain->head = head;
	chain->nr_seg = 0;
	chain->nr_read = 0;
	chain->read_bytes = 0;
	chain->write_bytes = 0;
	chain->seg = seg;
	table = q->desc;
	table_size = q->size;
	idx = head;
	for (;;) {
		struct desc_copy d;

		/* at most table_size descriptors: a longer chain is a loop */
		if (++count > table_size) {
			chan_dev_queue_fail(q, UV_CHANNEL_ERR_LOOP,
					    "chain %u: more than %u descriptors (a loop)",
					    head, table_size);
			return -EIO;
		}
		read_desc(table, idx, &d);
		if (d.flags & UV_VRING_DESC_F_INDIRECT) {
			table = open_indirect(q, head, &d, in_indirect, &table_size);
			if (!table)
				return -EIO;
			in_indirect = true;
			idx = 0;
			count = 0;
			continue;
		}
		if (!add_segment(q, head, &d, chain, max_seg))
			return -EIO;
		if (!(d.flags & UV_VRING_DESC_F_NEXT))
			break;
		if (d.next >= table_size) {
			chan_dev_queue_fail(q, UV_CHANNEL_ERR_NEXT,
					    "chain %u: next %u >= %s size %u", head, d.next,
					    in_indirect ? "indirect table" : "queue", table_size);
			return -EIO;
		}
		idx = d.next;
	}
	q->last_avail++;
	q->stats.chains++;
	return 1;
}

int chan_dev_queue_add_used(struct chan_dev_queue *q, uint16_t head, uint32_t written)
{
	struct uv_vring_used_elem *e;

	if (q->error)
		return -EIO;
	if (q->last_avail == q->used_idx || head >= q->size)
		return -EINVAL;
	e = &q->used->ring[q->used_idx & (q->size - 1)];
	shm_st32(&e->id, head);
	shm_st32(&e->len, written);
	q->used_idx++;
	q->stats.used++;
	return 0;
}

void chan_dev_queue_publish_used(struct chan_dev_queue *q)
{
	if (q->error || q->used_published == q->used_idx)
		return;
	/* the elements are visible before the index that covers them */
	shm_st16_release(&q->used->idx, q->used_idx);
	q->used_published = q->used_idx;
}

int chan_dev_queue_push(struct chan_dev_queue *q, uint16_t head, uint32_t written)
{
	int ret = chan_dev_queue_add_used(q, head, written);

	if (!ret)
		chan_dev_queue_publish_used(q);
	return ret;
}

bool chan_dev_queue_need_notify(struct chan_dev_queue *q)
{
	uint16_t old = q->signalled;
	bool need;

	if (q->error)
		return false;
	chan_dev_queue_publish_used(q);
	/* our used->idx store before reading the driver's used_event / flags */
	shm_full_fence();
	if (q->event_idx)
		need = uv_vring_need_event(shm_ld16(q->used_event), q->used_idx, old);
	else
		need = old != q->used_idx &&
		       !(shm_ld16(&q->avail->flags) & UV_VRING_AVAIL_F_NO_INTERRUPT);
	q->signalled = q->used_idx;
	if (need)
		q->stats.notify++;
	else if (old != q->used_idx)
		q->stats.notify_suppressed++;
	return need;
}

bool chan_dev_queue_enable_notify(struct chan_dev_queue *q)
{
	if (q->error)
		return false;
	if (q->event_idx) {
		/* kick me when the driver publishes entry last_avail */
		shm_st16(q->avail_event, q->last_avail);
	} else if (q->notify_off) {
		shm_st16(&q->used->flags, 0);
		q->notify_off = false;
	}
	/* our request before re-reading avail->idx: no lost kick */
	shm_full_fence();
	return chan_dev_queue_pending(q);
}

void chan_dev_queue_disable_notify(struct chan_dev_queue *q)
{
	/* with event idx the stale avail_event lets at most one more kick through */
	if (q->error || q->event_idx || q->notify_off)
		return;
	shm_st16(&q->used->flags, UV_VRING_USED_F_NO_NOTIFY);
	q->notify_off = true;
}

static size_t chain_copy(const struct chan_chain *c, bool write, uint64_t off, void *dst,
			 const void *src, size_t len)
{
	unsigned int first = write ? c->nr_read : 0;
	unsigned int end = write ? c->nr_seg : c->nr_read;
	size_t done = 0;
	unsigned int i;

	for (i = first; i < end && done < len; i++) {
		const struct chan_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		if (write)
			memcpy((char *)s->ptr + off, (const char *)src + done, n);
		else
			memcpy((char *)dst + done, (const char *)s->ptr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t chan_chain_read(const struct chan_chain *c, uint64_t off, void *dst, size_t len)
{
	return chain_copy(c, false, off, dst, NULL, len);
}

size_t chan_chain_write(const struct chan_chain *c, uint64_t off, const void *src, size_t len)
{
	return chain_copy(c, true, off, NULL, src, len);
}
