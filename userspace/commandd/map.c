// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the fractal map ([0197]-[0221]) of a replica: the index pages, where a
 * page frame's owning entry sits, and how much "available" holds at each scale.
 * Only what uapi/linux/ultravisor_txn.h defines is used: an entry with
 * UV_ENTRY_REF refers to the index page of the next smaller scale; any other entry
 * is its owner's number (with UV_ENTRY_CTRL for control memory).
 */
#include <errno.h>
#include <string.h>

#include "commandd.h"

static const u32 *ipage(const struct resdb *db, u32 gmk)
{
	return db->mem->page(db->mem_ctx, db->base_pfn + (gmk & UV_ENTRY_GMK));
}

u64 cmdd_entry_pfn(u32 scale, u64 frame, u32 index)
{
	return (frame * RESDB_ENTRIES + index) << (10 * (scale - 1));
}

u32 cmdd_pfn_gmk(const struct resdb *db, u64 pfn)
{
	return (u32)(pfn - db->base_pfn) & UV_ENTRY_GMK;
}

static int visit(const struct resdb *db, struct cmdd_ipage *p, cmdd_ipage_fn fn, void *ctx)
{
	u32 i;
	int ret;

	p->e = ipage(db, p->gmk);
	if (!p->e)
		return -ENOMEM;
	ret = fn(ctx, p);
	if (ret || p->scale == 1)
		return ret;
	for (i = 0; i < RESDB_ENTRIES; i++) {
		struct cmdd_ipage c;

		if (!(p->e[i] & UV_ENTRY_REF))
			continue;
		c.gmk = p->e[i] & UV_ENTRY_GMK;
		c.scale = p->scale - 1;
		c.frame = p->frame * RESDB_ENTRIES + i;
		c.parent = p->gmk;
		c.parent_index = i;
		ret = visit(db, &c, fn, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int cmdd_map_visit(const struct resdb *db, cmdd_ipage_fn fn, void *ctx)
{
	struct cmdd_ipage top = { .gmk = db->top, .scale = db->order, .frame = 0,
				  .parent = UV_NONE, .parent_index = 0 };

	if (!db->attached)
		return -ENODATA;
	return visit(db, &top, fn, ctx);
}

int cmdd_map_lookup(const struct resdb *db, u64 pfn, struct cmdd_ipage *page, u32 *index,
		    u32 *value)
{
	struct cmdd_ipage p = { .gmk = db->top, .scale = db->order, .frame = 0,
				.parent = UV_NONE };

	if (!db->attached)
		return -ENODATA;
	if (db->order < RESDB_SCALE_MAX && pfn >> (10 * db->order))
		return -ERANGE;
	for (;;) {
		u32 i = (u32)(pfn >> (10 * (p.scale - 1))) & (RESDB_ENTRIES - 1);
		u32 v;

		p.e = ipage(db, p.gmk);
		if (!p.e)
			return -ENOMEM;
		v = p.e[i];
		if (!(v & UV_ENTRY_REF) || p.scale == 1) {
			*page = p;
			*index = i;
			*value = v;
			return 0;
		}
		p.parent = p.gmk;
		p.parent_index = i;
		p.gmk = v & UV_ENTRY_GMK;
		p.frame = p.frame * RESDB_ENTRIES + i;
		p.scale--;
	}
}

bool cmdd_entry_free(const struct cmdd_ipage *p, u32 i, u32 avail, u64 avail_pfn)
{
	return p->e[i] == avail && (p->scale != 1 || cmdd_entry_pfn(1, p->frame, i) != avail_pfn);
}

struct stats_ctx {
	const struct resdb *db;
	struct cmdd_map_stats *st;
};

static int stats_page(void *ctx, const struct cmdd_ipage *p)
{
	struct stats_ctx *s = ctx;
	u32 i;

	s->st->index_pages[p->scale]++;
	for (i = 0; i < RESDB_ENTRIES; i++) {
		if (!cmdd_entry_free(p, i, s->db->avail, s->db->base_pfn + s->db->avail))
			continue;
		s->st->free_entries[p->scale]++;
		s->st->free_pages += 1ull << (10 * (p->scale - 1));
	}
	return 0;
}

int cmdd_map_stats(const struct resdb *db, struct cmdd_map_stats *st)
{
	struct stats_ctx s = { .db = db, .st = st };

	memset(st, 0, sizeof(*st));
	return cmdd_map_visit(db, stats_page, &s);
}
