// SPDX-License-Identifier: GPL-2.0
/*
 * The database's ioctls (uapi/linux/ultravisor.h, docs/uapi.md): submit a
 * transaction, snapshot, audit log, check, pool, queries.
 *
 * Each copies its argument in (dev.c's rules), copies any user buffer into
 * kernel memory before taking uv_db.lock and copies results out after
 * dropping it: user memory is never touched with the lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/ultravisor.h>

#include "core.h"
#include "db.h"
#include "resdb/text.h"

static_assert(sizeof(struct uv_txn_submit) == UV_TXN_SUBMIT_SIZE_VER0);
static_assert(sizeof(struct uv_snapshot) == UV_SNAPSHOT_SIZE_VER0);
static_assert(sizeof(struct uv_log_read) == UV_LOG_READ_SIZE_VER0);
static_assert(sizeof(struct uv_check) == UV_CHECK_SIZE_VER0);
static_assert(sizeof(struct uv_pool) == UV_POOL_SIZE_VER0);
static_assert(sizeof(struct uv_query) == UV_QUERY_SIZE_VER0);
static_assert(sizeof(struct uv_txn_hdr) + UV_TXN_MAX_STEPS * sizeof(struct uv_txn_step) ==
	      UV_TXN_MAX_BYTES);

int uv_ioctl_txn_submit(void __user *uarg)
{
	const struct uv_txn_step *steps;
	struct uv_txn_result *res = NULL;
	struct uv_txn_submit *a;
	void *buf = NULL;
	u32 usize, nr;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = uv_copy_in(a, sizeof(*a), UV_TXN_SUBMIT_SIZE_VER0,
			 offsetof(struct uv_txn_submit, log_seq), uarg, &usize);
	if (ret)
		goto out;
	if (a->flags) {
		ret = -EINVAL;
		goto out;
	}
	if (a->txn_len < sizeof(struct uv_txn_hdr) || a->txn_len > UV_TXN_MAX_BYTES) {
		scnprintf(a->message, sizeof(a->message),
			  "transaction of %llu bytes: it must be %zu to %u bytes", a->txn_len,
			  sizeof(struct uv_txn_hdr), UV_TXN_MAX_BYTES);
		ret = -EINVAL;
		goto reply;
	}
	buf = kvmalloc(a->txn_len, GFP_KERNEL);
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!buf || !res) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(buf, u64_to_user_ptr(a->txn), a->txn_len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = resdb_txn_decode(buf, a->txn_len, &steps, &nr);
	if (ret) {
		a->resdb_err = -ret;
		scnprintf(a->message, sizeof(a->message),
			  "malformed transaction: bad header, length, op, flag, pad or reserved field");
		ret = -EINVAL;
		goto reply;
	}
	ret = uv_db_submit(steps, nr, true, ((const struct uv_txn_hdr *)buf)->tag, res);
	a->log_seq = res->log_seq;
	a->begin_seq = res->begin_seq;
	a->steps = res->steps;
	a->resdb_err = res->err.code;
	a->err_step = res->err.step;
	a->err_index = res->err.index;
	a->err_expected = res->err.expected;
	a->err_found = res->err.found;
	memcpy(a->message, res->message, sizeof(a->message));
	a->message[sizeof(a->message) - 1] = '\0';
reply:
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
out:
	kvfree(buf);
	kfree(res);
	kfree(a);
	return ret;
}

int uv_ioctl_snapshot(void __user *uarg)
{
	struct uv_snapshot a;
	void *img = NULL;
	u64 size, len;
	u32 usize;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_SNAPSHOT_SIZE_VER0, offsetof(struct uv_snapshot, len),
			 uarg, &usize);
	if (ret)
		return ret;
	if (a.flags)
		return -EINVAL;
	if (down_read_killable(&uv_db.lock))
		return -EINTR;
	ret = resdb_snapshot_size(&uv_db.db, &size);
	if (ret) {
		ret = uv_resdb_errno(-ret);
		goto unlock;
	}
	a.len = size;
	if (a.buf_len < size) {
		ret = -ENOSPC;
		goto unlock;
	}
	img = kvmalloc(size, GFP_KERNEL);
	if (!img) {
		ret = -ENOMEM;
		goto unlock;
	}
	ret = resdb_snapshot_write(&uv_db.db, img, size, &len);
	if (ret) {
		ret = uv_resdb_errno(-ret);
		goto unlock;
	}
	a.len = len;
	a.next_seq = ((struct uv_snap_hdr *)img)->next_seq;
	a.image_hash = resdb_image_hash(&uv_db.db);
unlock:
	up_read(&uv_db.lock);
	if (!ret && copy_to_user(u64_to_user_ptr(a.buf), img, a.len))
		ret = -EFAULT;
	kvfree(img);
	if (!ret || ret == -ENOSPC)
		if (uv_copy_out(uarg, &a, sizeof(a), usize))
			ret = -EFAULT;
	return ret;
}

int uv_ioctl_log_read(void __user *uarg)
{
	struct uv_log_read a;
	void *recs = NULL;
	u64 room, len = 0, next = 0;
	u32 usize;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_LOG_READ_SIZE_VER0, offsetof(struct uv_log_read, len),
			 uarg, &usize);
	if (ret)
		return ret;
	if (a.flags)
		return -EINVAL;
	/* at least 8 bytes, so a short buffer is told apart from an empty log */
	room = clamp_t(u64, a.buf_len, 8, UV_LOG_READ_MAX);
	recs = kvmalloc(room, GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	if (down_read_killable(&uv_db.lock)) {
		kvfree(recs);
		return -EINTR;
	}
	a.first_seq = resdb_log_first_seq(&uv_db.db);
	a.head_seq = resdb_log_next_seq(&uv_db.db);
	ret = resdb_log_read(&uv_db.db, a.from_seq, recs, room, &len, &next);
	up_read(&uv_db.lock);
	if (ret) {
		ret = uv_resdb_errno(-ret);
		goto reply;
	}
	a.len = len;
	a.next_seq = next;
	if (len && copy_to_user(u64_to_user_ptr(a.buf), recs, len))
		ret = -EFAULT;
reply:
	kvfree(recs);
	if ((!ret || ret == -ESTALE || ret == -ENOSPC) &&
	    uv_copy_out(uarg, &a, sizeof(a), usize))
		ret = -EFAULT;
	return ret;
}

int uv_ioctl_check(void __user *uarg)
{
	struct resdb_check_report rep = { 0 };
	struct uv_check *a;
	void *scratch = NULL;
	u64 need;
	u32 usize;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = uv_copy_in(a, sizeof(*a), UV_CHECK_SIZE_VER0, offsetof(struct uv_check, pages),
			 uarg, &usize);
	if (ret)
		goto out;
	if (a->flags) {
		ret = -EINVAL;
		goto out;
	}
	if (down_read_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto out;
	}
	need = resdb_check_scratch_size(&uv_db.db);
	scratch = kvmalloc(need, GFP_KERNEL);
	if (!scratch) {
		up_read(&uv_db.lock);
		ret = -ENOMEM;
		goto out;
	}
	ret = resdb_check(&uv_db.db, scratch, need, &rep);
	a->next_seq = resdb_log_next_seq(&uv_db.db);
	a->image_hash = resdb_image_hash(&uv_db.db);
	a->region_pfn = uv_db.region_pfn;
	up_read(&uv_db.lock);

	a->pages = rep.pages;
	a->partitions = rep.partitions;
	a->index_pages = rep.index_pages;
	a->processors = rep.processors;
	a->channels = rep.channels;
	a->resdb_err = -ret;
	if (ret) {
		scnprintf(a->message, sizeof(a->message), "%s: %s", resdb_strerror(-ret),
			  rep.msg);
		ret = -EUCLEAN;
	}
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
out:
	kvfree(scratch);
	kfree(a);
	return ret;
}

int uv_ioctl_pool(void __user *uarg, bool resize)
{
	struct uv_pool *a;
	u32 usize;
	int ret, info, node;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	/* inputs: op, bytes, and (ABI 1.6) node and flags after the outputs */
	ret = uv_copy_in(a, sizeof(*a), UV_POOL_SIZE_VER0, sizeof(*a), uarg, &usize);
	if (ret)
		goto out;
	if (memchr_inv(&a->pool_bytes, 0, offsetof(struct uv_pool, node) -
		       offsetof(struct uv_pool, pool_bytes)) ||
	    a->node_bytes || a->reserved[0] || a->reserved[1] ||
	    (a->flags & ~(UV_POOL_F_NODE | UV_POOL_F_STRICT)) ||
	    (!(a->flags & UV_POOL_F_NODE) && (a->node || a->flags)) ||
	    (!resize && (a->op || a->bytes || a->flags))) {
		ret = -EINVAL;
		goto out;
	}
	node = a->flags & UV_POOL_F_NODE ? (int)min_t(u32, a->node, INT_MAX) : NUMA_NO_NODE;
	if (resize)
		ret = uv_pool_resize_node(a->op, a->bytes, node, a->flags & UV_POOL_F_STRICT,
					  &a->log_seq, &a->node_bytes, a->message,
					  sizeof(a->message));
	info = uv_pool_info(a);
	if (!ret)
		ret = info;
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
out:
	kfree(a);
	return ret;
}

/* ---- queries ---- */

struct uv_qctx {
	const struct resdb *db;
	void *out;
	u32 max, count;
	u64 from;
	u64 next;
};

static int uv_q_partition(void *ctx, const struct resdb_partition *p)
{
	struct uv_qctx *q = ctx;
	struct uv_partition_info *o;
	const struct resdb *db = q->db;

	if (p->hdr.me < q->from)
		return 0;
	if (q->count == q->max) {
		q->next = p->hdr.me;
		return 1;
	}
	o = (struct uv_partition_info *)q->out + q->count++;
	memset(o, 0, sizeof(*o));
	o->number = p->hdr.me;
	o->type = p->type;
	o->state = p->state;
	if (p->hdr.me == db->ultra || p->hdr.me == db->avail || p->hdr.me == db->missing ||
	    p->hdr.me == db->idle || p->hdr.me == db->boot || p->hdr.me == db->host)
		o->flags = UV_PART_F_BUILTIN;
	memcpy(o->name, p->name, min(sizeof(o->name), sizeof(p->name)));
	memcpy(o->role, p->role, min(sizeof(o->role), sizeof(p->role)));
	o->name[sizeof(o->name) - 1] = '\0';
	o->role[sizeof(o->role) - 1] = '\0';
	o->pages = p->pages;
	o->slots = p->slots;
	o->channels = p->channels;
	return 0;
}

static int uv_q_extent(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct uv_qctx *q = ctx;
	struct uv_extent *o;

	if (pfn + nr <= q->from)
		return 0;
	if (pfn < q->from) {
		nr -= q->from - pfn;
		pfn = q->from;
	}
	if (q->count == q->max) {
		q->next = pfn;
		return 1;
	}
	o = (struct uv_extent *)q->out + q->count++;
	o->pfn = pfn;
	o->nr_pages = nr;
	o->entry = entry;
	o->pad = 0;
	return 0;
}

int uv_ioctl_query(void __user *uarg)
{
	struct uv_qctx q = { .db = &uv_db.db, .next = U64_MAX };
	size_t esize = 0;
	struct uv_query a;
	u32 usize;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_QUERY_SIZE_VER0, offsetof(struct uv_query, count),
			 uarg, &usize);
	if (ret)
		return ret;
	switch (a.what) {
	case UV_QUERY_OWNER:
		if (a.partition || a.max || a.buf)
			return -EINVAL;
		break;
	case UV_QUERY_PARTITIONS:
		esize = sizeof(struct uv_partition_info);
		if (a.partition || a.pfn > U32_MAX)
			return -EINVAL;
		break;
	case UV_QUERY_EXTENTS:
		esize = sizeof(struct uv_extent);
		break;
	default:
		return -EINVAL;
	}
	if (esize) {
		if (!a.max || a.max > UV_QUERY_MAX)
			return -EINVAL;
		q.max = a.max;
		q.from = a.pfn;
		q.out = kvcalloc(a.max, esize, GFP_KERNEL);
		if (!q.out)
			return -ENOMEM;
	}
	if (down_read_killable(&uv_db.lock)) {
		kvfree(q.out);
		return -EINTR;
	}
	if (a.what == UV_QUERY_OWNER)
		ret = resdb_owner_of_pfn(&uv_db.db, a.pfn, &a.owner, &a.scale);
	else if (a.what == UV_QUERY_PARTITIONS)
		ret = resdb_partition_list(&uv_db.db, uv_q_partition, &q);
	else
		ret = resdb_partition_extents(&uv_db.db, a.partition, uv_q_extent, &q);
	up_read(&uv_db.lock);
	if (ret > 0)
		ret = 0;	/* stopped early: the buffer is full */
	if (ret) {
		ret = uv_resdb_errno(-ret);
		goto out;
	}
	a.count = q.count;
	a.next_pfn = q.next;
	if (esize && q.count && copy_to_user(u64_to_user_ptr(a.buf), q.out, q.count * esize))
		ret = -EFAULT;
	else if (uv_copy_out(uarg, &a, sizeof(a), usize))
		ret = -EFAULT;
out:
	kvfree(q.out);
	return ret;
}
