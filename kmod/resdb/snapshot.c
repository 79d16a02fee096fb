// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot: the database image as the pages it is made of ([0203]: the map is used
 * "to reconstruct the map snapshot in the resource service"). The pages are exactly
 * the 4 KiB pages of ultravisor control memory (ultravisor index, index pages,
 * processor and channel descriptors) and the pages owned by themselves (partition
 * descriptors), in address order; the same database gives the same bytes.
 */
#include "resdb/internal.h"

struct snap {
	const struct resdb *db;
	struct uv_snap_page *out;	/* NULL: count only */
	u64 room;
	u64 n;
};

static int snap_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	struct snap *s = ctx;
	const void *src;

	if (scale != 1 || (value != (s->db->ultra | RESDB_CTRL) &&
			   !(resdb_is_number(value) && resdb_pfn(s->db, value) == pfn)))
		return 0;
	if (s->out) {
		if (s->n == s->room)
			return -RESDB_ENOSPC;
		src = resdb_page(s->db, pfn);
		if (!src)
			return -RESDB_ENOPAGE;
		s->out[s->n].pfn = pfn;
		memcpy(s->out[s->n].data, src, RESDB_PAGE_SIZE);
	}
	s->n++;
	return 0;
}

int resdb_snapshot_size(const struct resdb *db, u64 *size)
{
	struct snap s = { .db = db };
	int ret;

	if (!db->attached || db->in_txn || db->cut)
		return -RESDB_ESTATE;
	ret = resdb_map_visit_leaves(db, snap_leaf, &s);
	*size = sizeof(struct uv_snap_hdr) + s.n * sizeof(struct uv_snap_page);
	return ret;
}

int resdb_snapshot_write(const struct resdb *db, void *buf, u64 len, u64 *out_len)
{
	struct uv_snap_hdr *h = buf;
	struct snap s = { .db = db, .out = (struct uv_snap_page *)(h + 1) };
	int ret;

	*out_len = 0;
	if (!db->attached || db->in_txn || db->cut)
		return -RESDB_ESTATE;
	if (len < sizeof(*h))
		return -RESDB_ENOSPC;
	s.room = (len - sizeof(*h)) / sizeof(struct uv_snap_page);
	ret = resdb_map_visit_leaves(db, snap_leaf, &s);
	if (ret)
		return ret;
	memset(h, 0, sizeof(*h));
	h->magic = UV_SNAP_MAGIC;
	h->version = UV_SNAP_VERSION;
	h->hdr_size = sizeof(*h);
	h->page_size = RESDB_PAGE_SIZE;
	h->nr_pages = s.n;
	h->next_seq = db->log.next_seq;
	h->base_pfn = db->base_pfn;
	h->uv_index = db->uv_index;
	*out_len = sizeof(*h) + s.n * sizeof(struct uv_snap_page);
	return 0;
}

int resdb_snapshot_load(struct resdb *db, const void *buf, u64 len, void *scratch,
			u64 scratch_len)
{
	const struct uv_snap_hdr *h = buf;
	const struct uv_snap_page *p = (const void *)(h + 1);
	struct resdb_check_report rep;
	u64 i;
	int ret;

	if (db->attached || db->in_txn)
		return -RESDB_ESTATE;
	if (len < sizeof(*h) || h->magic != UV_SNAP_MAGIC || h->version != UV_SNAP_VERSION ||
	    h->hdr_size != sizeof(*h) || h->page_size != RESDB_PAGE_SIZE || h->reserved0 ||
	    h->reserved[0] || h->reserved[1] || h->base_pfn & RESDB_GMK ||
	    !resdb_is_number(h->uv_index) || !h->next_seq ||
	    h->nr_pages > (len - sizeof(*h)) / sizeof(*p) ||
	    len != sizeof(*h) + h->nr_pages * sizeof(*p))
		return -RESDB_ECORRUPT;
	for (i = 0; i < h->nr_pages; i++) {
		void *dst;

		if (p[i].pfn < h->base_pfn || p[i].pfn - h->base_pfn > RESDB_GMK ||
		    (i && p[i].pfn <= p[i - 1].pfn))
			return -RESDB_ECORRUPT;
		dst = resdb_page(db, p[i].pfn);
		if (!dst)
			return -RESDB_ENOPAGE;
		memcpy(dst, p[i].data, RESDB_PAGE_SIZE);
	}
	ret = resdb_attach(db, h->base_pfn, h->uv_index);
	if (ret)
		return ret;
	ret = resdb_check(db, scratch, scratch_len, &rep);
	if (ret) {
		db->attached = false;
		return ret;
	}
	db->log.head = 0;
	db->log.tail = 0;
	db->log.first_seq = h->next_seq;
	db->log.next_seq = h->next_seq;
	return 0;
}

struct hash {
	const struct resdb *db;
	u64 h;
	int err;
};

static void fnv(u64 *h, const void *p, u64 len)
{
	const u8 *b = p;

	while (len--)
		*h = (*h ^ *b++) * 0x100000001b3ull;
}

static int hash_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	struct hash *x = ctx;
	const void *src;

	fnv(&x->h, &pfn, sizeof(pfn));
	fnv(&x->h, &value, sizeof(value));
	if (scale != 1 || (value != (x->db->ultra | RESDB_CTRL) &&
			   !(resdb_is_number(value) && resdb_pfn(x->db, value) == pfn)))
		return 0;
	src = resdb_page(x->db, pfn);
	if (!src)
		return -RESDB_ENOPAGE;
	fnv(&x->h, src, RESDB_PAGE_SIZE);
	return 0;
}

/* FNV-1a of every entry and every page of the image: equal databases, equal hash. */
u64 resdb_image_hash(const struct resdb *db)
{
	struct hash x = { .db = db, .h = 0xcbf29ce484222325ull };

	if (!db->attached || resdb_map_visit_leaves(db, hash_leaf, &x))
		return 0;
	return x.h;
}
