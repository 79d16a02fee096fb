// SPDX-License-Identifier: GPL-2.0
/*
 * uv_chanbus: used-buffer notifications (docs/channel-bus.md, "Interrupts").
 *
 * Interrupt mode (the default on a platform with an I/O APIC in its MADT):
 * each channel takes a GSI of the partition's I/O APIC, UVCB_FIRST_GSI +
 * channel id % UVCB_NR_GSIS, maps it with acpi_register_gsi() (edge, active
 * high) and requests it (shared: channels may share a pin). Every queue's
 * vector field tells the server that GSI; the server's UV_IOC_CHAN_NOTIFY
 * raises the pin and the handler calls vring_interrupt() for each queue (the
 * server already made the event-index decision).
 *
 * Poll mode (irq=0, no I/O APIC, or the GSI cannot be had): every queue says
 * UV_CHANNEL_NO_VECTOR and one hrtimer per channel looks at each queue's used
 * index and, when it moved, makes the decision a device would make (the
 * driver's used_event with VIRTIO_F_EVENT_IDX, else its NO_INTERRUPT flag)
 * and calls vring_interrupt() for it - in hard interrupt context, as an
 * interrupt handler would.
 */
#include <linux/acpi.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/virtio_ring.h>

#include "uv_chanbus.h"

/* The pins channels use: above the 16 an ISA platform would keep for itself. */
#define UVCB_FIRST_GSI		16
#define UVCB_NR_GSIS		8

static unsigned int poll_us = 1000;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us,
		 "poll mode: how often each channel's used rings are looked at, us (50-100000)");

static bool irq = true;
module_param(irq, bool, 0444);
MODULE_PARM_DESC(irq, "take each channel's interrupt from the I/O APIC (0: always poll)");

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
	return ch->irq > 0 ? ch->gsi : UV_CHANNEL_NO_VECTOR;
}

/* The MADT lists an I/O APIC whose 24 pins include @gsi. */
static bool uvcb_ioapic_has(u32 gsi)
{
	struct acpi_table_header *t;
	struct acpi_subtable_header *sub;
	bool found = false;
	u8 *p, *end;

	if (acpi_disabled || ACPI_FAILURE(acpi_get_table(ACPI_SIG_MADT, 0, &t)))
		return false;
	p = (u8 *)t + sizeof(struct acpi_table_madt);
	end = (u8 *)t + t->length;
	while (!found && p + sizeof(*sub) <= end) {
		sub = (struct acpi_subtable_header *)p;
		if (sub->length < sizeof(*sub) || p + sub->length > end)
			break;
		if (sub->type == ACPI_MADT_TYPE_IO_APIC &&
		    sub->length >= sizeof(struct acpi_madt_io_apic)) {
			u32 base = ((struct acpi_madt_io_apic *)sub)->global_irq_base;

			found = gsi >= base && gsi - base < UV_IOAPIC_PINS;
		}
		p += sub->length;
	}
	acpi_put_table(t);
	return found;
}

/* The channel's interrupt: every queue with a used buffer is called back. */
static irqreturn_t uvcb_irq(int irqno, void *data)
{
	struct uvcb_channel *ch = data;
	irqreturn_t ret = IRQ_NONE;
	unsigned int i;

	spin_lock(&ch->vq_lock);
	for (i = 0; i < ch->num_queues; i++)
		if (ch->q[i].vq && vring_interrupt(irqno, ch->q[i].vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	spin_unlock(&ch->vq_lock);
	return ret;
}

/*
 * Before the queues are set up (their vector fields say what we take here):
 * the GSI, mapped and requested; on any failure the channel polls.
 */
void uvcb_signal_prepare(struct uvcb_channel *ch)
{
	int n, err;

	if (ch->irq > 0)
		return;
	if (!irq) {
		dev_info(&ch->vdev.dev, "irq=0: polling every %u us\n", poll_us);
		return;
	}
	ch->gsi = UVCB_FIRST_GSI + ch->id % UVCB_NR_GSIS;
	if (!uvcb_ioapic_has(ch->gsi)) {
		dev_info(&ch->vdev.dev, "no I/O APIC with GSI %u: polling every %u us\n",
			 ch->gsi, poll_us);
		return;
	}
	n = acpi_register_gsi(NULL, ch->gsi, ACPI_EDGE_SENSITIVE, ACPI_ACTIVE_HIGH);
	if (n <= 0) {
		dev_err(&ch->vdev.dev, "GSI %u not mapped (%d): polling every %u us\n",
			ch->gsi, n, poll_us);
		return;
	}
	err = request_irq(n, uvcb_irq, IRQF_SHARED, "uv_chanbus", ch);
	if (err) {
		acpi_unregister_gsi(ch->gsi);
		dev_err(&ch->vdev.dev, "irq %d (GSI %u) not requested (%d): polling every %u us\n",
			n, ch->gsi, err, poll_us);
		return;
	}
	ch->irq = n;
	dev_info(&ch->vdev.dev, "interrupts on GSI %u (irq %d), no polling\n", ch->gsi, n);
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
	if (ch->polling || ch->irq > 0)
		return;
	ch->polling = true;
	hrtimer_start(&ch->poll_timer, uvcb_poll_period(), HRTIMER_MODE_REL_HARD);
}

void uvcb_signal_stop(struct uvcb_channel *ch)
{
	if (ch->irq > 0) {
		free_irq(ch->irq, ch);		/* waits for a handler in flight */
		acpi_unregister_gsi(ch->gsi);
		ch->irq = 0;
	}
	if (!ch->polling)
		return;
	hrtimer_cancel(&ch->poll_timer);	/* waits for a callback in flight */
	ch->polling = false;
}

/* A handler or poller pass in flight finishes before this returns. */
void uvcb_signal_sync(struct uvcb_channel *ch)
{
	unsigned long flags;

	if (ch->irq > 0)
		synchronize_irq(ch->irq);

	spin_lock_irqsave(&ch->vq_lock, flags);
	spin_unlock_irqrestore(&ch->vq_lock, flags);
}
