// SPDX-License-Identifier: GPL-2.0
/*
 * The in-process master: a second resource database in this process that does what
 * the module does with the command channel - decode a transaction from its binary
 * form, validate and apply it, log it, hand out snapshots and log records, and
 * allow one holder at a time. It runs the real resdb code, so the daemon's tests and
 * benchmarks exercise the same validation the module applies; only the run control
 * of partitions (the monitor) is missing, and says so.
 *
 * Locking: m->lock protects the database and the holder flag.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "commandd.h"
#include "resdb/text.h"
#include "resdb_store.h"

struct cmdd_master {
	pthread_mutex_t lock;
	struct resdb_sim sim;
	u32 nr_cpus;
	bool held;
	bool pool;		/* hosted: a pool of 4 MiB entries taken from "host" */
	u64 pool_entries;	/* 4 MiB entries the pool holds */
	/* test hook: another client's transaction, just before the next submit */
	void (*interloper)(struct resdb *db, void *arg);
	void *interloper_arg;
};

struct master_backend {
	struct cmdd_backend be;
	struct cmdd_master *m;
};

int cmdd_resdb_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case RESDB_OK:
		return 0;
	case RESDB_EINVAL:
	case RESDB_EPARSE:
		return EINVAL;
	case RESDB_ENOMAP:
	case RESDB_EFROM:
	case RESDB_ENOTFREE:
	case RESDB_ENOTUNIFORM:
	case RESDB_EOWNER:
	case RESDB_ESELF:
		return EAGAIN;		/* a before image did not hold: state moved on */
	case RESDB_ENOTPART:
		return ENOENT;
	case RESDB_EBUSY:
		return EBUSY;
	case RESDB_EPSEUDO:
		return EPERM;
	case RESDB_ENOPAGE:
		return ENOMEM;
	case RESDB_ELOGFULL:
	case RESDB_ENOSPC:
		return ENOSPC;
	case RESDB_ESTATE:
	case RESDB_ECUT:
		return EIO;
	case RESDB_ESTALE:
		return ESTALE;
	case RESDB_ECPU:
		return EEXIST;
	default:
		return EUCLEAN;
	}
}

struct cmdd_master *cmdd_master_new(const struct cmdd_master_cfg *cfg, struct ultra_err *e)
{
	struct resdb_format f = { .host_pages = cfg->host_pages, .order = 0, .region = 1,
				  .owner = cfg->pool ? RESDB_FORMAT_HOST : RESDB_FORMAT_AVAILABLE,
				  .with_host = cfg->pool };
	struct cmdd_master *m = calloc(1, sizeof(*m));
	int ret;

	if (!m) {
		ultra_err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->nr_cpus = cfg->nr_cpus;
	m->pool = cfg->pool;
	if (!cfg->nr_cpus || cfg->nr_cpus > RESDB_MAX_CPUS) {
		ultra_err_set(e, EINVAL, "simulated host: %u CPUs (1..%u)", cfg->nr_cpus,
			      RESDB_MAX_CPUS);
		goto fail;
	}
	ret = resdb_sim_init(&m->sim, cfg->log_size ? cfg->log_size : 16ull << 20);
	if (!ret)
		ret = resdb_format(&m->sim.db, &f);
	if (ret) {
		ultra_err_set(e, cmdd_resdb_errno(ret), "simulated host of %llu pages: %s",
			      (unsigned long long)cfg->host_pages, resdb_strerror(ret));
		goto fail;
	}
	return m;
fail:
	resdb_sim_fini(&m->sim);
	pthread_mutex_destroy(&m->lock);
	free(m);
	return NULL;
}

void cmdd_master_free(struct cmdd_master *m)
{
	if (!m)
		return;
	resdb_sim_fini(&m->sim);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

struct resdb *cmdd_master_lock(struct cmdd_master *m)
{
	pthread_mutex_lock(&m->lock);
	return &m->sim.db;
}

void cmdd_master_unlock(struct cmdd_master *m)
{
	pthread_mutex_unlock(&m->lock);
}

int cmdd_master_check(struct cmdd_master *m, struct resdb_check_report *rep)
{
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = resdb_sim_check(&m->sim, rep);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int cmdd_master_apply(struct cmdd_master *m, const struct uv_txn_step *s, u32 nr)
{
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = resdb_apply(&m->sim.db, s, nr);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void cmdd_master_interleave(struct cmdd_master *m, void (*fn)(struct resdb *db, void *arg),
			    void *arg)
{
	pthread_mutex_lock(&m->lock);
	m->interloper = fn;
	m->interloper_arg = arg;
	pthread_mutex_unlock(&m->lock);
}

static struct cmdd_master *master_of(struct cmdd_backend *be)
{
	return ((struct master_backend *)be)->m;
}

static int m_snapshot(struct cmdd_backend *be, void **buf, size_t *len, struct ultra_err *e)
{
	struct cmdd_master *m = master_of(be);
	u64 size = 0, out = 0;
	void *b;
	int ret;

	*buf = NULL;
	*len = 0;
	pthread_mutex_lock(&m->lock);
	ret = resdb_snapshot_size(&m->sim.db, &size);
	b = ret ? NULL : malloc(size);
	if (!ret && !b)
		ret = -RESDB_ENOPAGE;
	if (!ret)
		ret = resdb_snapshot_write(&m->sim.db, b, size, &out);
	pthread_mutex_unlock(&m->lock);
	if (ret) {
		free(b);
		return ultra_err_set(e, cmdd_resdb_errno(ret), "snapshot: %s", resdb_strerror(ret));
	}
	*buf = b;
	*len = out;
	return 0;
}

static int m_log_read(struct cmdd_backend *be, u64 from, void *buf, size_t len,
		      size_t *out_len, u64 *next, u64 *head, struct ultra_err *e)
{
	struct cmdd_master *m = master_of(be);
	u64 out = 0;
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = resdb_log_read(&m->sim.db, from, buf, len, &out, next);
	*head = resdb_log_next_seq(&m->sim.db);
	pthread_mutex_unlock(&m->lock);
	*out_len = out;
	if (ret)
		return ultra_err_set(e, cmdd_resdb_errno(ret), "log read from %llu: %s",
				     (unsigned long long)from, resdb_strerror(ret));
	return 0;
}

static int m_submit(struct cmdd_backend *be, const void *txn, size_t len,
		    struct cmdd_submit_res *res, struct ultra_err *e)
{
	struct cmdd_master *m = master_of(be);
	const struct uv_txn_step *steps;
	u32 nr;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = resdb_txn_decode(txn, len, &steps, &nr);
	if (ret) {
		res->resdb_err = (u32)-ret;
		return ultra_err_set(e, EINVAL, "transaction rejected by the decoder: %s",
				     resdb_strerror(ret));
	}
	pthread_mutex_lock(&m->lock);
	if (m->interloper) {
		m->interloper(&m->sim.db, m->interloper_arg);
		m->interloper = NULL;
	}
	res->begin_seq = resdb_log_next_seq(&m->sim.db);
	ret = resdb_apply_tagged(&m->sim.db, steps, nr, ((const struct uv_txn_hdr *)txn)->tag);
	if (!ret) {
		res->commit_seq = resdb_log_next_seq(&m->sim.db) - 1;
	} else {
		const struct resdb_error *er = &m->sim.db.err;

		if (m->sim.db.in_txn)	/* failed before a step ran: close it */
			resdb_txn_abort(&m->sim.db);
		res->resdb_err = (u32)-ret;
		res->err_step = er->step;
		res->err_index = er->index;
		res->err_expected = er->expected;
		res->err_found = er->found;
	}
	pthread_mutex_unlock(&m->lock);
	if (ret)
		return ultra_err_set(e, cmdd_resdb_errno(ret),
				     "transaction failed at step %u: %s (index %d, expected %#x, found %#x)",
				     res->err_step, resdb_strerror(ret), (int)res->err_index,
				     res->err_expected, res->err_found);
	return 0;
}

static int m_control(struct cmdd_backend *be, u32 partition, enum cmdd_ctl op,
		     struct ultra_err *e)
{
	static const char *const names[] = { "", "start", "pause", "resume", "stop" };

	return ultra_err_set(e, EOPNOTSUPP,
			     "%s is not supported by this module yet (it needs the monitor)",
			     op >= CMDD_CTL_START && op <= CMDD_CTL_STOP ? names[op] : "?");
}

static int m_host_info(struct cmdd_backend *be, struct cmdd_host_info *h, struct ultra_err *e)
{
	h->nr_cpus = master_of(be)->nr_cpus;
	h->txn_tags = true;
	return 0;
}

/* ---- the simulated pool -------------------------------------------------------------- */

struct pool_walk {
	const struct resdb *db;
	u32 from, to;
	u64 want;		/* entries still to move */
	bool from_top;		/* shrink: the highest entries first */
	struct uv_txn_step *steps;
	u32 nr, cap;
	u64 free;		/* info: whole 4 MiB entries "available" owns */
};

/* A plain 4 MiB entry holding owner (not a reference, not control memory). */
static bool plain(const struct cmdd_ipage *p, u32 i, u32 owner)
{
	return p->scale == 2 && p->e[i] == owner;
}

static int pool_count(void *ctx, const struct cmdd_ipage *p)
{
	struct pool_walk *w = ctx;
	u32 i;

	for (i = 0; p->scale == 2 && i < RESDB_ENTRIES; i++)
		w->free += plain(p, i, w->db->avail);
	return 0;
}

static int pool_pick(void *ctx, const struct cmdd_ipage *p)
{
	struct pool_walk *w = ctx;
	u32 k;

	if (!w->steps)
		return -EINVAL;
	for (k = 0; p->scale == 2 && k < RESDB_ENTRIES && w->want; k++) {
		u32 i = w->from_top ? RESDB_ENTRIES - 1 - k : k;
		struct uv_txn_change_owner *c;

		if (!plain(p, i, w->from))
			continue;
		w->want--;
		c = w->nr ? &w->steps[w->nr - 1].change_owner : NULL;
		if (c && c->at.map == p->gmk && !w->from_top && (u32)c->at.last + 1 == i) {
			c->at.last = (u16)i;
			continue;
		}
		if (c && c->at.map == p->gmk && w->from_top && (u32)c->at.first == i + 1) {
			c->at.first = (u16)i;
			continue;
		}
		if (w->nr == w->cap)
			return -E2BIG;
		memset(&w->steps[w->nr], 0, sizeof(w->steps[w->nr]));
		w->steps[w->nr].op = UV_TXN_CHANGE_OWNER;
		c = &w->steps[w->nr++].change_owner;
		c->at.map = p->gmk;
		c->at.scale = 2;
		c->at.frame = p->frame;
		c->at.first = (u16)i;
		c->at.last = (u16)i;
		c->from = w->from;
		c->to = w->to;
	}
	return 0;
}

static void pool_info_locked(struct cmdd_master *m, struct cmdd_pool_info *info)
{
	struct pool_walk w = { .db = &m->sim.db };
	struct cmdd_map_stats st;

	memset(info, 0, sizeof(*info));
	cmdd_map_visit(&m->sim.db, pool_count, &w);
	info->pool_bytes = m->pool_entries * CMDD_MEM_UNIT;
	info->free_bytes = w.free * CMDD_MEM_UNIT;
	if (!cmdd_map_stats(&m->sim.db, &st))
		info->available_bytes = st.free_pages * RESDB_PAGE_SIZE;
}

static int m_pool(struct cmdd_backend *be, enum cmdd_pool_op op, u64 bytes,
		  struct cmdd_pool_info *info, struct ultra_err *e)
{
	struct cmdd_master *m = master_of(be);
	struct uv_txn_step steps[64];
	struct pool_walk w = { .db = &m->sim.db, .steps = steps, .cap = 64 };
	int ret = 0;

	pthread_mutex_lock(&m->lock);
	if (op == CMDD_POOL_INFO)
		goto out;
	if (!bytes || bytes % CMDD_MEM_UNIT) {
		ret = ultra_err_set(e, EINVAL, "pool resize by %llu bytes: not a multiple of 4 MiB",
				    (unsigned long long)bytes);
		goto out;
	}
	w.want = bytes / CMDD_MEM_UNIT;
	if (op == CMDD_POOL_GROW) {
		w.from = m->sim.db.host;
		w.to = m->sim.db.avail;
	} else {
		w.from = m->sim.db.avail;
		w.to = m->sim.db.host;
		w.from_top = true;
		if (w.want > m->pool_entries) {
			ret = ultra_err_set(e, EBUSY, "pool shrink by %llu MiB: the pool holds %llu MiB",
					    (unsigned long long)(bytes >> 20),
					    (unsigned long long)(m->pool_entries * 4));
			goto out;
		}
	}
	ret = cmdd_map_visit(&m->sim.db, pool_pick, &w);
	if (!ret && w.want)
		ret = op == CMDD_POOL_GROW ? -ENOMEM : -EBUSY;
	if (!ret)
		ret = resdb_apply(&m->sim.db, steps, w.nr) ? -EIO : 0;
	if (ret) {
		ultra_err_set(e, -ret, "pool %s by %llu MiB: %s: nothing changed",
			      op == CMDD_POOL_GROW ? "grow" : "shrink",
			      (unsigned long long)(bytes >> 20),
			      ret == -ENOMEM ? "the simulated host has no more" :
			      ret == -EBUSY ? "not that much of the pool is free" : strerror(-ret));
		goto out;
	}
	if (op == CMDD_POOL_GROW)
		m->pool_entries += bytes / CMDD_MEM_UNIT;
	else
		m->pool_entries -= bytes / CMDD_MEM_UNIT;
out:
	pool_info_locked(m, info);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static void m_close(struct cmdd_backend *be)
{
	struct cmdd_master *m = master_of(be);

	pthread_mutex_lock(&m->lock);
	m->held = false;
	pthread_mutex_unlock(&m->lock);
	free(be);
}

static const struct cmdd_backend_ops master_ops = {
	.name = "master",
	.snapshot = m_snapshot,
	.log_read = m_log_read,
	.submit = m_submit,
	.control = m_control,
	.host_info = m_host_info,
	.pool = m_pool,
	.close = m_close,
};

static const struct cmdd_backend_ops master_nopool_ops = {
	.name = "master",
	.snapshot = m_snapshot,
	.log_read = m_log_read,
	.submit = m_submit,
	.control = m_control,
	.host_info = m_host_info,
	.close = m_close,
};

int cmdd_master_open(struct cmdd_master *m, struct cmdd_backend **out, struct ultra_err *e)
{
	struct master_backend *b;

	*out = NULL;
	pthread_mutex_lock(&m->lock);
	if (m->held) {
		pthread_mutex_unlock(&m->lock);
		return ultra_err_set(e, EBUSY,
				     "the command channel is held by another command daemon");
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		pthread_mutex_unlock(&m->lock);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	m->held = true;
	pthread_mutex_unlock(&m->lock);
	b->be.ops = m->pool ? &master_ops : &master_nopool_ops;
	b->m = m;
	*out = &b->be;
	return 0;
}
