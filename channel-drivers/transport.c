// SPDX-License-Identifier: GPL-2.0
/*
 * uv_chanbus: the virtio transport over a channel header page
 * (docs/channel-bus.md, "Mapping onto virtio").
 *
 * status	 client_state (ours: written, never read back); NEEDS_RESET is
 *		 reported while the server says BROKEN
 * features	 device_features[0] offered, driver_features[0] accepted
 * config	 config[] (server-written, read only), config_generation
 * queues	 the default placement inside the channel's queue memory,
 *		 max_size entries, through vring_new_virtqueue()
 * notify	 UV_HC_CHANNEL_NOTIFY with the queue's notify_data
 * callbacks	 signal.c (the channel's GSI, or poll mode)
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "uv_chanbus.h"

static unsigned int reset_ms = 5000;
module_param(reset_ms, uint, 0444);
MODULE_PARM_DESC(reset_ms, "how long a reset waits for the server to stop serving, ms");

/* The client states are the VIRTIO device-status bits (docs/channels.md). */
static_assert(UV_CHANNEL_CLIENT_ACKNOWLEDGE == VIRTIO_CONFIG_S_ACKNOWLEDGE);
static_assert(UV_CHANNEL_CLIENT_DRIVER == VIRTIO_CONFIG_S_DRIVER);
static_assert(UV_CHANNEL_CLIENT_FEATURES_OK == VIRTIO_CONFIG_S_FEATURES_OK);
static_assert(UV_CHANNEL_CLIENT_DRIVER_OK == VIRTIO_CONFIG_S_DRIVER_OK);
static_assert(UV_CHANNEL_CLIENT_FAILED == VIRTIO_CONFIG_S_FAILED);

#define UVCB_STATUS_BITS	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
				 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK | \
				 VIRTIO_CONFIG_S_FAILED)

/*
 * Transport feature bits a channel may carry (docs/channels.md). Not
 * ACCESS_PLATFORM: guest-physical addresses are what the server translates,
 * there is no IOMMU between, and accepting it would route buffers through a DMA
 * API our bus device does not have. Not RING_PACKED: split rings only.
 */
#define UVCB_TRANSPORT_FEATURES	(BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) | \
				 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | \
				 BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_IN_ORDER))

static void uvcb_get(struct virtio_device *vdev, unsigned int offset, void *buf,
		     unsigned int len)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	u32 size = le32_to_cpu(READ_ONCE(ch->hdr->config_size));

	size = min_t(u32, size, UV_CHANNEL_CONFIG_SIZE);
	if (offset > size || len > size - offset) {
		dev_warn_ratelimited(&vdev->dev,
				     "config read [%u, +%u) beyond the %u bytes the server defines\n",
				     offset, len, size);
		memset(buf, 0, len);
		return;
	}
	/* the caller's buffer is the copy; config_generation brackets it */
	memcpy(buf, ch->hdr->config + offset, len);
}

static void uvcb_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		     unsigned int len)
{
	dev_warn_ratelimited(&vdev->dev,
			     "config is written by the server only: %u bytes at %u not written\n",
			     len, offset);
}

static u32 uvcb_generation(struct virtio_device *vdev)
{
	return le32_to_cpu(READ_ONCE(to_uvcb(vdev)->hdr->config_generation));
}

static u8 uvcb_get_status(struct virtio_device *vdev)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	u8 st = ch->status;

	/* not after a reset: the core expects 0 once the driver is gone */
	if (st && uvcb_server_state(ch) == UV_CHANNEL_SERVER_BROKEN)
		st |= VIRTIO_CONFIG_S_NEEDS_RESET;
	return st;
}

static void uvcb_set_status(struct virtio_device *vdev, u8 status)
{
	struct uvcb_channel *ch = to_uvcb(vdev);

	ch->status = status & UVCB_STATUS_BITS;
	/* the server sees queue descriptors and driver_features before the state */
	virt_wmb();
	WRITE_ONCE(ch->hdr->client_state, cpu_to_le32(ch->status));
}

/*
 * Reset: write 0, then wait until the server no longer serves the queues
 * (state neither RUNNING nor BROKEN). The rings are ours again only then; if
 * the server never lets go, the channel is marked stale and find_vqs refuses.
 */
static void uvcb_reset(struct virtio_device *vdev)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	unsigned long deadline = jiffies + msecs_to_jiffies(reset_ms);
	unsigned int i;
	u32 st;

	ch->status = 0;
	WRITE_ONCE(ch->hdr->client_state, cpu_to_le32(UV_CHANNEL_CLIENT_RESET));
	/* the reset is visible before we look at the server's state */
	virt_mb();
	/* a server asleep on its eventfds looks at the header when kicked */
	if (ch->num_queues)
		uvcb_hypercall(UV_HC_CHANNEL_NOTIFY, ch->gpa, ch->q[0].notify_data);
	for (;;) {
		st = uvcb_server_state(ch);
		if (st != UV_CHANNEL_SERVER_RUNNING && st != UV_CHANNEL_SERVER_BROKEN)
			break;
		if (time_after(jiffies, deadline)) {
			dev_err(&vdev->dev,
				"reset: the server is still %s after %u ms; the queues stay unused\n",
				st == UV_CHANNEL_SERVER_RUNNING ? "running" : "broken", reset_ms);
			ch->stale = true;
			return;
		}
		usleep_range(1000, 2000);
	}
	ch->stale = false;
	for (i = 0; i < ch->num_queues; i++) {
		WRITE_ONCE(ch->hdr->queue[i].enable, 0);
		WRITE_ONCE(ch->hdr->queue[i].size, 0);
	}
}

static u64 uvcb_get_features(struct virtio_device *vdev)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	u64 f = le64_to_cpu(READ_ONCE(ch->hdr->device_features[0]));
	u64 transport = GENMASK_ULL(VIRTIO_TRANSPORT_F_END - 1, VIRTIO_TRANSPORT_F_START);

	f &= ~transport | UVCB_TRANSPORT_FEATURES;
	ch->offered = f;
	return f;
}

static int uvcb_finalize_features(struct virtio_device *vdev)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	u64 f;

	vring_transport_features(vdev);
	f = vdev->features;
	if (f & ~ch->offered) {
		dev_err(&vdev->dev, "features %#llx accepted but not offered\n", f & ~ch->offered);
		return -EINVAL;
	}
	if (!(f & BIT_ULL(VIRTIO_F_VERSION_1))) {
		dev_err(&vdev->dev, "the server does not offer VIRTIO_F_VERSION_1\n");
		return -EINVAL;
	}
	WRITE_ONCE(ch->hdr->driver_features[0], cpu_to_le64(f));
	WRITE_ONCE(ch->hdr->driver_features[1], 0);
	WRITE_ONCE(ch->hdr->client_features, 0);
	return 0;
}

static bool uvcb_notify(struct virtqueue *vq)
{
	struct uvcb_queue *q = vq->priv;
	long ret;

	ret = uvcb_hypercall(UV_HC_CHANNEL_NOTIFY, q->ch->gpa, q->notify_data);
	if (ret < 0) {
		dev_err_ratelimited(&q->ch->vdev.dev, "queue %u: notify hypercall failed: %ld\n",
				    q->index, ret);
		return false;	/* the core marks the queue broken */
	}
	return true;
}

static void uvcb_del_vqs(struct virtio_device *vdev)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	struct virtqueue *vq;
	unsigned long flags;
	unsigned int i;

	uvcb_signal_stop(ch);
	for (i = 0; i < ch->num_queues; i++) {
		spin_lock_irqsave(&ch->vq_lock, flags);
		vq = ch->q[i].vq;
		ch->q[i].vq = NULL;
		spin_unlock_irqrestore(&ch->vq_lock, flags);
		if (!vq)
			continue;
		WRITE_ONCE(ch->hdr->queue[i].enable, 0);
		vring_del_virtqueue(vq);
	}
}

/*
 * Queue @index of the channel in its default placement with max_size entries:
 * vring_new_virtqueue() with a 4096-byte alignment lays the three parts out
 * exactly there (docs/channels.md), and the descriptor gets their addresses.
 */
static int uvcb_setup_vq(struct uvcb_channel *ch, unsigned int index, const char *name,
			 vq_callback_t *callback, bool ctx, struct virtqueue **out)
{
	struct uv_channel_queue *qd;
	const struct vring *vr;
	struct virtqueue *vq;
	struct uvcb_queue *q;
	unsigned long flags;

	if (index >= ch->num_queues) {
		dev_err(&ch->vdev.dev, "the driver wants queue %u; the channel has %u\n", index,
			ch->num_queues);
		return -ENOENT;
	}
	q = &ch->q[index];
	qd = &ch->hdr->queue[index];
	memset(q->mem, 0, q->bytes);	/* no stale index from an earlier server */
	vq = vring_new_virtqueue(index, q->num, UV_CHANNEL_PAGE_SIZE, &ch->vdev, true, ctx,
				 q->mem, uvcb_notify, callback, name);
	if (!vq)
		return -ENOMEM;
	vr = virtqueue_get_vring(vq);
	if ((void *)vr->avail != (void *)q->avail || (void *)vr->used != (void *)q->used) {
		dev_err(&ch->vdev.dev, "queue %u: ring layout differs from the channel's\n", index);
		vring_del_virtqueue(vq);
		return -EINVAL;
	}
	vq->priv = q;
	q->event_idx = virtio_has_feature(&ch->vdev, VIRTIO_RING_F_EVENT_IDX);
	q->last_used = 0;

	WRITE_ONCE(qd->size, cpu_to_le16(q->num));
	WRITE_ONCE(qd->vector, cpu_to_le16(uvcb_queue_vector(ch, q)));
	WRITE_ONCE(qd->desc_addr, cpu_to_le64(q->gpa));
	WRITE_ONCE(qd->avail_addr, cpu_to_le64(q->gpa + uv_vring_desc_bytes(q->num)));
	WRITE_ONCE(qd->used_addr, cpu_to_le64(q->gpa + uv_vring_default_used_off(q->num)));
	/* the descriptor's fields before its enable */
	virt_wmb();
	WRITE_ONCE(qd->enable, cpu_to_le16(1));

	spin_lock_irqsave(&ch->vq_lock, flags);
	q->vq = vq;
	spin_unlock_irqrestore(&ch->vq_lock, flags);
	*out = vq;
	return 0;
}

/*
 * find_vqs lost its callbacks/names/ctx arrays for struct virtqueue_info in
 * Linux 6.11 (Kbuild's feature test); both forms come down to uvcb_setup_vq().
 * Queue indices count only the named entries, as in every transport.
 */
#ifdef UVCB_HAVE_VIRTQUEUE_INFO
static int uvcb_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
			 struct virtqueue_info vqs_info[], struct irq_affinity *desc)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	unsigned int i, index = 0;
	int err;

	if (ch->stale)
		return -EIO;
	uvcb_signal_prepare(ch);
	for (i = 0; i < nvqs; i++) {
		vqs[i] = NULL;
		if (!vqs_info[i].name)
			continue;
		err = uvcb_setup_vq(ch, index++, vqs_info[i].name, vqs_info[i].callback,
				    vqs_info[i].ctx, &vqs[i]);
		if (err) {
			uvcb_del_vqs(vdev);
			return err;
		}
	}
	uvcb_signal_start(ch);
	return 0;
}
#else
static int uvcb_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
			 vq_callback_t *callbacks[], const char * const names[], const bool *ctx,
			 struct irq_affinity *desc)
{
	struct uvcb_channel *ch = to_uvcb(vdev);
	unsigned int i, index = 0;
	int err;

	if (ch->stale)
		return -EIO;
	uvcb_signal_prepare(ch);
	for (i = 0; i < nvqs; i++) {
		vqs[i] = NULL;
		if (!names[i])
			continue;
		err = uvcb_setup_vq(ch, index++, names[i], callbacks[i], ctx ? ctx[i] : false,
				    &vqs[i]);
		if (err) {
			uvcb_del_vqs(vdev);
			return err;
		}
	}
	uvcb_signal_start(ch);
	return 0;
}
#endif

static void uvcb_synchronize_cbs(struct virtio_device *vdev)
{
	uvcb_signal_sync(to_uvcb(vdev));
}

static const char *uvcb_bus_name(struct virtio_device *vdev)
{
	return "uv_chanbus";
}

const struct virtio_config_ops uvcb_config_ops = {
	.get = uvcb_get,
	.set = uvcb_set,
	.generation = uvcb_generation,
	.get_status = uvcb_get_status,
	.set_status = uvcb_set_status,
	.reset = uvcb_reset,
	.find_vqs = uvcb_find_vqs,
	.del_vqs = uvcb_del_vqs,
	.synchronize_cbs = uvcb_synchronize_cbs,
	.get_features = uvcb_get_features,
	.finalize_features = uvcb_finalize_features,
	.bus_name = uvcb_bus_name,
};
