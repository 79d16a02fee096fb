/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chan_queue: both ends of a VIRTIO 1.x split virtqueue living in shared memory
 * (the queue format of uapi/linux/ultravisor_channel.h).
 *
 * Device (server) side, struct chan_dev_queue: pops available chains, pushes used
 * entries, decides notifications. The guest can change the rings at any moment, so
 * every shared field it writes is read exactly once (an __atomic load into a local)
 * and the local copy is validated before it is used:
 *  - avail->idx may run at most the queue size ahead of the used index;
 *  - a head or next index must be below the queue (or indirect table) size;
 *  - a chain has at most queue-size descriptors (a loop ends there), at most the
 *    caller's segment count, and at most max_chain_bytes in total;
 *  - every buffer goes through chan_mem_translate() (one region, no wrap, no
 *    reserved range) and must not overlap the queue's own rings;
 *  - a writable buffer must not overlap any other buffer of its chain;
 *  - device-readable buffers come before writable ones, and the queue's direction
 *    (the device only reads, only writes, or both) is enforced;
 *  - an indirect table only if VIRTIO_F_INDIRECT_DESC was negotiated, never with
 *    NEXT, never nested, a multiple of 16 bytes, at most queue-size entries.
 * The first violation marks the queue broken with a UV_CHANNEL_ERR_* reason and a
 * message; a broken queue does nothing more (every call returns -EIO) until it is
 * started again.
 *
 * Driver (client) side, struct chan_drv_queue: adds buffers, publishes them and
 * decides kicks, takes used entries back. It is what tests and benchmarks use; the
 * guests have their own drivers with the same rules.
 *
 * Memory ordering (single producer, single consumer per ring, on any two CPUs):
 *  - a producer fills ring entries (and descriptors) with plain stores, then
 *    publishes its index with a store-release; the consumer load-acquires the index
 *    before it reads any entry it covers. (On x86 both are plain moves; the
 *    compiler barrier is what matters.)
 *  - a notification decision is a Dekker pattern: "I stored my index, do you want to
 *    hear about it?" against "I stored my event index / flag, is there already
 *    something?". Each side puts a full fence (__ATOMIC_SEQ_CST, mfence on x86)
 *    between its store and its load of the other side's field, so at least one of
 *    the two sees the other: no lost wake-up.
 * One thread per queue end: the functions of one struct are not thread-safe.
 */
#ifndef CHAN_QUEUE_H
#define CHAN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ultravisor_channel.h>

#include "chan_mem.h"

/* Default bound on the bytes of one chain (a server may choose another). */
#define CHAN_MAX_CHAIN_BYTES	(4ULL << 20)
#define CHAN_WHY_LEN		160

/* Which buffers a queue accepts (VIRTIO defines it per device and queue). */
enum chan_dir {
	CHAN_DIR_ANY = 0,		/* readable then writable (e.g. a block request) */
	CHAN_DIR_DEVICE_READS = 1,	/* only device-readable (console/net transmit) */
	CHAN_DIR_DEVICE_WRITES = 2,	/* only device-writable (console/net receive) */
};

/**
 * struct chan_queue_config - how a server starts a queue
 * @size:	entries, a power of two 1..32768.
 * @desc_addr:	guest-physical address of the descriptor table.
 * @avail_addr:	... of the available ring.
 * @used_addr:	... of the used ring.
 * @event_idx:	VIRTIO_F_EVENT_IDX negotiated.
 * @indirect:	VIRTIO_F_INDIRECT_DESC negotiated.
 * @dir:	buffers the queue accepts.
 * @max_chain_bytes: bound on a chain's total length (0: CHAN_MAX_CHAIN_BYTES).
 * @resume:	a restarted server: continue at the used index found in the ring
 *		instead of starting at 0 (chains popped but never pushed by the previous
 *		server are served again).
 */
struct chan_queue_config {
	uint16_t size;
	uint64_t desc_addr;
	uint64_t avail_addr;
	uint64_t used_addr;
	bool event_idx;
	bool indirect;
	enum chan_dir dir;
	uint64_t max_chain_bytes;
	bool resume;
};

/* One validated buffer of a chain. */
struct chan_seg {
	void *ptr;		/* host address: guest memory, may change under you */
	uint64_t gpa;
	uint32_t len;
	bool write;		/* device-writable (else device-readable only) */
};

/* A popped chain: seg[0, nr_read) are readable, seg[nr_read, nr_seg) writable. */
struct chan_chain {
	uint16_t head;
	unsigned int nr_seg;
	unsigned int nr_read;
	uint64_t read_bytes;
	uint64_t write_bytes;
	struct chan_seg *seg;
};

struct chan_queue_stats {
	uint64_t chains;		/* device: chains popped; driver: chains added */
	uint64_t used;			/* used entries pushed (device) / taken (driver) */
	uint64_t notify;		/* notifications the decision said to send */
	uint64_t notify_suppressed;	/* decisions that said not to */
};

struct chan_dev_queue {
	/* fixed once started: host pointers into the client's memory */
	const struct chan_mem *mem;
	struct uv_vring_desc *desc;
	struct uv_vring_avail *avail;
	struct uv_vring_used *used;
	__le16 *used_event;		/* in the avail ring, written by the driver */
	__le16 *avail_event;		/* in the used ring, written by us */
	uint64_t ring_gpa[3];		/* desc, avail, used: first byte */
	uint64_t ring_last[3];		/* ... and last byte */
	uint16_t size;
	bool event_idx;
	bool indirect;
	enum chan_dir dir;
	uint64_t max_chain_bytes;
	/* private indices: the truth; the shared ones are published copies */
	uint16_t last_avail;		/* next available entry to take */
	uint16_t avail_seen;		/* avail->idx as last read (validated) */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t used_published;	/* used->idx as we last stored it */
	uint16_t signalled;		/* used_idx at the last notification decision */
	bool notify_off;		/* used->flags NO_NOTIFY published */
	int error;			/* UV_CHANNEL_ERR_*, 0 while healthy */
	char why[CHAN_WHY_LEN];
	struct chan_queue_stats stats;
};

/* ---- device side (chan_queue_dev.c) --------------------------------------------- */

/*
 * Check @cfg (size, alignment, rings inside one region each, rings not
 * overlapping) and start serving. 0, or -EINVAL with the queue broken
 * (UV_CHANNEL_ERR_RING) and @q->why saying what is wrong.
 */
int chan_dev_queue_start(struct chan_dev_queue *q, const struct chan_mem *mem,
			 const struct chan_queue_config *cfg);

/*
 * Take the next available chain: 1 with @chain filled (its segments in @seg, at
 * most @max_seg of them), 0 if there is none, -EIO if the queue is (now) broken.
 */
int chan_dev_queue_pop(struct chan_dev_queue *q, struct chan_seg *seg, unsigned int max_seg,
		       struct chan_chain *chain);

/*
 * Give chain @head back with @written bytes written into its writable buffers and
 * publish it. -EINVAL if no chain is in flight or @head is out of range (a server
 * bug, the queue stays healthy), -EIO if broken.
 */
int chan_dev_queue_push(struct chan_dev_queue *q, uint16_t head, uint32_t written);

/*
 * The same in two steps, to batch: add_used fills the used element only;
 * publish_used stores used->idx once for everything added since (one store and
 * one cache-line transfer to the driver per batch instead of per chain).
 * need_notify publishes first, so a batch ends with it or with publish_used.
 */
int chan_dev_queue_add_used(struct chan_dev_queue *q, uint16_t head, uint32_t written);
void chan_dev_queue_publish_used(struct chan_dev_queue *q);

/*
 * After pushing: must the driver be notified (used-buffer notification)? Applies
 * the event index (or the NO_INTERRUPT flag) to the entries pushed since the last
 * decision, and counts the answer in stats.
 */
bool chan_dev_queue_need_notify(struct chan_dev_queue *q);

/*
 * Ask for kicks before going to sleep. Returns true if chains are already
 * available (do not sleep: pop them), false if the queue is empty and a kick will
 * come when the driver adds one.
 */
bool chan_dev_queue_enable_notify(struct chan_dev_queue *q);

/* Say kicks are not needed (we are polling). */
void chan_dev_queue_disable_notify(struct chan_dev_queue *q);

/* Chains waiting (false if broken). */
bool chan_dev_queue_pending(struct chan_dev_queue *q);

/* Mark the queue broken for a reason of the server's own (protocol errors). */
void chan_dev_queue_fail(struct chan_dev_queue *q, int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copy out of a chain's readable buffers from byte @off on, or into its writable
 * buffers: returns the bytes copied (fewer if the chain is shorter). Never touches
 * a buffer of the other direction.
 */
size_t chan_chain_read(const struct chan_chain *c, uint64_t off, void *dst, size_t len);
size_t chan_chain_write(const struct chan_chain *c, uint64_t off, const void *src, size_t len);

/* "addr" for UV_CHANNEL_ERR_ADDR...; "?" for unknown values. */
const char *chan_error_name(int reason);

/* ---- driver side (chan_queue_drv.c) --------------------------------------------- */

struct chan_buf {
	uint64_t gpa;
	uint32_t len;
};

struct chan_drv_queue {
	struct uv_vring_desc *desc;
	struct uv_vring_avail *avail;
	struct uv_vring_used *used;
	__le16 *used_event;		/* ours */
	__le16 *avail_event;		/* the device's */
	uint16_t size;
	bool event_idx;
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx;		/* next available entry to fill */
	uint16_t exposed;		/* avail->idx as we last stored it */
	uint16_t published;		/* avail_idx at the last kick decision */
	uint16_t last_used;		/* next used entry to take */
	uint16_t used_seen;		/* used->idx as last read */
	bool cb_off;			/* NO_INTERRUPT published */
	uint16_t *next;			/* private copy of the descriptor links */
	uint16_t *chain_len;		/* descriptors per outstanding head */
	void **cookie;			/* caller's token per outstanding head */
	int error;
	char why[CHAN_WHY_LEN];
	struct chan_queue_stats stats;
};

/*
 * Set up a driver on rings at @desc/@avail/@used (host pointers) of @size entries:
 * zeroes the rings. 0, -EINVAL (size not a power of two 1..32768), -ENOMEM.
 */
int chan_drv_queue_init(struct chan_drv_queue *q, void *desc, void *avail, void *used,
			uint16_t size, bool event_idx);
void chan_drv_queue_destroy(struct chan_drv_queue *q);

/*
 * Add one chain: @nr_read device-readable buffers then @nr_write writable ones;
 * @cookie (not NULL) comes back from get_used. Not visible to the device until
 * chan_drv_queue_publish(). 0, -ENOSPC (not enough free descriptors), -EINVAL.
 */
int chan_drv_queue_add(struct chan_drv_queue *q, const struct chan_buf *rd, unsigned int nr_read,
		       const struct chan_buf *wr, unsigned int nr_write, void *cookie);

/* Publish what was added; returns true if the device must be kicked. */
bool chan_drv_queue_publish(struct chan_drv_queue *q);

/*
 * Only make what was added visible (avail->idx, a store-release), without the
 * kick decision and its full fence: a producer that adds many chains exposes
 * each at once and calls chan_drv_queue_publish() once per batch, and always
 * before it waits for the device (Linux's virtqueue_add + kick_prepare split).
 */
void chan_drv_queue_expose(struct chan_drv_queue *q);

/* The next used chain's cookie (and *@len written), or NULL if none or broken. */
void *chan_drv_queue_get_used(struct chan_drv_queue *q, uint32_t *len);

/* Ask for a used-buffer notification; true if used entries are already waiting. */
bool chan_drv_queue_enable_cb(struct chan_drv_queue *q);

/*
 * Ask for a notification only when about 3/4 of the chains now outstanding are
 * used (a producer waiting for room); true if that many are already used.
 */
bool chan_drv_queue_enable_cb_delayed(struct chan_drv_queue *q);

void chan_drv_queue_disable_cb(struct chan_drv_queue *q);

static inline unsigned int chan_drv_queue_num_free(const struct chan_drv_queue *q)
{
	return q->num_free;
}

#endif /* CHAN_QUEUE_H */
