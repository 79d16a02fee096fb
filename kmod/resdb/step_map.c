// SPDX-License-Identifier: GPL-2.0
/*
 * Map steps: Change Owner, Split, Merge ([0111], [0222]). Each checks its before
 * images and emits the images of what it writes; txn.c logs and applies them.
 *
 * Control memory: the ultravisor's 4 KiB pages that hold the map or a descriptor
 * carry S ([0206]); only the steps that build or release such a page set or clear
 * it, so Change Owner can never move a page the database is made of.
 */
#include "resdb/internal.h"

static bool is_ultra_ctrl(const struct resdb *db, u32 v)
{
	return v == (db->ultra | RESDB_CTRL);
}

/* An owner value: a partition number, possibly with S; never a reference. */
static int owner_value(struct resdb *db, u32 v, struct resdb_partition **p)
{
	if (v & RESDB_REF)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, v);
	if (is_ultra_ctrl(db, v))
		return resdb_fail(db, RESDB_EPSEUDO, UV_NONE, 0, v);
	*p = resdb_part(db, v & ~RESDB_CTRL);
	if (!*p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, v, 0);
	return 0;
}

/* Change Owner Map[G,M,K], IndexRange(first,last), from F, to T. */
int resdb_step_change_owner(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_change_owner *c = &s->change_owner;
	struct resdb_partition *from, *to;
	u64 pages;
	u32 *page, i, n;
	int ret;

	ret = resdb_map_locate(db, &c->at);
	if (ret)
		return ret;
	if (c->from == c->to)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, c->from, c->to);
	ret = owner_value(db, c->to, &to);
	if (ret)
		return ret;
	page = resdb_index_page(db, c->at.map);
	if (!page)
		return resdb_fail(db, RESDB_ENOPAGE, UV_NONE, 0, 0);
	for (i = c->at.first; i <= c->at.last; i++)
		if (page[i] != c->from)
			return resdb_fail(db, RESDB_EFROM, i, c->from, page[i]);
	/* the entries hold "from", so by the invariant it names a partition */
	ret = owner_value(db, c->from, &from);
	if (ret)
		return ret == -RESDB_ENOTPART ? resdb_fail(db, RESDB_ECORRUPT, 0, 0, 0) : ret;
	n = c->at.last - c->at.first + 1;
	pages = n * resdb_scale_pages(c->at.scale);
	ret = resdb_img_fill(db, resdb_pfn(db, c->at.map), c->at.first * 4, n, c->from, c->to);
	if (!ret && from != to)
		ret = resdb_img_counter(db, from, c->from & ~RESDB_CTRL, &from->pages,
					-(s64)pages);
	if (!ret && from != to)
		ret = resdb_img_counter(db, to, c->to & ~RESDB_CTRL, &to->pages, (s64)pages);
	return ret;
}

/* Split/Merge address exactly one entry of scale >= 2. */
static int split_entry(struct resdb *db, struct uv_txn_split *sp, u32 **entry)
{
	u32 *page;
	int ret;

	ret = resdb_map_locate(db, &sp->at);
	if (ret)
		return ret;
	if (sp->at.first != sp->at.last || sp->at.scale < 2)
		return resdb_fail(db, RESDB_EINVAL, sp->at.first, 0, sp->at.scale);
	if (!resdb_is_number(sp->child) || (sp->owner & RESDB_REF) ||
	    is_ultra_ctrl(db, sp->owner))
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, sp->owner);
	page = resdb_index_page(db, sp->at.map);
	if (!page)
		return resdb_fail(db, RESDB_ENOPAGE, UV_NONE, 0, 0);
	*entry = &page[sp->at.first];
	return 0;
}

/*
 * Split Map[..], Index(i), Into Map[child], {For owner}: the entry's page becomes
 * 1024 pages of the next smaller scale, described by the new index page child, all
 * still owned by owner. child must be a free 4 KiB ultravisor page ([0197]: index
 * pages are owned by the ultravisor); it becomes control memory.
 */
int resdb_step_split(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_split *sp = &s->split;
	struct resdb_loc child;
	u32 *entry;
	int ret;

	ret = split_entry(db, sp, &entry);
	if (ret)
		return ret;
	if (*entry != sp->owner)
		return resdb_fail(db, RESDB_EFROM, sp->at.first, sp->owner, *entry);
	ret = resdb_free_page(db, sp->child, &child);
	if (ret)
		return ret;
	ret = resdb_img_fill(db, resdb_pfn(db, sp->child), 0, RESDB_ENTRIES, 0, sp->owner);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, child.page), child.index * 4, 1,
				     db->ultra, db->ultra | RESDB_CTRL);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, sp->at.map), sp->at.first * 4, 1,
				     sp->owner, RESDB_REF | sp->child);
	return ret;
}

/*
 * Merge Map[..], Index(i), {From Map[child], For owner}: the reverse, only when all
 * 1024 entries of child hold owner ([0222]). The index page is scrubbed and handed
 * back to the ultravisor as a free page.
 */
int resdb_step_merge(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_split *sp = &s->split;
	struct resdb_loc child;
	u32 *entry, *page, i;
	int ret;

	ret = split_entry(db, sp, &entry);
	if (ret)
		return ret;
	if (*entry != (RESDB_REF | sp->child))
		return resdb_fail(db, RESDB_ENOMAP, sp->at.first, RESDB_REF | sp->child, *entry);
	page = resdb_index_page(db, sp->child);
	if (!page)
		return resdb_fail(db, RESDB_ENOPAGE, UV_NONE, 0, 0);
	for (i = 0; i < RESDB_ENTRIES; i++)
		if (page[i] != sp->owner)
			return resdb_fail(db, RESDB_ENOTUNIFORM, i, sp->owner, page[i]);
	ret = resdb_map_walk(db, 1, resdb_pfn(db, sp->child), &child);
	if (ret)
		return resdb_fail(db, -ret, UV_NONE, 0, 0);
	if (child.scale != 1 || !is_ultra_ctrl(db, child.value))
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, db->ultra | RESDB_CTRL,
				  child.value);
	ret = resdb_img_fill(db, resdb_pfn(db, sp->at.map), sp->at.first * 4, 1,
			     RESDB_REF | sp->child, sp->owner);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, child.page), child.index * 4, 1,
				     db->ultra | RESDB_CTRL, db->ultra);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, sp->child), 0, RESDB_ENTRIES, sp->owner, 0);
	return ret;
}
