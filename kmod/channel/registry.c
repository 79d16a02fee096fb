// SPDX-License-Identifier: GPL-2.0
/*
 * Channels as the module keeps them beside the database: created when an
 * Initialize Channel step commits (the header page is written then, in the
 * client's pages), dropped when Destroy Channel commits. Also the layout rule
 * for the client's guest-physical memory, the list ioctl and reclamation
 * ([0182]: a client's channel pages wait until every server has detached).
 *
 * Guest-physical layout of a partition (the rule core/part.c's LOAD uses too):
 * the partition's extents as the database reports them, in page frame order,
 * its descriptor page left out, packed from guest-physical 0. A channel's gpa is
 * where its first page lands.
 *
 * Locking: see internal.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "channel/channel.h"
#include "channel/internal.h"
#include "core/core.h"
#include "core/db.h"
#include "core/events.h"

static_assert(sizeof(struct uv_channel_entry) == UV_CHANNEL_ENTRY_SIZE);
static_assert(sizeof(struct uv_chan_open) == UV_CHAN_OPEN_SIZE_VER0);
static_assert(sizeof(struct uv_chan_eventfd) == UV_CHAN_EVENTFD_SIZE_VER0);
static_assert(sizeof(struct uv_chan_notify) == UV_CHAN_NOTIFY_SIZE_VER0);
static_assert(sizeof(struct uv_chan_info) == UV_CHAN_INFO_SIZE);
static_assert(sizeof(struct uv_chan_list) == UV_CHAN_LIST_SIZE_VER0);
static_assert(sizeof(struct uv_chan_reclaim) == UV_CHAN_RECLAIM_SIZE_VER0);
static_assert(sizeof(struct uv_channel_header) == UV_CHANNEL_HEADER_SIZE);
static_assert(UV_CHAN_IOCTL_MAGIC == UV_IOCTL_MAGIC);

DEFINE_MUTEX(uv_chan_lock);	/* the registry: see internal.h */
DEFINE_XARRAY(uv_chans);
DEFINE_XARRAY(uv_chan_by_pfn);

struct uv_chan_type {
	const char *name;
	struct uv_guid guid;
	u32 virtio_id;
	u16 num_queues;
};

static const struct uv_chan_type uv_chan_types[UV_CHANNEL_TYPE_MAX + 1] = {
	[UV_CHANNEL_TYPE_CONTROL] = { "control", UV_CHANNEL_GUID_CONTROL, UV_VIRTIO_ID_NONE, 0 },
	[UV_CHANNEL_TYPE_COMMAND] = { "command", UV_CHANNEL_GUID_COMMAND, UV_VIRTIO_ID_NONE, 0 },
	[UV_CHANNEL_TYPE_BOOT] = { "boot", UV_CHANNEL_GUID_BOOT, UV_VIRTIO_ID_NONE, 0 },
	[UV_CHANNEL_TYPE_CONSOLE] = { "console", UV_CHANNEL_GUID_CONSOLE, UV_VIRTIO_ID_CONSOLE, 2 },
	[UV_CHANNEL_TYPE_STORAGE] = { "storage", UV_CHANNEL_GUID_STORAGE, UV_VIRTIO_ID_BLOCK, 1 },
	[UV_CHANNEL_TYPE_NETWORK] = { "network", UV_CHANNEL_GUID_NETWORK, UV_VIRTIO_ID_NET, 2 },
	[UV_CHANNEL_TYPE_POWER] = { "power", UV_CHANNEL_GUID_POWER, UV_VIRTIO_ID_NONE, 0 },
	[UV_CHANNEL_TYPE_MEMORY] = { "memory", UV_CHANNEL_GUID_MEMORY, UV_VIRTIO_ID_NONE, 0 },
	[UV_CHANNEL_TYPE_PROCESSOR] = { "processor", UV_CHANNEL_GUID_PROCESSOR,
					UV_VIRTIO_ID_NONE, 0 },
};

static const struct uv_chan_type *uv_chan_type(u32 type)
{
	return type && type <= UV_CHANNEL_TYPE_MAX ? &uv_chan_types[type] : NULL;
}

const char *uv_chan_type_name(u32 type)
{
	const struct uv_chan_type *t = uv_chan_type(type);

	return t ? t->name : "unknown";
}

/* ---- the client's guest-physical layout ---- */

struct uv_ext_ctx {
	struct uv_chan_ext *ext;
	u32 nr, max;
	u64 bytes;
	u64 desc_pfn;
};

static int uv_ext_push(struct uv_ext_ctx *x, u64 pfn, u64 nr)
{
	if (!nr)
		return 0;
	if (x->ext) {
		if (x->nr == x->max)
			return -RESDB_ENOSPC;
		x->ext[x->nr].gpa = x->bytes;
		x->ext[x->nr].pfn = pfn;
		x->ext[x->nr].nr = nr;
	}
	x->nr++;
	x->bytes += nr << PAGE_SHIFT;
	return 0;
}

/* Runs in frame order, the partition's descriptor page left out (as part.c maps). */
static int uv_ext_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct uv_ext_ctx *x = ctx;
	int ret;

	if (x->desc_pfn >= pfn && x->desc_pfn - pfn < nr) {
		ret = uv_ext_push(x, pfn, x->desc_pfn - pfn);
		return ret ? ret : uv_ext_push(x, x->desc_pfn + 1, pfn + nr - x->desc_pfn - 1);
	}
	return uv_ext_push(x, pfn, nr);
}

/* The client's memory as guest-physical runs (kvmalloc'd). uv_db.lock held. */
int uv_chan_client_extents(u32 client, struct uv_chan_ext **ext, u32 *nr, u64 *bytes)
{
	struct uv_ext_ctx x = { .desc_pfn = uv_db.db.base_pfn + client };
	int ret;

	ret = resdb_partition_extents(&uv_db.db, client, uv_ext_cb, &x);
	if (ret)
		return uv_resdb_errno(-ret);
	if (!x.nr)
		return -ENOENT;
	x.max = x.nr;
	x.ext = kvcalloc(x.max, sizeof(*x.ext), GFP_KERNEL);
	if (!x.ext)
		return -ENOMEM;
	x.nr = 0;
	x.bytes = 0;
	ret = resdb_partition_extents(&uv_db.db, client, uv_ext_cb, &x);
	if (ret) {
		kvfree(x.ext);
		return uv_resdb_errno(-ret);
	}
	*ext = x.ext;
	*nr = x.nr;
	*bytes = x.bytes;
	return 0;
}

static int uv_chan_gpa(u32 client, u64 pfn, u64 *gpa)
{
	struct uv_chan_ext *ext;
	u64 bytes;
	u32 n, i;
	int ret;

	ret = uv_chan_client_extents(client, &ext, &n, &bytes);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		if (pfn >= ext[i].pfn && pfn - ext[i].pfn < ext[i].nr) {
			*gpa = ext[i].gpa + ((pfn - ext[i].pfn) << PAGE_SHIFT);
			ret = 0;
			break;
		}
	}
	kvfree(ext);
	return ret;
}

/* ---- the header page ---- */

void *uv_chan_header(const struct uv_chan *c)
{
	if (!pfn_valid(c->first_pfn))
		return NULL;
	return page_address(pfn_to_page(c->first_pfn));
}

/* Largest queue size (a power of two) with which @nq queues fit in @pages. */
static u32 uv_chan_queue_size(u32 nq, u32 pages)
{
	u64 room = (u64)pages * UV_CHANNEL_PAGE_SIZE;
	u32 n;

	if (!nq || room <= UV_CHANNEL_HEADER_SIZE)
		return 0;
	room -= UV_CHANNEL_HEADER_SIZE;
	for (n = UV_VRING_MAX_SIZE; n >= 2; n >>= 1)
		if (nq * uv_vring_default_bytes(n) <= room)
			return n;
	return 0;
}

/*
 * Write a fresh channel into its pages (what chan_layout_format() does in
 * userspace): zeroed pages, the module-owned header fields, queue descriptors
 * with the default placement, notify_data = queue index, server_state NONE.
 */
static void uv_chan_format(struct uv_chan *c)
{
	const struct uv_chan_type *t = uv_chan_type(c->type);
	struct uv_channel_header *h;
	u64 off = UV_CHANNEL_QUEUE_MEM_OFFSET;
	u32 i, n, nq = t ? t->num_queues : 0;

	for (i = 0; i < c->nr_pages; i++) {
		if (!pfn_valid(c->first_pfn + i))
			return;
		clear_page(page_address(pfn_to_page(c->first_pfn + i)));
	}
	h = uv_chan_header(c);
	n = uv_chan_queue_size(nq, c->nr_pages);
	if (!n)
		nq = 0;
	c->num_queues = nq;
	h->signature = cpu_to_le64(UV_CHANNEL_SIGNATURE);
	h->version = cpu_to_le32(UV_CHANNEL_VERSION);
	h->header_size = cpu_to_le32(UV_CHANNEL_HEADER_SIZE);
	if (t)
		h->type = t->guid;
	h->channel_gpa = cpu_to_le64(c->gpa);
	h->channel_size = cpu_to_le64(UV_CHANNEL_HEADER_SIZE + nq * uv_vring_default_bytes(n));
	h->channel_id = cpu_to_le32(c->number);
	h->client_partition = cpu_to_le32(c->client);
	h->virtio_device_id = cpu_to_le32(t ? t->virtio_id : 0);
	h->num_queues = cpu_to_le16(nq);
	h->config_vector = cpu_to_le16(UV_CHANNEL_NO_VECTOR);
	h->server_state = cpu_to_le32(UV_CHANNEL_SERVER_NONE);
	h->broken_queue = cpu_to_le32(0xffffffffu);
	for (i = 0; i < nq; i++) {
		struct uv_channel_queue *q = &h->queue[i];

		q->max_size = cpu_to_le16(n);
		q->vector = cpu_to_le16(UV_CHANNEL_NO_VECTOR);
		q->notify_data = cpu_to_le32(i);
		q->desc_addr = cpu_to_le64(c->gpa + off);
		q->avail_addr = cpu_to_le64(c->gpa + off + uv_vring_desc_bytes(n));
		q->used_addr = cpu_to_le64(c->gpa + off + uv_vring_default_used_off(n));
		off += uv_vring_default_bytes(n);
	}
}

/*
 * A freshly formatted channel is a new instance of it: its notification
 * counters start again at 0, so that they describe the queues the guest now
 * sets up and not the ones the reload wiped (docs/channels.md, "Signals"). A
 * notification racing with the format may land on either side of it.
 */
static void uv_chan_reset_counters(struct uv_chan *c)
{
	atomic64_set(&c->kicks, 0);
	atomic64_set(&c->signalled, 0);
	atomic64_set(&c->notifies, 0);
	atomic64_set(&c->irqs, 0);
	atomic64_set(&c->used_only, 0);
	atomic64_set(&c->bad_vector, 0);
}

/*
 * The client's instance was built again (core/part.c zeroes the memory of an
 * instance built without an image, channel pages included: a reload). The
 * channels keep their pages and their servers, so write each one fresh again,
 * with a new server epoch and its counters at 0: a server still attached sees
 * the epoch move and publishes its device again (docs/channels.md,
 * "Lifecycle"). Channels waiting for reclamation are left alone. uv_db.lock
 * held (reading is enough).
 */
void uv_chan_client_rebuilt(u32 client)
{
	struct uv_channel_header *h;
	struct uv_chan *c;
	unsigned long i;

	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, c) {
		if (c->client != client || c->pending)
			continue;
		uv_chan_format(c);
		uv_chan_reset_counters(c);
		h = uv_chan_header(c);
		c->epoch++;
		if (h)
			WRITE_ONCE(h->server_epoch, cpu_to_le32(c->epoch));
	}
	mutex_unlock(&uv_chan_lock);
}

/* ---- following the database ---- */

static void uv_chan_free(struct uv_chan *c)
{
	u32 i;

	for (i = 0; i < UV_CHANNEL_MAX_QUEUES; i++)
		if (c->efd[i])
			eventfd_ctx_put(c->efd[i]);
	kfree_rcu(c, rcu);
}

/* An Initialize Channel step committed. uv_db.lock (write) and uv_chan_lock held. */
static void uv_chan_created(u32 number)
{
	const struct resdb_channel *d = resdb_channel(&uv_db.db, number);
	struct uv_chan *c;

	if (!d || xa_load(&uv_chans, number))
		return;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto fail;
	c->number = number;
	c->type = d->type;
	c->client = d->client;
	c->nr_pages = d->nr_pages;
	c->first_pfn = d->first_pfn;
	INIT_LIST_HEAD(&c->servers);
	init_waitqueue_head(&c->wq);
	spin_lock_init(&c->ev_lock);
	if (uv_chan_gpa(c->client, c->first_pfn, &c->gpa) || !uv_chan_header(c)) {
		kfree(c);
		goto fail;
	}
	if (xa_insert(&uv_chans, number, c, GFP_KERNEL)) {
		kfree(c);
		goto fail;
	}
	if (xa_insert(&uv_chan_by_pfn, (unsigned long)c->first_pfn, c, GFP_KERNEL)) {
		xa_erase(&uv_chans, number);
		kfree(c);
		goto fail;
	}
	uv_chan_format(c);
	return;
fail:
	pr_err("channel %#x: cannot set up its header page: servers cannot open it\n", number);
}

/* The channel left the database. Both locks held. */
static void uv_chan_gone(struct uv_chan *c)
{
	struct uv_chan_srv *s, *tmp;

	xa_erase(&uv_chans, c->number);
	xa_erase(&uv_chan_by_pfn, (unsigned long)c->first_pfn);
	list_for_each_entry_safe(s, tmp, &c->servers, node) {
		list_del_init(&s->node);
		s->chan = NULL;
		s->attached = false;
		uv_chan_srv_refresh(s);
	}
	wake_up_all(&c->wq);
	uv_chan_free(c);
}

void uv_chan_db_committed(const struct uv_txn_step *steps, u32 nr)
{
	struct uv_chan_srv *s;
	struct uv_chan *c;
	unsigned long i;
	u32 k;

	lockdep_assert_held_write(&uv_db.lock);
	mutex_lock(&uv_chan_lock);
	for (k = 0; k < nr; k++)
		if (steps[k].op == UV_TXN_INIT_CHANNEL)
			uv_chan_created(steps[k].channel.number);
	xa_for_each(&uv_chans, i, c) {
		const struct resdb_channel *d = resdb_channel(&uv_db.db, c->number);

		if (!d || d->client != c->client || d->first_pfn != c->first_pfn) {
			uv_chan_gone(c);
			continue;
		}
		list_for_each_entry(s, &c->servers, node) {
			/* a holder may detach a server by transaction: its fd goes dead */
			if (s->attached && d->server[s->slot] != s->server) {
				s->attached = false;
				wake_up_all(&c->wq);
			}
			uv_chan_srv_refresh(s);
		}
	}
	mutex_unlock(&uv_chan_lock);
}

int uv_chan_submit_locked(const struct uv_txn_step *steps, u32 nr, u64 *log_seq,
			  char *msg, size_t msg_len)
{
	struct uv_txn_result *res = kzalloc(sizeof(*res), GFP_KERNEL);
	int ret;

	if (!res)
		return -ENOMEM;
	ret = uv_db_apply_locked(steps, nr, false, res);
	*log_seq = res->log_seq;
	if (ret && msg)
		strscpy(msg, res->message, msg_len);
	kfree(res);
	return ret;
}

/* ---- UV_IOC_CHAN_LIST ---- */

int uv_chan_ioctl_list(void __user *uarg)
{
	struct uv_chan_info *out;
	struct uv_chan_list a;
	struct uv_chan *c;
	unsigned long i;
	u32 usize, n = 0, total = 0;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_CHAN_LIST_SIZE_VER0,
			 offsetof(struct uv_chan_list, count), uarg, &usize);
	if (ret)
		return ret;
	if (a.flags || !a.max || a.max > UV_CHAN_LIST_MAX)
		return -EINVAL;
	out = kvcalloc(a.max, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	if (down_read_killable(&uv_db.lock)) {
		kvfree(out);
		return -EINTR;
	}
	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, c) {
		const struct resdb_channel *d = resdb_channel(&uv_db.db, c->number);
		struct uv_chan_info *o = &out[n];
		struct uv_chan_srv *s;
		u32 k;

		total++;
		if (n == a.max || !d)
			continue;
		o->number = c->number;
		o->type = c->type;
		o->client = c->client;
		o->nr_pages = c->nr_pages;
		o->first_pfn = c->first_pfn;
		o->gpa = c->gpa;
		for (k = 0; k < UV_CHANNEL_SERVERS && k < ARRAY_SIZE(o->server); k++)
			o->server[k] = d->server[k];
		o->flags = c->pending ? UV_CHAN_F_PENDING : 0;
		list_for_each_entry(s, &c->servers, node)
			o->open++;
		o->guest_kicks = atomic64_read(&c->kicks);
		o->kicks_signalled = atomic64_read(&c->signalled);
		o->server_notifies = atomic64_read(&c->notifies);
		o->server_irqs = atomic64_read(&c->irqs);
		o->server_used_only = atomic64_read(&c->used_only);
		o->bad_vector = atomic64_read(&c->bad_vector);
		o->epoch = c->epoch;
		n++;
	}
	mutex_unlock(&uv_chan_lock);
	up_read(&uv_db.lock);
	a.count = n;
	a.total = total;
	a.abi_minor = UV_CHAN_ABI_MINOR;
	ret = 0;
	if (n && copy_to_user(u64_to_user_ptr(a.buf), out, n * sizeof(*out)))
		ret = -EFAULT;
	else if (uv_copy_out(uarg, &a, sizeof(a), usize))
		ret = -EFAULT;
	kvfree(out);
	return ret;
}

/* ---- reclamation ([0182]) ---- */

struct uv_reclaim {
	struct uv_txn_step *steps;
	u32 nr;
	u32 partition;
	u64 pages;			/* pages the steps give to available */
	u64 kept;			/* pages left to the partition */
	const u64 *keep;		/* pfn ranges [keep[2i], keep[2i+1]) to leave */
	u32 nr_keep;
};

static struct uv_txn_step *uv_reclaim_step(struct uv_reclaim *r, u32 op)
{
	struct uv_txn_step *s;

	if (r->nr == UV_TXN_MAX_STEPS)
		return NULL;
	s = &r->steps[r->nr++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	return s;
}

/* Change Owner of the 4 KiB entry of @pfn from @from to @to. */
static int uv_reclaim_page(struct uv_reclaim *r, u64 pfn, u32 from, u32 to)
{
	struct uv_map_pos pos;
	struct uv_txn_step *s;

	if (uv_map_find(pfn, 1, &pos) || pos.scale != 1)
		return -EXDEV;
	s = uv_reclaim_step(r, UV_TXN_CHANGE_OWNER);
	if (!s)
		return -E2BIG;
	s->change_owner.at.map = pos.map;
	s->change_owner.at.scale = pos.scale;
	s->change_owner.at.frame = pos.frame;
	s->change_owner.at.first = pos.index;
	s->change_owner.at.last = pos.index;
	s->change_owner.from = from;
	s->change_owner.to = to;
	return 0;
}

static bool uv_reclaim_keep(const struct uv_reclaim *r, u64 pfn, u64 nr)
{
	u32 i;

	for (i = 0; i < r->nr_keep; i++)
		if (pfn < r->keep[2 * i + 1] && r->keep[2 * i] < pfn + nr)
			return true;
	return false;
}

/*
 * Every map entry of the partition that holds none of the kept ranges goes to
 * available (adjacent entries of one index page in one step).
 */
static int uv_reclaim_memory(struct uv_reclaim *r)
{
	const struct resdb *db = &uv_db.db;
	struct uv_txn_step *last = NULL;
	struct uv_chan_ext *ext;
	u64 bytes;
	u32 n, i;
	int ret;

	ret = uv_chan_client_extents(r->partition, &ext, &n, &bytes);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		u64 pfn = ext[i].pfn, end = ext[i].pfn + ext[i].nr;

		while (pfn < end) {
			struct uv_map_pos pos;
			u64 span, base;

			if (uv_map_find(pfn, 1, &pos) || (pos.value & UV_ENTRY_REF) ||
			    (pos.value & UV_ENTRY_GMK) != r->partition) {
				ret = -EUCLEAN;
				break;
			}
			span = 1ull << (10 * (pos.scale - 1));
			base = pfn & ~(span - 1);
			pfn = base + span;
			if (uv_reclaim_keep(r, base, span)) {
				r->kept += span;
				continue;
			}
			r->pages += span;
			if (last && last->change_owner.at.map == pos.map &&
			    last->change_owner.at.last + 1 == pos.index &&
			    last->change_owner.from == pos.value) {
				last->change_owner.at.last = pos.index;
				continue;
			}
			last = uv_reclaim_step(r, UV_TXN_CHANGE_OWNER);
			if (!last) {
				ret = -E2BIG;
				break;
			}
			last->change_owner.at.map = pos.map;
			last->change_owner.at.scale = pos.scale;
			last->change_owner.at.frame = pos.frame;
			last->change_owner.at.first = pos.index;
			last->change_owner.at.last = pos.index;
			last->change_owner.from = pos.value;
			last->change_owner.to = db->avail;
		}
	}
	kvfree(ext);
	return ret;
}

/* Destroy Channel, and its descriptor page back to available. */
static int uv_reclaim_channel(struct uv_reclaim *r, u32 number)
{
	const struct resdb *db = &uv_db.db;
	struct uv_txn_step *s = uv_reclaim_step(r, UV_TXN_DESTROY_CHANNEL);

	if (!s)
		return -E2BIG;
	s->destroy.number = number;
	return uv_reclaim_page(r, db->base_pfn + number, db->ultra, db->avail);
}

/* The partition's own page to the ultravisor, Destroy Partition, then available. */
static int uv_reclaim_partition(struct uv_reclaim *r)
{
	const struct resdb *db = &uv_db.db;
	u64 pfn = db->base_pfn + r->partition;
	struct uv_txn_step *s;
	int ret;

	ret = uv_reclaim_page(r, pfn, r->partition, db->ultra);
	if (ret)
		return ret;
	s = uv_reclaim_step(r, UV_TXN_DESTROY_PARTITION);
	if (!s)
		return -E2BIG;
	s->destroy.number = r->partition;
	return uv_reclaim_page(r, pfn, db->ultra, db->avail);
}

static void uv_reclaim_msg(char *msg, size_t len, int ret, const char *what)
{
	if (ret == -EXDEV)
		scnprintf(msg, len, "%s: a descriptor page is not a 4 KiB map entry", what);
	else if (ret == -E2BIG)
		scnprintf(msg, len, "%s: more than %u steps", what, UV_TXN_MAX_STEPS);
	else if (ret == -EUCLEAN)
		scnprintf(msg, len, "%s: the map does not match the partition's extents", what);
}

/*
 * The last server of pending channel @c detached (uv_db.lock held for writing,
 * uv_chan_lock not held): Destroy Channel, then - when the partition is to go and
 * no other channel of it waits - its memory and the partition itself.
 */
int uv_chan_finish_reclaim_locked(struct uv_chan *c, u64 *log_seq, char *msg, size_t len)
{
	const struct resdb_partition *p = resdb_partition(&uv_db.db, c->client);
	struct uv_reclaim r = { .partition = c->client };
	u64 *keep = NULL;
	struct uv_chan *o;
	unsigned long i;
	u32 others = 0;
	int ret;

	r.steps = kvcalloc(UV_TXN_MAX_STEPS, sizeof(*r.steps), GFP_KERNEL);
	keep = kcalloc(2 * (UV_CHANNEL_SERVERS + 64), sizeof(*keep), GFP_KERNEL);
	if (!r.steps || !keep || !p) {
		ret = p ? -ENOMEM : -ENOENT;
		goto out;
	}
	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, o) {
		if (o == c || o->client != c->client)
			continue;
		others++;
		if (r.nr_keep < UV_CHANNEL_SERVERS + 64) {
			keep[2 * r.nr_keep] = o->first_pfn;
			keep[2 * r.nr_keep + 1] = o->first_pfn + o->nr_pages;
			r.nr_keep++;
		}
	}
	mutex_unlock(&uv_chan_lock);
	keep[2 * r.nr_keep] = uv_db.db.base_pfn + c->client;	/* its descriptor page */
	keep[2 * r.nr_keep + 1] = keep[2 * r.nr_keep] + 1;
	r.nr_keep++;
	r.keep = keep;
	ret = uv_reclaim_channel(&r, c->number);
	if (!ret && c->reclaim_partition)
		ret = uv_reclaim_memory(&r);
	if (!ret && c->reclaim_partition && !others && p->channels == 1 && !p->slots &&
	    !r.kept)
		ret = uv_reclaim_partition(&r);
	if (ret) {
		uv_reclaim_msg(msg, len, ret, "reclaim");
		goto out;
	}
	ret = uv_chan_submit_locked(r.steps, r.nr, log_seq, msg, len);
	if (!ret)
		pr_info("channel %#x: last server detached: reclaimed %llu pages of partition %#x\n",
			c->number, r.pages, c->client);
out:
	kfree(keep);
	kvfree(r.steps);
	return ret;
}

int uv_chan_ioctl_reclaim(void __user *uarg)
{
	struct uv_reclaim r = { 0 };
	const struct resdb_partition *p;
	struct uv_chan_reclaim *a;
	struct uv_chan *c, **pend = NULL;
	u64 *keep = NULL;
	unsigned long i;
	u32 usize, np = 0, k;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = uv_copy_in(a, sizeof(*a), UV_CHAN_RECLAIM_SIZE_VER0,
			 offsetof(struct uv_chan_reclaim, destroyed), uarg, &usize);
	if (ret)
		goto free;
	if ((a->flags & ~UV_CHAN_RECLAIM_F_PARTITION) || a->pad) {
		ret = -EINVAL;
		goto free;
	}
	r.partition = a->partition;
	r.steps = kvcalloc(UV_TXN_MAX_STEPS, sizeof(*r.steps), GFP_KERNEL);
	keep = kcalloc(2 * (UV_CHAN_LIST_MAX + 1), sizeof(*keep), GFP_KERNEL);
	pend = kcalloc(UV_CHAN_LIST_MAX, sizeof(*pend), GFP_KERNEL);
	if (!r.steps || !keep || !pend) {
		ret = -ENOMEM;
		goto free;
	}
	if (down_write_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto free;
	}
	p = resdb_partition(&uv_db.db, a->partition);
	if (!p || p->type == UV_PT_PSEUDO || a->partition == uv_db.db.ultra) {
		scnprintf(a->message, sizeof(a->message), "%#x: not a partition one may destroy",
			  a->partition);
		ret = p ? -EPERM : -ENOENT;
		goto unlock;
	}
	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, c) {
		const struct resdb_channel *d = resdb_channel(&uv_db.db, c->number);
		bool busy = false;

		if (c->client != a->partition || !d)
			continue;
		for (k = 0; k < UV_CHANNEL_SERVERS; k++)
			busy |= d->server[k] != UV_NONE;
		if (!busy) {
			ret = uv_reclaim_channel(&r, c->number);
			a->destroyed++;
		} else if (np < UV_CHAN_LIST_MAX) {
			pend[np++] = c;
			keep[2 * r.nr_keep] = c->first_pfn;
			keep[2 * r.nr_keep + 1] = c->first_pfn + c->nr_pages;
			r.nr_keep++;
		}
		if (ret)
			break;
	}
	mutex_unlock(&uv_chan_lock);
	keep[2 * r.nr_keep] = uv_db.db.base_pfn + a->partition;
	keep[2 * r.nr_keep + 1] = keep[2 * r.nr_keep] + 1;
	r.nr_keep++;
	r.keep = keep;
	if (!ret && (a->flags & UV_CHAN_RECLAIM_F_PARTITION))
		ret = uv_reclaim_memory(&r);
	if (!ret && (a->flags & UV_CHAN_RECLAIM_F_PARTITION) && !np &&
	    p->channels == a->destroyed && !p->slots && !r.kept)
		ret = uv_reclaim_partition(&r);
	if (ret) {
		uv_reclaim_msg(a->message, sizeof(a->message), ret, "reclaim");
		goto unlock;
	}
	if (r.nr)
		ret = uv_chan_submit_locked(r.steps, r.nr, &a->log_seq, a->message,
					    sizeof(a->message));
	if (!ret) {
		mutex_lock(&uv_chan_lock);
		for (k = 0; k < np; k++) {
			/* still registered: the commit above only removed idle channels */
			if (xa_load(&uv_chans, pend[k]->number) != pend[k])
				continue;
			pend[k]->pending = true;
			pend[k]->reclaim_partition = a->flags & UV_CHAN_RECLAIM_F_PARTITION;
			wake_up_all(&pend[k]->wq);
		}
		mutex_unlock(&uv_chan_lock);
		a->pending = np;
		a->pages_now = r.pages;
		a->pages_pending = r.kept;
	}
unlock:
	up_write(&uv_db.lock);
	if (!ret && r.nr)
		uv_event_txn_commit(a->log_seq, r.nr);
	if (!ret && np)
		pr_info("partition %#x: %u channel(s) still have servers: %llu pages pending reclamation\n",
			a->partition, np, r.kept);
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
free:
	kfree(pend);
	kfree(keep);
	kvfree(r.steps);
	kfree(a);
	return ret;
}

void uv_chan_exit_registry(void)
{
	struct uv_chan *c;
	unsigned long i;

	mutex_lock(&uv_chan_lock);
	xa_for_each(&uv_chans, i, c) {
		xa_erase(&uv_chans, i);
		xa_erase(&uv_chan_by_pfn, (unsigned long)c->first_pfn);
		uv_chan_free(c);
	}
	mutex_unlock(&uv_chan_lock);
	rcu_barrier();
}
