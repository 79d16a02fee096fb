// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions ([0111], [0112], [0156], [0222]-[0224]). A step is done in three
 * phases, so that a failure or a cut leaves nothing half done:
 *
 *   1. validate: check the step's preconditions (its before images) against the
 *      database and build its log record: the before and after value of every word
 *      it will write. Every page it touches is mapped through the hook here, so
 *      later phases cannot fail for want of memory. Nothing is written yet.
 *   2. log: append the record to the ring ("flushed before it is applied", [0156]).
 *   3. apply: write the after images (the same code a replica uses to replay).
 *
 * A step that fails validation rolls back the whole transaction from the ring and
 * logs ABORT. Commit first checks the rules that only hold between steps (a
 * partition's descriptor page is owned by itself, [0215]), then logs COMMIT.
 */
#include "resdb/internal.h"

typedef int (*step_fn)(struct resdb *db, struct uv_txn_step *s);

static const struct {
	step_fn fn;
	u32 size;		/* bytes of the union the op uses */
} steps[UV_TXN_OP_MAX + 1] = {
	[UV_TXN_CHANGE_OWNER] = { resdb_step_change_owner, sizeof(struct uv_txn_change_owner) },
	[UV_TXN_SPLIT] = { resdb_step_split, sizeof(struct uv_txn_split) },
	[UV_TXN_MERGE] = { resdb_step_merge, sizeof(struct uv_txn_split) },
	[UV_TXN_INIT_PARTITION] = { resdb_step_init_partition,
				    sizeof(struct uv_txn_partition) },
	[UV_TXN_DESTROY_PARTITION] = { resdb_step_destroy_partition,
				       sizeof(struct uv_txn_destroy) },
	[UV_TXN_INIT_PROCESSOR] = { resdb_step_init_processor,
				    sizeof(struct uv_txn_processor) },
	[UV_TXN_CHANGE_SCHEDULE] = { resdb_step_change_schedule,
				     sizeof(struct uv_txn_schedule) },
	[UV_TXN_DESTROY_PROCESSOR] = { resdb_step_destroy_processor,
				       sizeof(struct uv_txn_destroy) },
	[UV_TXN_INIT_CHANNEL] = { resdb_step_init_channel, sizeof(struct uv_txn_channel) },
	[UV_TXN_CHANGE_SERVER] = { resdb_step_change_server, sizeof(struct uv_txn_server) },
	[UV_TXN_DESTROY_CHANNEL] = { resdb_step_destroy_channel,
				     sizeof(struct uv_txn_destroy) },
	[UV_TXN_CHANGE_SLOT_LENGTH] = { resdb_step_change_slot_length,
					sizeof(struct uv_txn_slot_length) },
};

static const char *const err_names[RESDB_ERR_MAX] = {
	[RESDB_OK] = "ok",
	[RESDB_EINVAL] = "EINVAL: malformed step or argument",
	[RESDB_ENOMAP] = "ENOMAP: not the index page at that place in the map",
	[RESDB_EFROM] = "EFROM: entry does not hold the 'from' value",
	[RESDB_ENOTPART] = "ENOTPART: no such partition descriptor",
	[RESDB_ENOTFREE] = "ENOTFREE: not a free zeroed 4 KiB ultravisor page",
	[RESDB_ENOTUNIFORM] = "ENOTUNIFORM: merge of pages with different owners",
	[RESDB_EBUSY] = "EBUSY: still owns or is referenced by resources",
	[RESDB_EPSEUDO] = "EPSEUDO: built-in partition or control memory",
	[RESDB_ESELF] = "ESELF: descriptor page not owned by itself at commit",
	[RESDB_ENOPAGE] = "ENOPAGE: no memory behind a page",
	[RESDB_ELOGFULL] = "ELOGFULL: transaction does not fit in the log",
	[RESDB_ESTATE] = "ESTATE: not valid in this transaction state",
	[RESDB_ECUT] = "ECUT: transaction cut, recovery needed",
	[RESDB_ESTALE] = "ESTALE: log records already overwritten",
	[RESDB_EDIVERGED] = "EDIVERGED: replica differs from a before image",
	[RESDB_ECORRUPT] = "ECORRUPT: database invariant broken",
	[RESDB_ENOSPC] = "ENOSPC: buffer too small",
	[RESDB_EPARSE] = "EPARSE: text form error",
	[RESDB_ECPU] = "ECPU: CPU out of range or already described",
	[RESDB_EMISMATCH] = "EMISMATCH: result differs from expectation",
	[RESDB_EOWNER] = "EOWNER: descriptor page not owned by the ultravisor",
};

const char *resdb_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= RESDB_ERR_MAX || !err_names[err])
		return "unknown error";
	return err_names[err];
}

int resdb_err_by_name(const char *name, u64 len)
{
	int i;

	for (i = 1; i < RESDB_ERR_MAX; i++) {
		const char *n = err_names[i];

		if (!strncmp(n, name, len) && n[len] == ':')
			return i;
	}
	return -RESDB_EINVAL;
}

int resdb_init(struct resdb *db, const struct resdb_mem_ops *mem, void *mem_ctx,
	       void *log_buf, u64 log_size)
{
	if (!mem || !mem->page || !log_buf || log_size % 8 ||
	    log_size < 4 * RESDB_STAGE_SIZE)
		return -RESDB_EINVAL;
	memset(db, 0, sizeof(*db));
	db->mem = mem;
	db->mem_ctx = mem_ctx;
	db->log.buf = log_buf;
	db->log.size = log_size;
	db->log.first_seq = 1;
	db->log.next_seq = 1;
	return 0;
}

int resdb_attach(struct resdb *db, u64 base_pfn, u32 uv_index)
{
	const struct resdb_uv_index *uvi;

	if (db->attached || !resdb_is_number(uv_index) || base_pfn & RESDB_GMK)
		return -RESDB_EINVAL;
	uvi = resdb_page(db, base_pfn + uv_index);
	if (!uvi)
		return -RESDB_ENOPAGE;
	if (uvi->magic != RESDB_UVINDEX_MAGIC || uvi->me != uv_index || uvi->version != 1 ||
	    uvi->map_high != base_pfn || uvi->order < 2 || uvi->order > RESDB_SCALE_MAX ||
	    !resdb_is_number(uvi->map_low) || !resdb_is_number(uvi->ultra) ||
	    !resdb_is_number(uvi->avail) || !resdb_is_number(uvi->missing) ||
	    !resdb_is_number(uvi->idle) || !resdb_is_number(uvi->boot) ||
	    (uvi->host != UV_NONE && !resdb_is_number(uvi->host)) ||
	    uvi->nr_cpus > RESDB_MAX_CPUS)
		return -RESDB_ECORRUPT;
	db->base_pfn = base_pfn;
	db->uv_index = uv_index;
	db->order = uvi->order;
	db->top = uvi->map_low;
	db->ultra = uvi->ultra;
	db->avail = uvi->avail;
	db->missing = uvi->missing;
	db->idle = uvi->idle;
	db->boot = uvi->boot;
	db->host = uvi->host;
	db->attached = true;
	return 0;
}

/* ---- building a step record in db->stage ---- */

static void *stage_reserve(struct resdb *db, u32 len)
{
	u8 *p = (u8 *)db->stage + db->stage_len;

	if (db->stage_len + len + sizeof(struct uv_log_tail) > RESDB_STAGE_SIZE)
		return NULL;
	db->stage_len += len;
	return p;
}

int resdb_img_fill(struct resdb *db, u64 pfn, u32 offset, u32 count, u32 before,
		   u32 after)
{
	struct uv_log_rec *rec = (struct uv_log_rec *)db->stage;
	struct uv_log_img *img = stage_reserve(db, sizeof(*img));

	if (!img)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	memset(img, 0, sizeof(*img));
	img->kind = UV_IMG_FILL32;
	img->count = count;
	img->pfn = pfn;
	img->offset = offset;
	img->before = before;
	img->after = after;
	rec->nr_images++;
	return 0;
}

int resdb_img_bytes(struct resdb *db, u64 pfn, u32 offset, u32 len, const void *before,
		    const void *after)
{
	struct uv_log_rec *rec = (struct uv_log_rec *)db->stage;
	u32 padded = (len + 7) & ~7u;
	struct uv_log_img *img = stage_reserve(db, sizeof(*img) + 2 * padded);
	u8 *b;

	if (!img)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	memset(img, 0, sizeof(*img) + 2 * padded);
	img->kind = UV_IMG_BYTES;
	img->count = len;
	img->pfn = pfn;
	img->offset = offset;
	b = (u8 *)(img + 1);
	if (before)
		memcpy(b, before, len);
	if (after)
		memcpy(b + padded, after, len);
	rec->nr_images++;
	return 0;
}

/* A descriptor counter moves by delta; the counter lives in the descriptor's page. */
int resdb_img_counter(struct resdb *db, void *desc, u32 number, u64 *field, s64 delta)
{
	u64 before = *field, after = before + (u64)delta;

	if ((delta < 0 && after > before) || (delta > 0 && after < before))
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, 0, number);
	return resdb_img_bytes(db, resdb_pfn(db, number), (u8 *)field - (u8 *)desc,
			       sizeof(*field), &before, &after);
}

int resdb_img_counter32(struct resdb *db, void *desc, u32 number, u32 *field, s32 delta)
{
	u32 before = *field, after = before + (u32)delta;

	if ((delta < 0 && after > before) || (delta > 0 && after < before))
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, 0, number);
	return resdb_img_fill(db, resdb_pfn(db, number), (u8 *)field - (u8 *)desc, 1,
			      before, after);
}

/* ---- transaction control ---- */

static int rollback_and_abort(struct resdb *db, int code, u32 step)
{
	struct resdb_error err = db->err;
	int ret;

	ret = resdb_txn_rollback(db);
	if (ret) {
		db->cut = true;
		return ret;
	}
	ret = resdb_log_mark(db, UV_LOG_ABORT, code, step);
	db->in_txn = false;
	db->err = err;
	return ret;
}

int resdb_txn_begin_tagged(struct resdb *db, u64 tag)
{
	int ret;

	if (!db->attached || db->in_txn || db->cut)
		return -RESDB_ESTATE;
	memset(&db->err, 0, sizeof(db->err));
	db->txn_pos = db->log.head;
	db->txn_seq = db->log.next_seq;
	db->txn_tag = tag;
	ret = resdb_log_mark(db, UV_LOG_BEGIN, 0, 0);
	if (ret)
		return ret;
	db->in_txn = true;
	db->txn_steps = 0;
	return 0;
}

int resdb_txn_begin(struct resdb *db)
{
	return resdb_txn_begin_tagged(db, 0);
}

static int step_shape(const struct uv_txn_step *s)
{
	u32 i;

	if (s->op < 1 || s->op > UV_TXN_OP_MAX || s->flags)
		return -RESDB_EINVAL;
	for (i = steps[s->op].size; i < sizeof(s->raw); i++)
		if (s->raw[i])
			return -RESDB_EINVAL;
	return 0;
}

int resdb_txn_step(struct resdb *db, const struct uv_txn_step *step)
{
	struct uv_log_rec *rec = (struct uv_log_rec *)db->stage;
	struct uv_txn_step *s = resdb_rec_step(rec);
	struct uv_log_tail *tail;
	u32 limit = UV_NONE;
	int ret;

	if (!db->in_txn || db->cut)
		return -RESDB_ESTATE;
	memset(&db->err, 0, sizeof(db->err));
	db->err.step = db->txn_steps;
	memset(rec, 0, sizeof(*rec));
	rec->type = UV_LOG_STEP;
	rec->status = db->txn_steps;
	rec->txn = db->txn_seq;
	*s = *step;
	db->stage_len = sizeof(*rec) + sizeof(*s);

	ret = step_shape(s);
	if (ret)
		resdb_fail(db, -ret, UV_NONE, 0, 0);
	else
		ret = steps[s->op].fn(db, s);
	if (ret)
		goto abort;
	tail = stage_reserve(db, sizeof(*tail));
	tail->size = db->stage_len;
	tail->magic = UV_LOG_TAIL_MAGIC;
	rec->size = db->stage_len;

	ret = resdb_log_append(db, rec);
	if (ret) {
		resdb_fail(db, -ret, UV_NONE, 0, 0);
		goto abort;
	}
	if (db->fault.armed && db->fault.step == db->txn_steps)
		limit = db->fault.images;
	ret = resdb_rec_redo(db, rec, limit, false);
	if (ret || limit < rec->nr_images) {
		/* the machine "died" here: only resdb_recover() may run now */
		db->fault.armed = false;
		db->cut = true;
		return ret ? ret : -RESDB_ECUT;
	}
	db->txn_steps++;
	return 0;
abort:
	db->err.code = -ret;
	db->err.step = db->txn_steps;
	rollback_and_abort(db, -ret, db->txn_steps);
	return ret;
}

/* Rules that may be broken between steps but not at commit. */
static int commit_check_one(struct resdb *db, u32 number)
{
	struct resdb_loc loc = { .value = UV_NONE };

	number &= ~RESDB_CTRL;
	if (!resdb_part(db, number))
		return 0;
	if (resdb_map_walk(db, 1, resdb_pfn(db, number), &loc) || loc.value != number)
		return resdb_fail(db, RESDB_ESELF, UV_NONE, number, loc.value);
	return 0;
}

static int commit_check(struct resdb *db)
{
	struct uv_log_rec h;
	struct uv_txn_step s;
	u64 pos = db->txn_pos;
	int ret = 0;

	while (pos < db->log.head && !ret) {
		resdb_log_copy_out(&db->log, pos, &h, sizeof(h));
		if (h.type == UV_LOG_STEP) {
			resdb_log_copy_out(&db->log, pos + sizeof(h), &s, sizeof(s));
			db->err.step = h.status;
			if (s.op == UV_TXN_CHANGE_OWNER) {
				ret = commit_check_one(db, s.change_owner.from);
				if (!ret)
					ret = commit_check_one(db, s.change_owner.to);
			} else if (s.op == UV_TXN_INIT_PARTITION) {
				ret = commit_check_one(db, s.partition.number);
			}
		}
		pos += h.size;
	}
	return ret;
}

int resdb_txn_commit(struct resdb *db)
{
	int ret;

	if (!db->in_txn || db->cut)
		return -RESDB_ESTATE;
	ret = commit_check(db);
	if (ret) {
		rollback_and_abort(db, -ret, db->err.step);
		return ret;
	}
	ret = resdb_log_mark(db, UV_LOG_COMMIT, 0, 0);
	if (ret)
		return ret;
	db->in_txn = false;
	return 0;
}

int resdb_txn_abort(struct resdb *db)
{
	if (!db->in_txn || db->cut)
		return -RESDB_ESTATE;
	return rollback_and_abort(db, 0, db->txn_steps);
}

int resdb_recover(struct resdb *db)
{
	int ret;

	if (!db->in_txn)
		return 0;
	db->cut = false;
	ret = rollback_and_abort(db, RESDB_ECUT, db->txn_steps);
	if (ret)
		db->cut = true;
	return ret;
}

int resdb_apply_tagged(struct resdb *db, const struct uv_txn_step *s, u32 nr, u64 tag)
{
	u32 i;
	int ret;

	ret = resdb_txn_begin_tagged(db, tag);
	for (i = 0; !ret && i < nr; i++)
		ret = resdb_txn_step(db, &s[i]);
	if (!ret)
		ret = resdb_txn_commit(db);
	return ret;
}

int resdb_apply(struct resdb *db, const struct uv_txn_step *s, u32 nr)
{
	return resdb_apply_tagged(db, s, nr, 0);
}
