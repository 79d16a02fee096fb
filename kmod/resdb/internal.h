/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the resdb sources; not part of the embedder's API. */
#ifndef RESDB_INTERNAL_H
#define RESDB_INTERNAL_H

#include "resdb/resdb.h"

#define RESDB_REF	UV_ENTRY_REF
#define RESDB_CTRL	UV_ENTRY_CTRL
#define RESDB_GMK	UV_ENTRY_GMK

static inline int resdb_fail(struct resdb *db, int code, u32 index, u32 expected,
			     u32 found)
{
	db->err.code = code;
	db->err.index = index;
	db->err.expected = expected;
	db->err.found = found;
	return -code;
}

static inline void *resdb_page(const struct resdb *db, u64 pfn)
{
	return db->mem->page(db->mem_ctx, pfn);
}

static inline u64 resdb_pfn(const struct resdb *db, u32 gmk)
{
	return db->base_pfn + (gmk & RESDB_GMK);
}

/* 4 KiB pages covered by one entry of scale s (Figure 7: s = 1 is 4 KiB). */
static inline u64 resdb_scale_pages(u32 scale)
{
	return 1ull << (10 * (scale - 1));
}

/* A [G,M,K] number: neither the reference bit nor S. */
static inline bool resdb_is_number(u32 v)
{
	return !(v & (RESDB_REF | RESDB_CTRL));
}

static inline bool resdb_page_is_zero(const void *page)
{
	const u64 *w = page;
	u32 i;

	for (i = 0; i < RESDB_PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* ---- map.c ---- */

/* Where a walk toward (scale, number) stopped. */
struct resdb_loc {
	u32 *entry;		/* the entry that decides ownership */
	u32 value;		/* its value */
	u32 scale;		/* its scale: the wanted one, or larger if not split */
	u32 page;		/* [G,M,K] of the index page holding it */
	u32 index;		/* its index in that page */
};

int resdb_map_walk(const struct resdb *db, u32 scale, u64 number, struct resdb_loc *loc);
int resdb_map_locate(struct resdb *db, struct uv_txn_at *at);
int resdb_map_find(const struct resdb *db, u32 page, u32 *scale, u64 *frame);
u32 *resdb_index_page(const struct resdb *db, u32 gmk);

/* Iterate every index page, parent before children, entries in address order. */
int resdb_map_visit_index(const struct resdb *db,
			  int (*fn)(void *ctx, u32 gmk, u32 scale, u64 frame, const u32 *page),
			  void *ctx);
/* Every owner entry (not a reference) in address order; pfn is its first page. */
int resdb_map_visit_leaves(const struct resdb *db,
			   int (*fn)(void *ctx, u64 pfn, u32 scale, u32 value, u32 page,
				     u32 index),
			   void *ctx);

/* ---- descriptors.c ---- */

struct resdb_partition *resdb_part(const struct resdb *db, u32 number);
struct resdb_processor *resdb_proc(const struct resdb *db, u32 number);
struct resdb_channel *resdb_chan(const struct resdb *db, u32 number);
struct resdb_uv_index *resdb_uvi(const struct resdb *db);
bool resdb_is_builtin(const struct resdb *db, u32 number);
int resdb_free_page(struct resdb *db, u32 number, struct resdb_loc *loc);

/* ---- record building (txn.c) ---- */

int resdb_img_fill(struct resdb *db, u64 pfn, u32 offset, u32 count, u32 before,
		   u32 after);
int resdb_img_bytes(struct resdb *db, u64 pfn, u32 offset, u32 len, const void *before,
		    const void *after);
int resdb_img_counter(struct resdb *db, void *desc, u32 number, u64 *field, s64 delta);
int resdb_img_counter32(struct resdb *db, void *desc, u32 number, u32 *field, s32 delta);

/* ---- steps (step_map.c, step_partition.c, step_processor.c, step_channel.c) ---- */

int resdb_step_change_owner(struct resdb *db, struct uv_txn_step *s);
int resdb_step_split(struct resdb *db, struct uv_txn_step *s);
int resdb_step_merge(struct resdb *db, struct uv_txn_step *s);
int resdb_step_init_partition(struct resdb *db, struct uv_txn_step *s);
int resdb_step_destroy_partition(struct resdb *db, struct uv_txn_step *s);
int resdb_step_init_processor(struct resdb *db, struct uv_txn_step *s);
int resdb_step_change_schedule(struct resdb *db, struct uv_txn_step *s);
int resdb_step_destroy_processor(struct resdb *db, struct uv_txn_step *s);
int resdb_step_change_slot_length(struct resdb *db, struct uv_txn_step *s);
int resdb_step_init_channel(struct resdb *db, struct uv_txn_step *s);
int resdb_step_change_server(struct resdb *db, struct uv_txn_step *s);
int resdb_step_destroy_channel(struct resdb *db, struct uv_txn_step *s);

/* ---- log.c ---- */

#define RESDB_REC_MIN	(sizeof(struct uv_log_rec) + sizeof(struct uv_log_tail))

int resdb_log_append(struct resdb *db, struct uv_log_rec *rec);
void resdb_log_copy_out(const struct resdb_log *log, u64 pos, void *dst, u64 len);
int resdb_rec_check(const struct uv_log_rec *rec, u64 len);
int resdb_rec_redo(struct resdb *db, const struct uv_log_rec *rec, u32 limit, bool verify);
int resdb_rec_undo(struct resdb *db, const struct uv_log_rec *rec);
int resdb_txn_rollback(struct resdb *db);
int resdb_log_mark(struct resdb *db, u16 type, u32 status, u32 aux);

static inline struct uv_txn_step *resdb_rec_step(const struct uv_log_rec *rec)
{
	return (struct uv_txn_step *)(rec + 1);
}

#endif /* RESDB_INTERNAL_H */
