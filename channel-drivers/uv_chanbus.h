/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uv_chanbus: the guest's channel bus (docs/channel-bus.md).
 *
 * bus.c	finds the monitor, lists the partition's channels by hypercall,
 *		checks each one and registers a virtio device for it
 * transport.c	struct virtio_config_ops over the channel header page
 * signal.c	used-buffer notifications: the channel's I/O APIC interrupt, or
 *		poll mode
 *
 * Locking:
 *  - uvcb_lock (bus.c, a mutex) protects the list of channels and each
 *    channel's @registered; the watch work and module exit take it.
 *  - ch->vq_lock (a spinlock, irq-safe) protects ch->q[].vq against the
 *    interrupt handler and the poller, which run in hard interrupt context.
 *    find_vqs/del_vqs publish and withdraw queues under it; synchronize_cbs
 *    waits for a handler (synchronize_irq) or poller pass in flight.
 *  - Everything else of a channel belongs to the virtio core's calls into the
 *    transport, which the core serializes per device.
 *
 * Trust: the header page and the rings are shared with the server and the
 * module, so every field the other side writes is read once into a local and
 * checked before use; a field this driver owns (client_state, driver_features,
 * the queue descriptors) is written, never read back.
 */
#ifndef UV_CHANBUS_H
#define UV_CHANBUS_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>

#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_hypercall.h>

/* Our virtio vendor id: "UV". */
#define UVCB_VIRTIO_VENDOR		0x5655

/* One queue of a channel: private, validated copies and our mapping. */
struct uvcb_queue {
	struct uvcb_channel *ch;
	struct virtqueue *vq;		/* NULL while not set up */
	unsigned int index;
	u16 num;			/* entries: the header's max_size, checked */
	u32 notify_data;		/* module's value, read once at discovery */
	u64 gpa;			/* default placement: descriptor table */
	void *mem;			/* our mapping of it */
	size_t bytes;			/* uv_vring_default_bytes(num) */
	/* the three parts inside @mem, as vring_init() lays them out */
	struct uv_vring_avail *avail;
	struct uv_vring_used *used;
	__le16 *used_event;		/* end of the avail ring (EVENT_IDX) */
	/* poll mode: used->idx at the poller's last look */
	u16 last_used;
	bool event_idx;
};

struct uvcb_channel {
	struct virtio_device vdev;	/* first: the core hands us &vdev */
	struct list_head node;		/* uvcb_channels, under uvcb_lock */

	/* from the discovery entry and the header, checked once */
	struct uv_channel_entry entry;	/* as listed: hot removal lists it again */
	u64 gpa;
	u64 size;
	u32 id;
	u32 type_code;
	u32 interrupt;			/* UV_CHANNEL_NO_VECTOR: poll */
	u32 virtio_id;
	u16 num_queues;
	void *base;			/* memremap of the whole channel */
	struct uv_channel_header *hdr;	/* == base: shared, never trusted */

	/* ours: what we published, never read back from the page */
	u8 status;
	u64 offered;			/* device_features[0] at get_features */
	bool registered;		/* register_virtio_device() was called */
	bool stale;			/* a reset never finished: rings unusable */
	bool relisted;			/* hot-removed: a new object has the channel */
	u32 config_gen_seen;
	u32 epoch_seen;

	/* used-buffer notifications (signal.c) */
	spinlock_t vq_lock;
	int irq;			/* > 0: requested, the queues say @gsi */
	u32 gsi;
	struct hrtimer poll_timer;
	bool polling;

	struct uvcb_queue q[UV_CHANNEL_MAX_QUEUES];
};

static inline struct uvcb_channel *to_uvcb(struct virtio_device *vdev)
{
	return container_of(vdev, struct uvcb_channel, vdev);
}

/* bus.c */
long uvcb_hypercall(unsigned long nr, unsigned long a0, unsigned long a1);
u32 uvcb_server_state(struct uvcb_channel *ch);
void uvcb_release(struct device *dev);

/* transport.c */
extern const struct virtio_config_ops uvcb_config_ops;

/* signal.c */
int uvcb_signal_check_params(void);
void uvcb_signal_init(struct uvcb_channel *ch);
void uvcb_signal_prepare(struct uvcb_channel *ch);
void uvcb_signal_start(struct uvcb_channel *ch);
void uvcb_signal_stop(struct uvcb_channel *ch);
void uvcb_signal_sync(struct uvcb_channel *ch);
u16 uvcb_queue_vector(struct uvcb_channel *ch, struct uvcb_queue *q);

#endif /* UV_CHANBUS_H */
