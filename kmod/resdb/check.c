// SPDX-License-Identifier: GPL-2.0
/*
 * resdb_check(): the database invariant, checked from nothing but the image.
 *
 *  - the ultravisor index is sane and the map has 1024^Order pages ([0218]);
 *  - every page has exactly one owner: each entry is an owner or a reference, each
 *    index page is referenced once and is ultravisor control memory ([0197]);
 *  - every number in the map names a partition descriptor owned by itself ([0215]),
 *    and no descriptor hides in a page the ultravisor owns;
 *  - every 4 KiB page of ultravisor control memory is an index page, the ultravisor
 *    index, or a processor or channel descriptor;
 *  - per-partition counters (pages, schedule slots, channels) equal the map and the
 *    descriptors; pseudo partitions have no processor slots ([0216]).
 *
 * The caller supplies scratch memory (resdb_check_scratch_size()) for a hash table of
 * the partitions and index pages seen, so the checker allocates nothing.
 */
#include "resdb/internal.h"

#define F_INDEX		1u	/* key is an index page */
#define F_SELF		2u	/* partition: its descriptor page owned by itself */

struct slot {
	u32 key;
	u32 flags;
	u64 pages;
	u32 slots;
	u32 channels;
};

struct check {
	const struct resdb *db;
	struct resdb_check_report *rep;
	struct slot *tab;
	u64 cap;		/* power of two */
	u64 used;
	u32 ctrl_pages;
	u32 last_owner;
	struct slot *last;
};

static int broken(struct check *c, const char *what, u32 a, u32 b)
{
	static const char hex[] = "0123456789abcdef";
	char *m = c->rep->msg;
	u32 n = 0, i, v[2] = { a, b };

	while (what[n] && n < sizeof(c->rep->msg) - 24) {
		m[n] = what[n];
		n++;
	}
	for (i = 0; i < 2; i++) {
		u32 d;

		m[n++] = ' ';
		for (d = 0; d < 8; d++)
			m[n++] = hex[(v[i] >> (28 - 4 * d)) & 15];
	}
	m[n] = 0;
	return -RESDB_ECORRUPT;
}

static struct slot *lookup(struct check *c, u32 key, bool add)
{
	u64 h = ((u64)key * 0x9e3779b97f4a7c15ull) >> 20;

	for (;; h++) {
		struct slot *s = &c->tab[h & (c->cap - 1)];

		if (s->key == key)
			return s;
		if (s->key == UV_NONE) {
			if (!add || 2 * (c->used + 1) > c->cap)
				return NULL;
			c->used++;
			s->key = key;
			return s;
		}
	}
}

static int see_index(void *ctx, u32 gmk, u32 scale, u64 frame, const u32 *page)
{
	struct check *c = ctx;
	struct resdb_loc loc;
	struct slot *s;

	s = lookup(c, gmk, true);
	if (!s)
		return -RESDB_ENOSPC;
	if (s->flags & F_INDEX)
		return broken(c, "index page referenced twice", gmk, scale);
	s->flags |= F_INDEX;
	c->rep->index_pages++;
	if (resdb_map_walk(c->db, 1, resdb_pfn(c->db, gmk), &loc) || loc.scale != 1 ||
	    loc.value != (c->db->ultra | RESDB_CTRL))
		return broken(c, "index page not ultravisor control memory", gmk, loc.value);
	return 0;
}

static struct slot *partition(struct check *c, u32 number)
{
	const struct resdb_partition *p;
	struct slot *s;

	if (number == c->last_owner)
		return c->last;
	p = resdb_part(c->db, number);
	if (!p)
		return NULL;
	s = lookup(c, number, true);
	if (s && (s->flags & F_INDEX))
		return NULL;
	c->last_owner = number;
	c->last = s;
	return s;
}

static int ctrl_page(struct check *c, u32 gmk)
{
	const struct resdb_uv_index *uvi = resdb_uvi(c->db);
	const struct resdb_processor *p;
	const struct resdb_channel *ch;
	struct slot *s;
	u32 i;

	c->ctrl_pages++;
	if (gmk == c->db->uv_index)
		return 0;
	s = lookup(c, gmk, false);
	if (s && (s->flags & F_INDEX))
		return 0;
	p = resdb_proc(c->db, gmk);
	if (p) {
		if (p->cpu >= RESDB_MAX_CPUS || uvi->processor[p->cpu] != gmk)
			return broken(c, "processor not in the processor table", gmk, p->cpu);
		if (p->slot_us && (p->slot_us < UV_SLOT_US_MIN || p->slot_us > UV_SLOT_US_MAX))
			return broken(c, "processor slot length", gmk, p->slot_us);
		c->rep->processors++;
		for (i = 0; i < UV_SLOTS; i++) {
			const struct resdb_partition *d = resdb_part(c->db, p->slot[i].partition);

			s = partition(c, p->slot[i].partition);
			if (!s || !d || d->type == UV_PT_PSEUDO)
				return broken(c, "bad partition in schedule slot", gmk, i);
			s->slots++;
		}
		return 0;
	}
	ch = resdb_chan(c->db, gmk);
	if (ch) {
		c->rep->channels++;
		s = partition(c, ch->client);
		if (!s)
			return broken(c, "bad channel client", gmk, ch->client);
		s->channels++;
		for (i = 0; i < UV_CHANNEL_SERVERS; i++) {
			if (ch->server[i] == UV_NONE)
				continue;
			s = partition(c, ch->server[i]);
			if (!s)
				return broken(c, "bad channel server", gmk, ch->server[i]);
			s->channels++;
		}
		return 0;
	}
	/* index pages are seen before leaves, so this page is nothing */
	return broken(c, "control memory page without a use", gmk, 0);
}

static int see_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	struct check *c = ctx;
	const struct resdb *db = c->db;
	u32 owner = value & ~RESDB_CTRL;
	struct slot *s;

	c->rep->pages += resdb_scale_pages(scale);
	s = partition(c, owner);
	if (!s)
		return broken(c, "entry names no partition", page, value);
	s->pages += resdb_scale_pages(scale);
	if (value == (db->ultra | RESDB_CTRL)) {
		if (scale != 1 || pfn < db->base_pfn || pfn - db->base_pfn > RESDB_GMK)
			return broken(c, "control memory outside the window", page, index);
		return ctrl_page(c, (u32)(pfn - db->base_pfn));
	}
	if (scale == 1 && resdb_pfn(db, owner) == pfn) {
		if (value != owner)
			return broken(c, "descriptor page owned with S", owner, value);
		s->flags |= F_SELF;
	} else if (scale == 1 && value == db->ultra) {
		/* a free ultravisor page must not hold a live descriptor */
		const struct resdb_desc_hdr *h = resdb_page(db, pfn);

		if (h && h->magic == RESDB_DESC_MAGIC && h->me == pfn - db->base_pfn)
			return broken(c, "descriptor page not owned by itself", h->me, value);
	}
	return 0;
}

static int check_uv_index(struct check *c)
{
	const struct resdb *db = c->db;
	const struct resdb_uv_index *uvi = resdb_uvi(db);
	struct resdb_loc loc = { .value = UV_NONE };
	u32 i, n = 0;

	if (!uvi || uvi->magic != RESDB_UVINDEX_MAGIC || uvi->me != db->uv_index ||
	    uvi->map_low != db->top || uvi->order != db->order)
		return broken(c, "ultravisor index", db->uv_index, 0);
	if (resdb_map_walk(db, 1, resdb_pfn(db, db->uv_index), &loc) || loc.scale != 1 ||
	    loc.value != (db->ultra | RESDB_CTRL))
		return broken(c, "ultravisor index not control memory", db->uv_index, loc.value);
	for (i = 0; i < RESDB_MAX_CPUS; i++) {
		const struct resdb_processor *p;

		if (uvi->processor[i] == UV_NONE)
			continue;
		n++;
		p = resdb_proc(db, uvi->processor[i]);
		if (!p || p->cpu != i)
			return broken(c, "processor table entry", i, uvi->processor[i]);
	}
	if (n != uvi->nr_cpus)
		return broken(c, "processor count", n, uvi->nr_cpus);
	if (c->rep->processors != n)
		return broken(c, "processor not control memory", c->rep->processors, n);
	return 0;
}

static int check_totals(struct check *c)
{
	const struct resdb *db = c->db;
	u32 builtin[] = { db->ultra, db->avail, db->missing, db->idle, db->boot, db->host };
	u64 i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++) {
		if (builtin[i] == UV_NONE)
			continue;
		if (!resdb_part(db, builtin[i]))
			return broken(c, "built-in partition missing", builtin[i], 0);
	}
	for (i = 0; i < c->cap; i++) {
		const struct slot *s = &c->tab[i];
		const struct resdb_partition *p;

		if (s->key == UV_NONE || (s->flags & F_INDEX))
			continue;
		p = resdb_part(db, s->key);
		if (!(s->flags & F_SELF))
			return broken(c, "descriptor page not owned by itself", s->key, 0);
		if (p->pages != s->pages)
			return broken(c, "page total differs from map", s->key, (u32)s->pages);
		if (p->slots != s->slots)
			return broken(c, "slot total differs", s->key, s->slots);
		if (p->channels != s->channels)
			return broken(c, "channel total differs", s->key, s->channels);
		c->rep->partitions++;
	}
	if (c->rep->pages != resdb_scale_pages(db->order + 1))
		return broken(c, "map does not describe 1024^Order pages", db->order, 0);
	return 0;
}

struct count {
	u64 n;
};

static int count_index(void *ctx, u32 gmk, u32 scale, u64 frame, const u32 *page)
{
	((struct count *)ctx)->n++;
	return 0;
}

static int count_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	if (scale == 1)
		((struct count *)ctx)->n++;
	return 0;
}

u64 resdb_check_scratch_size(const struct resdb *db)
{
	struct count n = { 16 };
	u64 cap = 16;

	if (!db->attached)
		return 0;
	resdb_map_visit_index(db, count_index, &n);
	/* 4 KiB leaves bound the partitions; scales above hold few entries */
	resdb_map_visit_leaves(db, count_leaf, &n);
	while (cap < 2 * n.n + 2 * RESDB_MAX_CPUS)
		cap *= 2;
	return cap * sizeof(struct slot);
}

int resdb_check(const struct resdb *db, void *scratch, u64 scratch_len,
		struct resdb_check_report *rep)
{
	struct check c = { .db = db, .rep = rep, .tab = scratch, .last_owner = UV_NONE };
	u64 i;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (!db->attached)
		return -RESDB_ESTATE;
	if (db->in_txn || db->cut)
		return -RESDB_ESTATE;
	for (c.cap = 16; 2 * c.cap * sizeof(struct slot) <= scratch_len; c.cap *= 2)
		;
	if (!scratch || c.cap * sizeof(struct slot) > scratch_len)
		return -RESDB_ENOSPC;
	memset(c.tab, 0, c.cap * sizeof(struct slot));
	for (i = 0; i < c.cap; i++)
		c.tab[i].key = UV_NONE;

	ret = resdb_map_visit_index(db, see_index, &c);
	if (!ret)
		ret = resdb_map_visit_leaves(db, see_leaf, &c);
	if (!ret)
		ret = check_uv_index(&c);
	if (!ret)
		ret = check_totals(&c);
	if (ret == -RESDB_ENOSPC)
		return ret;
	if (ret && !rep->msg[0])
		broken(&c, "map walk failed", (u32)-ret, 0);
	return ret ? -RESDB_ECORRUPT : 0;
}
