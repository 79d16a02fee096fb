// SPDX-License-Identifier: GPL-2.0
/*
 * The channel hypercalls (uapi/linux/ultravisor_hypercall.h, numbers 16-31):
 * discovery of the caller's channels and the guest -> server notification.
 *
 * Who is calling is decided by memory, not by a number the guest gives: a
 * channel is the caller's if its pages lie in the caller's own extents (a
 * loaded partition's extents are memory it owns, and no transaction takes
 * memory from a partition that may still run), and a notify names the channel
 * by the guest-physical address of its header page, which the monitor
 * translates through those extents. Only the client maps a channel's pages, so
 * a partition can only ever reach its own channels.
 *
 * Locks: only uv_chan_lock (list) or RCU and ev_lock (notify), never
 * uv_db.lock. A vCPU in a hypercall must not wait for the database: a
 * transaction holding it for writing waits for uv_inst_lock, which a stop or
 * destroy holds while it waits for this very vCPU to leave the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <linux/ultravisor_hypercall.h>

#include "channel/channel.h"
#include "channel/internal.h"
#include "monitor/internal.h"

static_assert(sizeof(struct uv_channel_entry) == UV_HC_CHANNEL_ENTRY_SIZE);

/* Host physical address of guest-physical @gpa, via the caller's extents. */
static bool uv_chan_gpa_to_hpa(struct uv_partition *p, u64 gpa, u64 *hpa)
{
	unsigned int i;

	for (i = 0; i < p->nr_mem; i++) {
		const struct uv_mem *m = &p->mem[i];

		if (gpa >= m->gpa && gpa - m->gpa < m->size) {
			*hpa = m->hpa + (gpa - m->gpa);
			return true;
		}
	}
	return false;
}

static bool uv_chan_hpa_to_gpa(struct uv_partition *p, u64 hpa, u64 *gpa)
{
	unsigned int i;

	for (i = 0; i < p->nr_mem; i++) {
		const struct uv_mem *m = &p->mem[i];

		if (hpa >= m->hpa && hpa - m->hpa < m->size) {
			*gpa = m->gpa + (hpa - m->hpa);
			return true;
		}
	}
	return false;
}

s64 uv_chan_hc_list(struct uv_partition *p, u64 gpa, u64 max)
{
	struct uv_channel_entry *e;
	struct uv_chan *c;
	unsigned long i;
	s64 total = 0;
	u64 last;
	u32 n = 0;

	if (max > UV_HC_CHANNEL_LIST_MAX)
		return -UV_HC_E2BIG;
	if (!p->nr_mem)
		return -UV_HC_EINVAL;
	e = max ? kcalloc(max, sizeof(*e), GFP_KERNEL) : NULL;
	if (max && !e)
		return -UV_HC_EINVAL;
	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, c) {
		u64 cgpa;

		/* a pending channel's client is gone; its pages wait for the servers */
		if (c->pending || !c->nr_pages ||
		    !uv_chan_hpa_to_gpa(p, c->first_pfn << PAGE_SHIFT, &cgpa) ||
		    !uv_chan_hpa_to_gpa(p, ((c->first_pfn + c->nr_pages) << PAGE_SHIFT) - 1,
					&last))
			continue;
		total++;
		if (n == max)
			continue;
		memcpy(&e[n].type, &((struct uv_channel_header *)uv_chan_header(c))->type,
		       sizeof(e[n].type));
		e[n].gpa = cpu_to_le64(cgpa);
		e[n].size = cpu_to_le64((u64)c->nr_pages << PAGE_SHIFT);
		e[n].channel_id = cpu_to_le32(c->number);
		e[n].interrupt = cpu_to_le32(UV_CHANNEL_NO_VECTOR);
		e[n].type_code = cpu_to_le32(c->type);
		n++;
	}
	mutex_unlock(&uv_chan_lock);
	if (n && uv_guest_write(p, gpa, e, n * sizeof(*e)))
		total = -UV_HC_EFAULT;
	kfree(e);
	return total;
}

s64 uv_chan_hc_notify(struct uv_partition *p, u64 gpa, u64 notify_data)
{
	struct eventfd_ctx *ctx;
	struct uv_chan *c;
	u64 hpa;

	if ((gpa & (PAGE_SIZE - 1)) || notify_data >= UV_CHANNEL_MAX_QUEUES ||
	    !uv_chan_gpa_to_hpa(p, gpa, &hpa))
		return -UV_HC_EINVAL;
	rcu_read_lock();
	c = xa_load(&uv_chan_by_pfn, (unsigned long)(hpa >> PAGE_SHIFT));
	if (!c || notify_data >= c->num_queues) {
		rcu_read_unlock();
		return -UV_HC_EINVAL;
	}
	atomic64_inc(&c->kicks);
	spin_lock(&c->ev_lock);
	ctx = c->efd[notify_data];
	if (ctx) {
#ifdef UV_EVENTFD_SIGNAL_NO_COUNT	/* Kbuild's feature test: 6.8 and later */
		eventfd_signal(ctx);
#else
		eventfd_signal(ctx, 1);
#endif
		atomic64_inc(&c->signalled);
	}
	spin_unlock(&c->ev_lock);
	rcu_read_unlock();
	return 0;
}
