// SPDX-License-Identifier: GPL-2.0
/*
 * Finding descriptors. A number names a descriptor only if its page carries the
 * magic, the right kind and "Me" equal to the number ([0216]); ownership of the page
 * is checked where it matters (steps, commit, resdb_check).
 */
#include "resdb/internal.h"

static struct resdb_desc_hdr *desc(const struct resdb *db, u32 number, u32 kind)
{
	struct resdb_desc_hdr *h;

	if (!db->attached || !resdb_is_number(number))
		return NULL;
	h = resdb_page(db, resdb_pfn(db, number));
	if (!h || h->magic != RESDB_DESC_MAGIC || h->me != number || h->kind != kind)
		return NULL;
	return h;
}

struct resdb_partition *resdb_part(const struct resdb *db, u32 number)
{
	return (struct resdb_partition *)desc(db, number, RESDB_DESC_PARTITION);
}

struct resdb_processor *resdb_proc(const struct resdb *db, u32 number)
{
	return (struct resdb_processor *)desc(db, number, RESDB_DESC_PROCESSOR);
}

struct resdb_channel *resdb_chan(const struct resdb *db, u32 number)
{
	return (struct resdb_channel *)desc(db, number, RESDB_DESC_CHANNEL);
}

struct resdb_uv_index *resdb_uvi(const struct resdb *db)
{
	return resdb_page(db, resdb_pfn(db, db->uv_index));
}

/* The partitions the ultravisor index names can never be destroyed. */
bool resdb_is_builtin(const struct resdb *db, u32 number)
{
	return number == db->ultra || number == db->avail || number == db->missing ||
	       number == db->idle || number == db->boot || number == db->host;
}

/*
 * A page a step may build a descriptor or index page in: a 4 KiB page the
 * ultravisor owns without S (not yet control memory), zeroed. Free pages are zero
 * because everything that releases one (merge, destroy) scrubs it by a logged image;
 * memory arriving from a partition must be scrubbed by the embedder before it is
 * given to the ultravisor.
 */
int resdb_free_page(struct resdb *db, u32 number, struct resdb_loc *loc)
{
	void *page;
	int ret;

	if (!resdb_is_number(number))
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, number);
	ret = resdb_map_walk(db, 1, resdb_pfn(db, number), loc);
	if (ret)
		return resdb_fail(db, -ret, UV_NONE, 0, 0);
	if (loc->scale != 1 || loc->value != db->ultra)
		return resdb_fail(db, RESDB_ENOTFREE, number, db->ultra, loc->value);
	page = resdb_page(db, resdb_pfn(db, number));
	if (!page)
		return resdb_fail(db, RESDB_ENOPAGE, number, 0, 0);
	if (!resdb_page_is_zero(page))
		return resdb_fail(db, RESDB_ENOTFREE, number, 0, 1);
	return 0;
}
