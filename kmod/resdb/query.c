// SPDX-License-Identifier: GPL-2.0
/*
 * Queries: GetMemOwner ([0210]), the owner of an address, a partition's memory as
 * extents (what a monitor builds its nested page tables from, [0155], [0205]) and
 * the partition list (every 4 KiB page owned by itself is a descriptor, [0215]).
 */
#include "resdb/internal.h"

int resdb_owner_of_pfn(const struct resdb *db, u64 pfn, u32 *owner, u32 *scale)
{
	struct resdb_loc loc;
	int ret;

	if (!db->attached)
		return -RESDB_ESTATE;
	ret = resdb_map_walk(db, 1, pfn, &loc);
	if (ret)
		return ret;
	*owner = loc.value;
	if (scale)
		*scale = loc.scale;
	return 0;
}

u32 resdb_get_mem_owner(const struct resdb *db, u32 t, u32 g, u32 m, u32 k)
{
	u32 owner;

	if (g >= RESDB_ENTRIES || m >= RESDB_ENTRIES || k >= RESDB_ENTRIES)
		return UV_NONE;
	if (resdb_owner_of_pfn(db, ((u64)t << 30) | (g << 20) | (m << 10) | k, &owner, NULL))
		return UV_NONE;
	return owner;
}

u32 resdb_owner_of_addr(const struct resdb *db, u64 phys)
{
	u32 owner;

	if (resdb_owner_of_pfn(db, phys >> 12, &owner, NULL))
		return UV_NONE;
	return owner;
}

struct extents {
	u32 partition;
	resdb_extent_fn fn;
	void *ctx;
	u64 pfn, nr;
	u32 entry;
};

static int extent_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	struct extents *x = ctx;
	u64 nr = resdb_scale_pages(scale);
	int ret;

	if ((value & ~RESDB_CTRL) != x->partition)
		return 0;
	if (x->nr && x->pfn + x->nr == pfn && x->entry == value) {
		x->nr += nr;
		return 0;
	}
	if (x->nr) {
		ret = x->fn(x->ctx, x->pfn, x->nr, x->entry);
		if (ret)
			return ret;
	}
	x->pfn = pfn;
	x->nr = nr;
	x->entry = value;
	return 0;
}

int resdb_partition_extents(const struct resdb *db, u32 partition, resdb_extent_fn fn,
			    void *ctx)
{
	struct extents x = { .partition = partition, .fn = fn, .ctx = ctx };
	int ret;

	if (!resdb_part(db, partition))
		return -RESDB_ENOTPART;
	ret = resdb_map_visit_leaves(db, extent_leaf, &x);
	if (!ret && x.nr)
		ret = fn(ctx, x.pfn, x.nr, x.entry);
	return ret;
}

struct plist {
	const struct resdb *db;
	resdb_partition_fn fn;
	void *ctx;
};

static int list_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	struct plist *l = ctx;
	const struct resdb_partition *p;

	if (scale != 1 || resdb_pfn(l->db, value) != pfn || !resdb_is_number(value))
		return 0;
	p = resdb_part(l->db, value);
	return p ? l->fn(l->ctx, p) : -RESDB_ECORRUPT;
}

int resdb_partition_list(const struct resdb *db, resdb_partition_fn fn, void *ctx)
{
	struct plist l = { .db = db, .fn = fn, .ctx = ctx };

	if (!db->attached)
		return -RESDB_ESTATE;
	return resdb_map_visit_leaves(db, list_leaf, &l);
}

const struct resdb_partition *resdb_partition(const struct resdb *db, u32 number)
{
	return resdb_part(db, number);
}

const struct resdb_processor *resdb_processor(const struct resdb *db, u32 cpu)
{
	const struct resdb_uv_index *uvi;

	if (!db->attached || cpu >= RESDB_MAX_CPUS)
		return NULL;
	uvi = resdb_uvi(db);
	return uvi && uvi->processor[cpu] != UV_NONE ? resdb_proc(db, uvi->processor[cpu]) :
	       NULL;
}

const struct resdb_channel *resdb_channel(const struct resdb *db, u32 number)
{
	return resdb_chan(db, number);
}
