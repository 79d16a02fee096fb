// SPDX-License-Identifier: GPL-2.0
/*
 * The resource database inside the module: one struct resdb over memory the
 * module owns, changed only by transactions (WO 2005/036358 [0155]-[0165]).
 *
 * Locking
 * -------
 * uv_db.lock (rw_semaphore) protects uv_db.db (the database image, its log and
 * its open-transaction state), uv_db.pool_chunks, next_k, user_partitions and
 * pinned. Writers - a submitted transaction, a pool resize, the load-time
 * description of host memory - hold it for writing from resdb_txn_begin() to
 * the commit or the rollback, so readers (snapshot, log read, check, queries,
 * pool info) holding it for reading never see a half-applied transaction.
 * Everything is taken killable: a holder paused by the test hook blocks
 * readers, and they can still be killed.
 *
 * uv_db.pool (xarray) is written only with uv_db.lock held for writing; the page
 * hook reads it with xa_load() (RCU), under either side of the lock.
 *
 * Lock order: uv_holder_lock (dev.c, open/release only, never held across an
 * ioctl) and uv_db.lock are never nested. uv_db.lock -> uv_inst_lock (part.c,
 * the monitor instances) -> a monitor partition's own mutex: a transaction
 * checks and unloads instances with the write lock held, a load builds one
 * with the read lock held. The test hook's spinlock (testhook.c)
 * nests inside uv_db.lock and is never held while sleeping. Memory is never
 * allocated for the pool under uv_db.lock: pool.c allocates first, then locks.
 * User memory is never touched under uv_db.lock: ioctls copy in before and out
 * after (a fault on userfaultfd memory cannot stall the database).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include "channel/channel.h"
#include "db.h"
#include "events.h"
#include "part.h"
#include "resdb/text.h"

struct uv_db uv_db = {
	.lock = __RWSEM_INITIALIZER(uv_db.lock),
	.pool = XARRAY_INIT(uv_db.pool, 0),
};

/*
 * The page hook: the database may only reach pages the module owns - the boot
 * region and the pool's 4 MiB pages. Anything else is NULL (the step fails with
 * ENOPAGE before it writes), so no transaction can scribble on host memory.
 */
static void *uv_db_page(void *ctx, u64 pfn)
{
	struct uv_db *d = ctx;
	struct page *p;

	if (d->region && pfn - d->region_pfn < UV_CHUNK_PAGES)
		return page_address(d->region) + ((pfn - d->region_pfn) << PAGE_SHIFT);
	if (pfn >> UV_CHUNK_ORDER > ULONG_MAX)
		return NULL;
	p = xa_load(&d->pool, (unsigned long)(pfn >> UV_CHUNK_ORDER));
	if (!p)
		return NULL;
	return page_address(p) + ((pfn & (UV_CHUNK_PAGES - 1)) << PAGE_SHIFT);
}

static const struct resdb_mem_ops uv_db_mem_ops = {
	.page = uv_db_page,
};

int uv_resdb_errno(int code)
{
	switch (code) {
	case RESDB_OK:
		return 0;
	case RESDB_EINVAL:
	case RESDB_ENOMAP:
	case RESDB_ESELF:
	case RESDB_EPARSE:
	case RESDB_ECPU:
		return -EINVAL;
	case RESDB_EFROM:
	case RESDB_EDIVERGED:
	case RESDB_ESTALE:
		return -ESTALE;
	case RESDB_ENOTPART:
		return -ENOENT;
	case RESDB_ENOTFREE:
	case RESDB_EBUSY:
	case RESDB_EOWNER:
		return -EBUSY;
	case RESDB_ENOTUNIFORM:
		return -ENOTEMPTY;
	case RESDB_EPSEUDO:
		return -EPERM;
	case RESDB_ENOPAGE:
		return -ENXIO;
	case RESDB_ELOGFULL:
	case RESDB_ENOSPC:
		return -ENOSPC;
	case RESDB_ECORRUPT:
		return -EUCLEAN;
	default:
		return -EIO;
	}
}

static void uv_number(u32 v, char *buf, size_t len)
{
	if (v == UV_NONE) {
		strscpy(buf, "none", len);
		return;
	}
	if (resdb_text_print_number(v, buf, len) < 0)
		snprintf(buf, len, "%#x", v);
}

/* "step 2 (Change Owner ...): EFROM: ...: entry 5 holds [0,1,17], expected [0,1,20]" */
static void uv_txn_describe(const struct uv_txn_step *steps, u32 nr,
			    struct uv_txn_result *res)
{
	const struct resdb_error *e = &res->err;
	char text[160], want[24], got[24];
	int n;

	if (e->step >= nr || resdb_text_print_step(&steps[e->step], text, sizeof(text)) < 0)
		strscpy(text, "?", sizeof(text));
	n = scnprintf(res->message, sizeof(res->message), "step %u (%s): %s", e->step, text,
		      resdb_strerror(e->code));
	if (e->code == RESDB_EFROM || e->expected || e->found) {
		uv_number(e->expected, want, sizeof(want));
		uv_number(e->found, got, sizeof(got));
		if (e->index != UV_NONE)
			scnprintf(res->message + n, sizeof(res->message) - n,
				  ": entry %u holds %s, expected %s", e->index, got, want);
		else
			scnprintf(res->message + n, sizeof(res->message) - n,
				  ": found %s, expected %s", got, want);
	}
}

struct uv_count {
	const struct resdb *db;
	u32 n;
};

bool uv_db_is_builtin(u32 number)
{
	const struct resdb *db = &uv_db.db;

	return number == db->ultra || number == db->avail || number == db->missing ||
	       number == db->idle || number == db->boot || number == db->host;
}

static bool uv_is_builtin(const struct resdb *db, u32 number)
{
	return number == db->ultra || number == db->avail || number == db->missing ||
	       number == db->idle || number == db->boot || number == db->host;
}

static int uv_count_user(void *ctx, const struct resdb_partition *p)
{
	struct uv_count *c = ctx;

	if (!uv_is_builtin(c->db, p->hdr.me))
		c->n++;
	return 0;
}

/*
 * While partitions exist the module must not unload: the database, their
 * memory and (later) their monitors live in it. Take a module reference when
 * the first appears, drop it when the last is destroyed.
 */
static void uv_db_update_pin(void)
{
	struct uv_count c = { .db = &uv_db.db };

	if (resdb_partition_list(&uv_db.db, uv_count_user, &c))
		return;
	uv_db.user_partitions = c.n;
	if (c.n && !uv_db.pinned && try_module_get(THIS_MODULE)) {
		uv_db.pinned = true;
		pr_info("%u partition(s) defined: the module stays loaded (rmmod fails with EAGAIN) until they are destroyed\n",
			c.n);
	} else if (!c.n && uv_db.pinned) {
		uv_db.pinned = false;
		module_put(THIS_MODULE);
		pr_info("no partitions left: the module may be unloaded\n");
	}
}

bool uv_db_page_is_ours(u64 pfn)
{
	return uv_db_page(&uv_db, pfn);
}

/*
 * Scrubbing memory that leaves a partition. A partition's pages hold whatever
 * its guest wrote; before anybody else can own them they are zeroed. Here,
 * under the write lock and right after the step that moves them: the next
 * step of the same transaction may already build on them (an index page or a
 * descriptor must be a zero page), and no reader sees the database in between.
 * The partition's own descriptor page is left alone: Destroy Partition
 * scrubs it, and until then it is the database's. If the transaction later
 * fails, the pages go back to the partition zeroed; only a partition without
 * a live monitor instance can lose memory at all (part.c refuses the rest),
 * and its memory's content is not part of the database.
 */
struct uv_runs {
	u32 owner;
	u32 n, max;
	u64 (*run)[2];		/* pfn, pages */
};

static int uv_runs_add(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct uv_runs *r = ctx;

	if (entry != r->owner)
		return 0;
	if (r->run && r->n < r->max) {
		r->run[r->n][0] = pfn;
		r->run[r->n][1] = nr;
	}
	r->n++;
	return 0;
}

/* Before a Change Owner from a partition: the runs it owns now. */
static int uv_scrub_prepare(const struct uv_txn_step *step, struct uv_runs *r)
{
	const struct resdb *db = &uv_db.db;
	u32 from;
	int ret;

	r->n = 0;
	if (step->op != UV_TXN_CHANGE_OWNER)
		return 0;
	from = step->change_owner.from;
	if ((from & (UV_ENTRY_REF | UV_ENTRY_CTRL)) || uv_db_is_builtin(from) ||
	    !resdb_partition(db, from))
		return 0;
	r->owner = from;
	kvfree(r->run);
	r->run = NULL;
	r->max = 0;
	ret = resdb_partition_extents(db, from, uv_runs_add, r);
	if (ret || !r->n)
		return ret ? uv_resdb_errno(-ret) : 0;
	r->max = r->n;
	r->n = 0;
	r->run = kvmalloc_array(r->max, sizeof(*r->run), GFP_KERNEL);
	if (!r->run) {
		r->max = 0;
		return -ENOMEM;
	}
	ret = resdb_partition_extents(db, from, uv_runs_add, r);
	r->n = min(r->n, r->max);
	return ret ? uv_resdb_errno(-ret) : 0;
}

/* After the step: zero what the partition owned before and no longer owns. */
static void uv_scrub_left(struct uv_runs *r)
{
	const struct resdb *db = &uv_db.db;
	u64 desc = db->base_pfn + r->owner;
	u32 i;

	for (i = 0; i < r->n; i++) {
		u64 pfn = r->run[i][0], end = pfn + r->run[i][1];

		while (pfn < end) {
			u32 owner = r->owner, scale = 1;
			u64 span, j;

			resdb_owner_of_pfn(db, pfn, &owner, &scale);
			span = ((pfn >> (10 * (scale - 1))) + 1) << (10 * (scale - 1));
			span = min(span, end) - pfn;
			if (owner != r->owner) {
				for (j = pfn; j < pfn + span; j++) {
					void *va = j == desc ? NULL : uv_db_page(&uv_db, j);

					if (va)
						clear_page(va);
				}
				cond_resched();
			}
			pfn += span;
		}
	}
	r->n = 0;
}

static int apply_locked(const struct uv_txn_step *steps, u32 nr, bool pause, u64 tag,
			struct uv_txn_result *res)
{
	struct resdb *db = &uv_db.db;
	struct uv_runs runs = { 0 };
	bool killed = false;
	int ret;
	u32 i;

	lockdep_assert_held_write(&uv_db.lock);
	memset(res, 0, sizeof(*res));
	ret = uv_inst_txn_check(steps, nr, res->message, sizeof(res->message));
	if (ret)
		return ret;
	res->begin_seq = resdb_log_next_seq(db);
	ret = resdb_txn_begin_tagged(db, tag);
	if (ret) {
		res->begin_seq = 0;
		goto fail;
	}
	for (i = 0; i < nr; i++) {
		ret = uv_scrub_prepare(&steps[i], &runs);
		if (ret) {
			if (db->in_txn && !db->cut)
				resdb_txn_abort(db);
			kvfree(runs.run);
			res->steps = 0;
			scnprintf(res->message, sizeof(res->message),
				  "step %u: cannot list the memory it takes (error %d): transaction rolled back",
				  i, ret);
			return ret;
		}
		ret = resdb_txn_step(db, &steps[i]);
		if (ret)
			goto fail;
		uv_scrub_left(&runs);
		res->steps = i + 1;
		if (pause && uv_testhook_after_step(i)) {
			killed = true;
			goto fail;
		}
	}
	ret = resdb_txn_commit(db);
	if (ret)
		goto fail;
	res->log_seq = resdb_log_next_seq(db) - 1;
	kvfree(runs.run);
	uv_inst_txn_committed(steps, nr);
	uv_chan_db_committed(steps, nr);	/* kmod/channel: headers, server maps */
	uv_db_update_pin();
	return 0;

fail:
	kvfree(runs.run);
	if (!killed) {
		res->err = db->err;
		res->err.code = -ret;
	}
	/* A step or commit that failed has already rolled back; anything else is open. */
	if (db->in_txn && !db->cut)
		resdb_txn_abort(db);
	if (db->cut)
		resdb_recover(db);
	res->steps = 0;
	if (killed) {
		scnprintf(res->message, sizeof(res->message),
			  "killed after step %u: transaction rolled back", i);
		return -EINTR;
	}
	uv_txn_describe(steps, nr, res);
	return uv_resdb_errno(-ret);
}

int uv_db_apply_locked(const struct uv_txn_step *steps, u32 nr, bool pause,
		       struct uv_txn_result *res)
{
	return apply_locked(steps, nr, pause, 0, res);
}

int uv_db_submit(const struct uv_txn_step *steps, u32 nr, bool pause, u64 tag,
		 struct uv_txn_result *res)
{
	int ret;

	if (down_write_killable(&uv_db.lock))
		return -EINTR;
	ret = apply_locked(steps, nr, pause, tag, res);
	up_write(&uv_db.lock);

	if (!ret)
		uv_event_txn_commit(res->log_seq, nr);
	else
		uv_event_error(UV_NONE, ret, "transaction rejected: %s", res->message);
	return ret;
}

int uv_map_find(u64 pfn, u32 want, struct uv_map_pos *pos)
{
	const struct resdb *db = &uv_db.db;
	u32 t = db->order, map = db->top;
	u64 frame = 0;

	for (;;) {
		u64 n = pfn >> (10 * (t - 1));
		const u32 *page = uv_db_page(&uv_db, db->base_pfn + map);

		if (!page || n >> 10 != frame)
			return -ENXIO;
		pos->map = map;
		pos->scale = t;
		pos->frame = frame;
		pos->index = n & (RESDB_ENTRIES - 1);
		pos->value = page[pos->index];
		if (t <= want || !(pos->value & UV_ENTRY_REF))
			return 0;
		map = pos->value & UV_ENTRY_GMK;
		frame = n;
		t--;
	}
}

/* A page of the boot region still owned by "available": a new index page. */
static int uv_region_free_page(u32 *number)
{
	const struct resdb *db = &uv_db.db;
	u32 pkm = (u32)(uv_db.region_pfn - db->base_pfn) | 18;	/* Figure 8's PKM */
	const u32 *page = uv_db_page(&uv_db, db->base_pfn + pkm);

	if (!page)
		return -ENXIO;
	for (; uv_db.next_k < RESDB_ENTRIES; uv_db.next_k++) {
		if (page[uv_db.next_k] == db->avail) {
			*number = pkm - 18 + uv_db.next_k;
			return 0;
		}
	}
	return -ENOSPC;
}

static void uv_at(struct uv_txn_at *at, const struct uv_map_pos *pos, u32 first, u32 last)
{
	at->map = pos->map;
	at->scale = pos->scale;
	at->frame = pos->frame;
	at->first = first;
	at->last = last;
}

int uv_map_split_steps(const struct uv_map_pos *pos, struct uv_txn_step *steps, u32 *nr)
{
	const struct resdb *db = &uv_db.db;
	struct uv_map_pos pkm;
	struct uv_txn_step *s = &steps[*nr];
	u32 child;
	int ret;

	ret = uv_region_free_page(&child);
	if (ret)
		return ret;
	ret = uv_map_find(db->base_pfn + child, 1, &pkm);
	if (ret || pkm.scale != 1 || pkm.value != db->avail)
		return -ENXIO;
	uv_db.next_k++;
	memset(s, 0, 2 * sizeof(*s));
	s[0].op = UV_TXN_CHANGE_OWNER;
	uv_at(&s[0].change_owner.at, &pkm, pkm.index, pkm.index);
	s[0].change_owner.from = db->avail;
	s[0].change_owner.to = db->ultra;
	s[1].op = UV_TXN_SPLIT;
	uv_at(&s[1].split.at, pos, pos->index, pos->index);
	s[1].split.child = child;
	s[1].split.owner = pos->value;
	*nr += 2;
	return 0;
}

static void uv_db_free(void)
{
	if (uv_db.region)
		__free_pages(uv_db.region, UV_CHUNK_ORDER);
	uv_db.region = NULL;
	vfree(uv_db.log);
	uv_db.log = NULL;
}

int uv_db_init(void)
{
	int ret;

	uv_db.log = vzalloc(UV_LOG_BYTES);
	if (!uv_db.log)
		return -ENOMEM;
	ret = resdb_init(&uv_db.db, &uv_db_mem_ops, &uv_db, uv_db.log, UV_LOG_BYTES);
	if (ret) {
		uv_db_free();
		return uv_resdb_errno(-ret);
	}
	down_write(&uv_db.lock);
	ret = uv_hostmem_format();
	up_write(&uv_db.lock);
	if (ret)
		uv_db_free();
	return ret;
}

void uv_db_exit(void)
{
	uv_pool_exit();
	uv_db_free();
	memset(&uv_db.db, 0, sizeof(uv_db.db));
	uv_db.next_k = 0;
	uv_db.user_partitions = 0;
}
