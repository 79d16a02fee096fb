// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log ([0156]-[0165], [0098], [0099]): a ring of records with sequence
 * numbers in memory the embedder supplies. A step's record, with the before and
 * after image of every word it writes, is in the ring before the step touches the
 * database; so a transaction cut anywhere is undone from the ring alone, and a
 * replica that applies the records reproduces the database.
 *
 * Offsets are monotonic byte counts; the ring position is offset % size. Records of
 * the open transaction are never overwritten; older records are, oldest first, and
 * a reader asking for them is told to take a snapshot (-RESDB_ESTALE).
 */
#include "resdb/internal.h"

#define ABORT_SIZE	RESDB_REC_MIN

static void ring_put(struct resdb_log *log, u64 pos, const void *src, u64 len)
{
	u64 off = pos % log->size;
	u64 n = len < log->size - off ? len : log->size - off;

	memcpy(log->buf + off, src, n);
	memcpy(log->buf, (const u8 *)src + n, len - n);
}

void resdb_log_copy_out(const struct resdb_log *log, u64 pos, void *dst, u64 len)
{
	u64 off = pos % log->size;
	u64 n = len < log->size - off ? len : log->size - off;

	memcpy(dst, log->buf + off, n);
	memcpy((u8 *)dst + n, log->buf, len - n);
}

/* Drop the oldest records until len more bytes fit. */
static void ring_make_room(struct resdb_log *log, u64 len)
{
	while (log->head + len - log->tail > log->size) {
		struct uv_log_rec h;

		resdb_log_copy_out(log, log->tail, &h, sizeof(h));
		log->tail += h.size;
		log->first_seq++;
	}
}

int resdb_log_append(struct resdb *db, struct uv_log_rec *rec)
{
	struct resdb_log *log = &db->log;
	u64 need = rec->size;

	/* the open transaction, this record and its abort must all stay in the ring */
	if (db->in_txn && rec->type != UV_LOG_ABORT && rec->type != UV_LOG_COMMIT)
		need += ABORT_SIZE;
	if (db->in_txn && log->head + need - db->txn_pos > log->size)
		return -RESDB_ELOGFULL;
	if (need > log->size)
		return -RESDB_ELOGFULL;
	rec->seq = log->next_seq;
	ring_make_room(log, rec->size);
	ring_put(log, log->head, rec, rec->size);
	log->head += rec->size;
	log->next_seq++;
	return 0;
}

/* BEGIN, COMMIT and ABORT records: header and tail only; a BEGIN carries the tag. */
int resdb_log_mark(struct resdb *db, u16 type, u32 status, u32 aux)
{
	struct {
		struct uv_log_rec rec;
		struct uv_log_tail tail;
	} m;

	memset(&m, 0, sizeof(m));
	m.rec.size = sizeof(m);
	m.rec.type = type;
	if (type == UV_LOG_BEGIN) {
		m.rec.tag = db->txn_tag;
	} else {
		m.rec.status = status;
		m.rec.aux = aux;
	}
	m.rec.txn = type == UV_LOG_BEGIN ? db->log.next_seq : db->txn_seq;
	m.tail.size = sizeof(m);
	m.tail.magic = UV_LOG_TAIL_MAGIC;
	return resdb_log_append(db, &m.rec);
}

static u64 img_size(const struct uv_log_img *img)
{
	if (img->kind == UV_IMG_BYTES)
		return sizeof(*img) + 2 * (((u64)img->count + 7) & ~7ull);
	return sizeof(*img);
}

/* Structure of one record of len bytes (it may come from another machine). */
int resdb_rec_check(const struct uv_log_rec *rec, u64 len)
{
	const struct uv_log_tail *tail;
	const u8 *p, *end;
	u32 i;

	if (len < RESDB_REC_MIN || rec->size < RESDB_REC_MIN || rec->size > len ||
	    rec->size % 8 || rec->size > RESDB_STAGE_SIZE)
		return -RESDB_ECORRUPT;
	tail = (const void *)((const u8 *)rec + rec->size - sizeof(*tail));
	if (tail->size != rec->size || tail->magic != UV_LOG_TAIL_MAGIC)
		return -RESDB_ECORRUPT;
	if (rec->type < UV_LOG_BEGIN || rec->type > UV_LOG_ABORT)
		return -RESDB_ECORRUPT;
	if (rec->type != UV_LOG_STEP)
		return rec->size == RESDB_REC_MIN && !rec->nr_images ? 0 : -RESDB_ECORRUPT;
	p = (const u8 *)(rec + 1) + sizeof(struct uv_txn_step);
	end = (const u8 *)tail;
	if (p > end)
		return -RESDB_ECORRUPT;
	for (i = 0; i < rec->nr_images; i++) {
		const struct uv_log_img *img = (const void *)p;

		if ((u64)(end - p) < sizeof(*img) || img->pad || !img->count ||
		    img->offset >= RESDB_PAGE_SIZE)
			return -RESDB_ECORRUPT;
		if (img->kind == UV_IMG_FILL32) {
			if (img->offset % 4 ||
			    img->count > (RESDB_PAGE_SIZE - img->offset) / 4)
				return -RESDB_ECORRUPT;
		} else if (img->kind == UV_IMG_BYTES) {
			if (img->count > RESDB_PAGE_SIZE - img->offset || img->before ||
			    img->after)
				return -RESDB_ECORRUPT;
		} else {
			return -RESDB_ECORRUPT;
		}
		if ((u64)(end - p) < img_size(img))
			return -RESDB_ECORRUPT;
		p += img_size(img);
	}
	return p == end ? 0 : -RESDB_ECORRUPT;
}

static const struct uv_log_img *first_img(const struct uv_log_rec *rec)
{
	return (const void *)((const u8 *)(rec + 1) + sizeof(struct uv_txn_step));
}

static const struct uv_log_img *next_img(const struct uv_log_img *img)
{
	return (const void *)((const u8 *)img + img_size(img));
}

static u8 *img_target(struct resdb *db, const struct uv_log_img *img)
{
	u8 *page;

	/* images only ever address the database window */
	if (img->pfn < db->base_pfn || img->pfn - db->base_pfn > RESDB_GMK)
		return NULL;
	page = resdb_page(db, img->pfn);
	return page ? page + img->offset : NULL;
}

static bool img_holds(const struct uv_log_img *img, const u8 *at, bool after)
{
	const u8 *bytes = (const u8 *)(img + 1);
	u32 want = after ? img->after : img->before;
	u32 i;

	if (img->kind == UV_IMG_BYTES)
		return !memcmp(at, bytes + (after ? (img->count + 7) / 8 * 8 : 0), img->count);
	for (i = 0; i < img->count; i++)
		if (((const u32 *)at)[i] != want)
			return false;
	return true;
}

static void img_write(const struct uv_log_img *img, u8 *at, bool after)
{
	const u8 *bytes = (const u8 *)(img + 1);
	u32 val = after ? img->after : img->before;
	u32 i;

	if (img->kind == UV_IMG_BYTES) {
		memcpy(at, bytes + (after ? (img->count + 7) / 8 * 8 : 0), img->count);
		return;
	}
	for (i = 0; i < img->count; i++)
		((u32 *)at)[i] = val;
}

/*
 * Write the after images of a checked record, the first "limit" of them. verify:
 * first check every before image (a replica must be where the master was).
 */
int resdb_rec_redo(struct resdb *db, const struct uv_log_rec *rec, u32 limit, bool verify)
{
	const struct uv_log_img *img;
	u32 i;

	if (verify) {
		for (i = 0, img = first_img(rec); i < rec->nr_images; i++, img = next_img(img)) {
			u8 *at = img_target(db, img);

			if (!at)
				return -RESDB_ENOPAGE;
			if (!img_holds(img, at, false))
				return -RESDB_EDIVERGED;
		}
	}
	for (i = 0, img = first_img(rec); i < rec->nr_images && i < limit;
	     i++, img = next_img(img)) {
		u8 *at = img_target(db, img);

		if (!at)
			return -RESDB_ENOPAGE;
		img_write(img, at, true);
	}
	return 0;
}

/* Write the before images, last first. Idempotent: a cut step undoes the same. */
int resdb_rec_undo(struct resdb *db, const struct uv_log_rec *rec)
{
	const struct uv_log_img *img[RESDB_STAGE_SIZE / sizeof(struct uv_log_img)];
	const struct uv_log_img *p = first_img(rec);
	u32 i, n = rec->nr_images;

	if (n > ARRAY_SIZE(img))
		return -RESDB_ECORRUPT;
	for (i = 0; i < n; i++, p = next_img(p))
		img[i] = p;
	while (n--) {
		u8 *at = img_target(db, img[n]);

		if (!at)
			return -RESDB_ENOPAGE;
		img_write(img[n], at, false);
	}
	return 0;
}

/* Undo every step of the open transaction, newest first, from the ring. */
int resdb_txn_rollback(struct resdb *db)
{
	struct resdb_log *log = &db->log;
	struct uv_log_rec *rec = (struct uv_log_rec *)db->stage;
	u64 pos = log->head;
	int ret;

	while (pos > db->txn_pos) {
		struct uv_log_tail tail;

		resdb_log_copy_out(log, pos - sizeof(tail), &tail, sizeof(tail));
		if (tail.magic != UV_LOG_TAIL_MAGIC || tail.size > RESDB_STAGE_SIZE ||
		    tail.size < RESDB_REC_MIN || tail.size > pos - db->txn_pos)
			return -RESDB_ECORRUPT;
		pos -= tail.size;
		resdb_log_copy_out(log, pos, rec, tail.size);
		if (rec->type == UV_LOG_BEGIN)
			break;
		if (rec->type == UV_LOG_STEP) {
			ret = resdb_rec_undo(db, rec);
			if (ret)
				return ret;
		}
	}
	return 0;
}

u64 resdb_log_first_seq(const struct resdb *db)
{
	return db->log.first_seq;
}

u64 resdb_log_next_seq(const struct resdb *db)
{
	return db->log.next_seq;
}

int resdb_log_read(const struct resdb *db, u64 from, void *buf, u64 len, u64 *out_len,
		   u64 *next)
{
	const struct resdb_log *log = &db->log;
	u64 pos = log->tail, seq = log->first_seq, out = 0;
	struct uv_log_rec h;

	*out_len = 0;
	*next = from;
	if (from < log->first_seq)
		return -RESDB_ESTALE;
	if (from > log->next_seq)
		return -RESDB_EINVAL;
	for (; seq < log->next_seq; seq++) {
		resdb_log_copy_out(log, pos, &h, sizeof(h));
		if (seq >= from) {
			if (out + h.size > len)
				break;
			resdb_log_copy_out(log, pos, (u8 *)buf + out, h.size);
			out += h.size;
		}
		pos += h.size;
	}
	if (!out && seq < log->next_seq)
		return -RESDB_ENOSPC;
	*out_len = out;
	*next = seq;
	return 0;
}
