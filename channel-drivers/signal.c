// SPDX-License-Identifier: GPL-2.0
/*
 * uv_chanbus: used-buffer notifications (docs/channel-bus.md, "Interrupts").
 *
 * The monitor injects no interrupts yet, so every queue is set up with
 * vector UV_CHANNEL_NO_VECTOR and polled: one hrtimer per channel looks at each
 * queue's used index and, when it moved, makes the decision a device would make
 * (the driver's used_event with VIRTIO_F_EVENT_IDX, else its NO_INTERRUPT flag)
 * and calls vring_interrupt() for it - in hard interrupt context, as an
 * interrupt handler would.
 *
 * When the monitor injects the channel's interrupt, this file is all that
 * changes: uvcb_queue_vector() returns it, uvcb_signal_start() requests it
 * instead of starting the timer, its handler calls vring_interrupt() for each
 * queue (the server already made the event-index decision), uvcb_signal_sync()
 * becomes synchronize_irq() and uvcb_signal_stop() frees it.
 */
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/virtio_ring.h>

#include "uv_chanbus.h"

static unsigned int poll_us = 1000;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us,
		 "poll mode: how often each channel's used rings are looked at, us (50-100000)");

int uvcb_signal_check_params(void)
{
	if (poll_us < 50 || poll_us > 100000) {
		pr_err(KBUILD_MODNAME ": poll_us=%u out of range 50-100000\n", poll_us);
		return -EINVAL;
	}
	return 0;
}

static ktime_t uvcb_poll_period(void)
{
	return ns_to_ktime((u64)poll_us * NSEC_PER_USEC);
}

u16 uvcb_queue_vector(struct uvcb_channel *ch, struct uvcb_queue *q)
{
	return UV_CHANNEL_NO_VECTOR;
}

/*
 * One queue: the device's half of the notification protocol. The used index is
 * the server's and read once; the driver's request is read after it with a
 * full barrier between (the Dekker pattern of docs/channels.md), so a driver
 * that re-enabled callbacks and then found the ring empty is called back.
 * A hostile used ring only costs a spurious call: vring_interrupt() and the
 * core's get_buf check every id they take.
 */
static void uvcb_queue_poll(struct uvcb_queue *q)
{
	u16 new = le16_to_cpu(READ_ONCE(q->used->idx));
	u16 old = q->last_used;
	bool want;

	if (new == old)
		return;
	q->last_used = new;
	/* used index read before the driver's request: a device's Dekker half */
	virt_mb();
	if (q->event_idx)
		want = uv_vring_need_event(le16_to_cpu(READ_ONCE(*q->used_event)), new, old);
	else
		want = !(READ_ONCE(q->avail->flags) & cpu_to_le16(UV_VRING_AVAIL_F_NO_INTERRUPT));
	if (want)
		vring_interrupt(0, q->vq);
}

static enum hrtimer_restart uvcb_poll(struct hrtimer *timer)
{
	struct uvcb_channel *ch = container_of(timer, struct uvcb_channel, poll_timer);
	unsigned int i;

	spin_lock(&ch->vq_lock);
	for (i = 0; i < ch->num_queues; i++)
		if (ch->q[i].vq)
			uvcb_queue_poll(&ch->q[i]);
	spin_unlock(&ch->vq_lock);
	hrtimer_forward_now(timer, uvcb_poll_period());
	return HRTIMER_RESTART;
}

void uvcb_signal_init(struct uvcb_channel *ch)
{
	spin_lock_init(&ch->vq_lock);
	hrtimer_init(&ch->poll_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ch->poll_timer.function = uvcb_poll;
}

void uvcb_signal_start(struct uvcb_channel *ch)
{
	if (ch->polling)
		return;
	ch->polling = true;
	hrtimer_start(&ch->poll_timer, uvcb_poll_period(), HRTIMER_MODE_REL_HARD);
}

void uvcb_signal_stop(struct uvcb_channel *ch)
{
	if (!ch->polling)
		return;
	hrtimer_cancel(&ch->poll_timer);	/* waits for a callback in flight */
	ch->polling = false;
}

/* A poller pass in flight finishes before this returns. */
void uvcb_signal_sync(struct uvcb_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->vq_lock, flags);
	spin_unlock_irqrestore(&ch->vq_lock, flags);
}
