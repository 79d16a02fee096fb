// SPDX-License-Identifier: GPL-2.0
/*
 * The fractal map ([0197]-[0221]): a 1024-ary tree of 4 KiB index pages. An entry
 * of scale s describes 1024^(s-1) pages of 4 KiB: sign bit clear, it is the owner's
 * partition number; sign bit set, it refers to the index page that divides it at
 * scale s-1 ([0215]). The top page has scale "Order" ([0218]).
 *
 * An entry is named by (scale, number): number is the page number at that scale,
 * pfn >> 10 * (scale - 1). An index page of scale s holding entries
 * [1024 * f, 1024 * f + 1023] is at "frame" f; it is the child of entry f of scale
 * s + 1.
 */
#include "resdb/internal.h"

u32 *resdb_index_page(const struct resdb *db, u32 gmk)
{
	return resdb_page(db, resdb_pfn(db, gmk));
}

/* Entries of scale s the map has: 1024^(order - s + 1). */
static bool number_in_map(const struct resdb *db, u32 scale, u64 number)
{
	u32 shift = 10 * (db->order - scale + 1);

	return shift >= 64 || number < (1ull << shift);
}

/*
 * Walk from the top toward entry (scale, number). Stops at the wanted scale or at
 * the first entry that is not a reference (a larger page owns the number).
 */
int resdb_map_walk(const struct resdb *db, u32 scale, u64 number, struct resdb_loc *loc)
{
	u32 cur = db->order;
	u32 gmk = db->top;

	if (scale < 1 || scale > db->order || !number_in_map(db, scale, number))
		return -RESDB_EINVAL;
	for (;;) {
		u32 *page = resdb_index_page(db, gmk);
		u32 idx, e;

		if (!page)
			return -RESDB_ENOPAGE;
		idx = (number >> (10 * (cur - scale))) & (RESDB_ENTRIES - 1);
		e = page[idx];
		if (cur == scale || !(e & RESDB_REF)) {
			loc->entry = &page[idx];
			loc->value = e;
			loc->scale = cur;
			loc->page = gmk;
			loc->index = idx;
			return 0;
		}
		/* a reference never has S, and 4 KiB pages cannot be divided */
		if ((e & RESDB_CTRL) || cur == 1)
			return -RESDB_ECORRUPT;
		gmk = e & RESDB_GMK;
		cur--;
	}
}

/* Depth-first search for index page gmk; the map is small ([0203]: need not be fast). */
int resdb_map_find(const struct resdb *db, u32 gmk, u32 *scale, u64 *frame)
{
	const u32 *page[RESDB_SCALE_MAX + 1];
	u64 fr[RESDB_SCALE_MAX + 1];
	u32 idx[RESDB_SCALE_MAX + 1];
	u32 s = db->order;

	if (gmk == db->top) {
		*scale = db->order;
		*frame = 0;
		return 0;
	}
	page[s] = resdb_index_page(db, db->top);
	if (!page[s])
		return -RESDB_ENOPAGE;
	fr[s] = 0;
	idx[s] = 0;
	while (s <= db->order) {
		u32 e;

		if (idx[s] == RESDB_ENTRIES) {
			s++;
			continue;
		}
		e = page[s][idx[s]++];
		if (!(e & RESDB_REF) || s == 1)
			continue;
		if ((e & RESDB_GMK) == (gmk & RESDB_GMK)) {
			*scale = s - 1;
			*frame = fr[s] * RESDB_ENTRIES + idx[s] - 1;
			return 0;
		}
		if (s == 2)
			continue;	/* children of scale 1 hold no references */
		page[s - 1] = resdb_index_page(db, e & RESDB_GMK);
		if (!page[s - 1])
			return -RESDB_ENOPAGE;
		fr[s - 1] = fr[s] * RESDB_ENTRIES + idx[s] - 1;
		idx[s - 1] = 0;
		s--;
	}
	return -RESDB_ENOMAP;
}

/*
 * Resolve a step's Map[G,M,K]: with a scale, check the walk arrives at that page (the
 * reference is part of the before image); without one, search and fill it in.
 */
int resdb_map_locate(struct resdb *db, struct uv_txn_at *at)
{
	struct resdb_loc loc;
	u32 scale;
	u64 frame;
	int ret;

	if (!resdb_is_number(at->map) || at->first > at->last ||
	    at->last >= RESDB_ENTRIES || at->pad0 || at->pad1 || at->pad2)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (!at->scale) {
		ret = resdb_map_find(db, at->map, &scale, &frame);
		if (ret)
			return resdb_fail(db, -ret, UV_NONE, at->map, 0);
		at->scale = scale;
		at->frame = frame;
		return 0;
	}
	if (at->scale > db->order)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (at->scale == db->order) {
		if (at->frame || at->map != db->top)
			return resdb_fail(db, RESDB_ENOMAP, UV_NONE, at->map, db->top);
		return 0;
	}
	ret = resdb_map_walk(db, at->scale + 1, at->frame, &loc);
	if (ret == -RESDB_EINVAL)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (ret)
		return resdb_fail(db, -ret, UV_NONE, 0, 0);
	if (loc.scale != at->scale + 1u || loc.value != (RESDB_REF | at->map))
		return resdb_fail(db, RESDB_ENOMAP, UV_NONE, RESDB_REF | at->map, loc.value);
	return 0;
}

int resdb_map_visit_index(const struct resdb *db,
			  int (*fn)(void *ctx, u32 gmk, u32 scale, u64 frame, const u32 *page),
			  void *ctx)
{
	const u32 *page[RESDB_SCALE_MAX + 1];
	u64 fr[RESDB_SCALE_MAX + 1];
	u32 idx[RESDB_SCALE_MAX + 1];
	u32 s = db->order;
	int ret;

	page[s] = resdb_index_page(db, db->top);
	if (!page[s])
		return -RESDB_ENOPAGE;
	fr[s] = 0;
	idx[s] = 0;
	ret = fn(ctx, db->top, s, 0, page[s]);
	if (ret)
		return ret;
	while (s <= db->order) {
		u32 e, child;

		if (idx[s] == RESDB_ENTRIES) {
			s++;
			continue;
		}
		e = page[s][idx[s]++];
		if (!(e & RESDB_REF))
			continue;
		if (s == 1 || (e & RESDB_CTRL))
			return -RESDB_ECORRUPT;
		child = e & RESDB_GMK;
		page[s - 1] = resdb_index_page(db, child);
		if (!page[s - 1])
			return -RESDB_ENOPAGE;
		fr[s - 1] = fr[s] * RESDB_ENTRIES + idx[s] - 1;
		idx[s - 1] = 0;
		ret = fn(ctx, child, s - 1, fr[s - 1], page[s - 1]);
		if (ret)
			return ret;
		s--;
	}
	return 0;
}

/* Every entry that is not a reference, in address order. */
int resdb_map_visit_leaves(const struct resdb *db,
			   int (*fn)(void *ctx, u64 pfn, u32 scale, u32 value, u32 page,
				     u32 index),
			   void *ctx)
{
	const u32 *page[RESDB_SCALE_MAX + 1];
	u32 gmk[RESDB_SCALE_MAX + 1];
	u64 fr[RESDB_SCALE_MAX + 1];
	u32 idx[RESDB_SCALE_MAX + 1];
	u32 s = db->order;
	int ret;

	gmk[s] = db->top;
	page[s] = resdb_index_page(db, db->top);
	if (!page[s])
		return -RESDB_ENOPAGE;
	fr[s] = 0;
	idx[s] = 0;
	while (s <= db->order) {
		u32 i, e;

		if (idx[s] == RESDB_ENTRIES) {
			s++;
			continue;
		}
		i = idx[s]++;
		e = page[s][i];
		if (!(e & RESDB_REF)) {
			ret = fn(ctx, (fr[s] * RESDB_ENTRIES + i) * resdb_scale_pages(s), s, e,
				 gmk[s], i);
			if (ret)
				return ret;
			continue;
		}
		if (s == 1 || (e & RESDB_CTRL))
			return -RESDB_ECORRUPT;
		gmk[s - 1] = e & RESDB_GMK;
		page[s - 1] = resdb_index_page(db, gmk[s - 1]);
		if (!page[s - 1])
			return -RESDB_ENOPAGE;
		fr[s - 1] = fr[s] * RESDB_ENTRIES + i;
		idx[s - 1] = 0;
		s--;
	}
	return 0;
}
