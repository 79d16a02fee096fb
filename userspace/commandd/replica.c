// SPDX-License-Identifier: GPL-2.0
/*
 * The replica ([0090]: "a synchronized snapshot of the resource allocation map"):
 * built from the module's snapshot, kept in step by replaying its audit log
 * (resdb_replay checks every before image, so a replica that drifted stops instead
 * of diverging further).
 *
 * Readers and the updater: many request threads read the replica while one thread
 * (the holder of service.update_lock) changes it. The resource database is updated
 * in place, so the replica is kept twice, left-right style:
 *
 *   side A  <- published (rcu_assign_pointer): readers use it inside
 *              rcu_read_lock() sections; it is never written while published
 *   side B  <- standby: only the updater touches it
 *
 * A catch-up replays the new log records into the standby, publishes it, waits for
 * a grace period (synchronize_rcu(): every reader that could still see the old side
 * has left its critical section), then replays the same records into the old side,
 * which becomes the standby. Readers never block and never see a half-applied
 * transaction; the updater pays each change twice, and memory is twice the image
 * (the image is small: descriptors and index pages only). Copy-on-apply would copy
 * the whole image per change, which at 100 000 partitions is 400 MiB.
 *
 * The page hook of a published side only looks pages up (resdb_store_peek); the
 * store's hash table is only grown by the updater, on the standby side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rcu.h"

#include "commandd.h"
#include "resdb_store.h"

#define REPLICA_LOG_SIZE	(8ull << 20)
#define READ_CHUNK		(1u << 20)

static void *view_page(void *ctx, u64 pfn)
{
	struct cmdd_view *v = ctx;

	if (v->writable)
		return resdb_store_ops.page(v->store, pfn);
	return resdb_store_peek(v->store, pfn);
}

static const struct resdb_mem_ops view_ops = { .page = view_page };

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void view_free(struct cmdd_view *v)
{
	resdb_store_free(v->store);
	free(v->log);
	v->store = NULL;
	v->log = NULL;
	memset(&v->db, 0, sizeof(v->db));
}

int cmdd_replica_init(struct cmdd_replica *r, struct cmdd_backend *be, struct ultra_err *e)
{
	memset(r, 0, sizeof(*r));
	r->be = be;
	r->standby = &r->side[0];
	return cmdd_replica_resync(r, e);
}

void cmdd_replica_fini(struct cmdd_replica *r)
{
	rcu_assign_pointer(r->cur, NULL);
	synchronize_rcu();
	view_free(&r->side[0]);
	view_free(&r->side[1]);
	free(r->recs);
	free(r->scratch);
	memset(r, 0, sizeof(*r));
}

/* Scratch for the check resdb_snapshot_load() runs: the snapshot's pages bound it. */
static int ensure_scratch(struct cmdd_replica *r, u64 nr_pages)
{
	u64 cap = 16, need;

	while (cap < 2 * nr_pages + 2ull * RESDB_MAX_CPUS + 64)
		cap *= 2;
	need = cap * 32ull;	/* >= the checker's slot size */
	if (need <= r->scratch_len)
		return 0;
	free(r->scratch);
	r->scratch = malloc(need);
	r->scratch_len = r->scratch ? need : 0;
	return r->scratch ? 0 : -ENOMEM;
}

/* Load a snapshot into a side nobody reads. */
static int view_load(struct cmdd_replica *r, struct cmdd_view *v, const void *snap, size_t len,
		     struct ultra_err *e)
{
	const struct uv_snap_hdr *h = snap;
	int ret;

	view_free(v);
	v->store = resdb_store_new();
	v->log = malloc(REPLICA_LOG_SIZE);
	v->writable = true;
	if (!v->store || !v->log || ensure_scratch(r, len >= sizeof(*h) ? h->nr_pages : 0))
		return ultra_err_set(e, ENOMEM, "out of memory for the replica");
	ret = resdb_init(&v->db, &view_ops, v, v->log, REPLICA_LOG_SIZE);
	if (!ret)
		ret = resdb_snapshot_load(&v->db, snap, len, r->scratch, r->scratch_len);
	if (ret)
		return ultra_err_set(e, cmdd_resdb_errno(ret), "the module's snapshot: %s",
				     resdb_strerror(ret));
	return 0;
}

/*
 * Read every record from "from" on into r->recs. -ESTALE when the ring no longer
 * holds them.
 */
static int read_log(struct cmdd_replica *r, u64 from, struct ultra_err *e)
{
	u64 next = from, head = 0;

	r->recs_len = 0;
	for (;;) {
		size_t got = 0;
		int ret;

		if (r->recs_cap - r->recs_len < READ_CHUNK) {
			size_t cap = r->recs_cap ? 2 * r->recs_cap : 4 * (size_t)READ_CHUNK;
			void *n = realloc(r->recs, cap);

			if (!n)
				return ultra_err_set(e, ENOMEM, "out of memory for log records");
			r->recs = n;
			r->recs_cap = cap;
		}
		ret = r->be->ops->log_read(r->be, next, (char *)r->recs + r->recs_len,
					   r->recs_cap - r->recs_len, &got, &next, &head, e);
		if (ret)
			return ret;
		r->recs_len += got;
		if (next >= head || !got)
			return 0;
	}
}

static int replay(struct cmdd_view *v, const void *recs, size_t len, struct ultra_err *e)
{
	int ret;

	v->writable = true;
	ret = resdb_replay(&v->db, recs, len);
	if (ret)
		return ultra_err_set(e, ret == -RESDB_EDIVERGED ? EUCLEAN : cmdd_resdb_errno(ret),
				     "replaying the module's log: %s", resdb_strerror(ret));
	return 0;
}

static struct cmdd_view *other(struct cmdd_replica *r, const struct cmdd_view *v)
{
	return v == &r->side[0] ? &r->side[1] : &r->side[0];
}

/* Publish the standby, wait until no reader sees the old side, make that the standby. */
static struct cmdd_view *publish(struct cmdd_replica *r)
{
	struct cmdd_view *old = r->cur;

	r->standby->writable = false;
	rcu_assign_pointer(r->cur, r->standby);
	synchronize_rcu();
	r->standby = old ? old : other(r, r->cur);
	r->standby->writable = true;
	return old;
}

int cmdd_replica_resync(struct cmdd_replica *r, struct ultra_err *e)
{
	double t0 = now_ms();
	struct cmdd_view *v;
	const struct uv_snap_hdr *h;
	void *snap = NULL;
	size_t len = 0;
	int ret;

	ret = r->be->ops->snapshot(r->be, &snap, &len, e);
	if (ret)
		return ret;
	h = snap;
	ret = view_load(r, r->standby, snap, len, e);
	if (!ret)
		ret = read_log(r, h->next_seq, e);
	if (!ret)
		ret = replay(r->standby, r->recs, r->recs_len, e);
	if (ret)
		goto out;
	publish(r);
	/* the side readers left: same snapshot, same records */
	v = r->standby;
	ret = view_load(r, v, snap, len, e);
	if (!ret)
		ret = replay(v, r->recs, r->recs_len, e);
	if (!ret) {
		r->resyncs++;
		r->last_resync_ms = now_ms() - t0;
	}
out:
	free(snap);
	return ret;
}

int cmdd_replica_catch_up(struct cmdd_replica *r, struct ultra_err *e)
{
	int ret;

	if (!r->cur)
		return cmdd_replica_resync(r, e);
	ret = read_log(r, resdb_log_next_seq(&r->standby->db), e);
	if (ret == -ESTALE)
		return cmdd_replica_resync(r, e);
	if (ret)
		return ret;
	if (!r->recs_len)
		return 0;
	ret = replay(r->standby, r->recs, r->recs_len, e);
	if (!ret) {
		publish(r);
		ret = replay(r->standby, r->recs, r->recs_len, e);
	}
	if (ret)	/* diverged or corrupt: start again from a snapshot */
		return cmdd_replica_resync(r, e);
	r->log_bytes += r->recs_len;
	return 0;
}

const struct resdb *cmdd_replica_read_lock(struct cmdd_replica *r)
{
	struct cmdd_view *v;

	rcu_read_lock();
	v = rcu_dereference(r->cur);
	return v ? &v->db : NULL;
}

void cmdd_replica_read_unlock(struct cmdd_replica *r)
{
	rcu_read_unlock();
}

struct resdb *cmdd_replica_standby(struct cmdd_replica *r)
{
	return &r->standby->db;
}
