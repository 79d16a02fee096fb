// SPDX-License-Identifier: GPL-2.0
/*
 * Host memory in the database, at load (the hosted variant of [0157]: the
 * loader describes the machine before any transaction exists).
 *
 * 1. Take one 4 MiB physically contiguous page from Linux (order 10, zeroed):
 *    the boot region. It holds the index pages and the descriptors, owned by
 *    the ultravisor partition (Figure 8 layout, kmod/resdb/format.c).
 * 2. Format the database for [0, H): H is the end of the highest "System RAM"
 *    range of /proc/iomem, rounded up to a whole entry of the top index page
 *    (so every index page on the region's path is whole). Everything but the
 *    region is owned by the "host" pseudo partition.
 * 3. Carve the holes: every page frame in [0, H) that no System RAM range
 *    covers goes to "missing", at 4 KiB precision. An entry wholly in a hole
 *    changes owner as a whole; an entry partly in a hole is split (an index
 *    page taken from the region's free pages) and its parts handled one scale
 *    down. These are ordinary transactions, so they are in the audit log.
 *
 * Memory that no System RAM range covers is never given to anyone; RAM above
 * what one boot region's free pages can describe precisely (more than ~990
 * partly-RAM entries) fails the load with ENOSPC and says so.
 *
 * Runs with uv_db.lock held for writing (from uv_db_init()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "db.h"
#include "resdb/text.h"

#if defined(MAX_PAGE_ORDER)
static_assert(UV_CHUNK_ORDER <= MAX_PAGE_ORDER);	/* 6.8+: inclusive */
#else
static_assert(UV_CHUNK_ORDER < MAX_ORDER);		/* up to 6.7: exclusive */
#endif

/* [G,M,K] numbers cover 2^30 page frames (4 TiB) from MapHigh = 0. */
#define UV_WINDOW_PAGES		BIT_ULL(30)

struct uv_ram {
	u64 start, end;		/* page frames [start, end) */
};

struct uv_ram_list {
	struct uv_ram *r;
	u32 nr, room;
};

static int uv_ram_add(struct resource *res, void *arg)
{
	struct uv_ram_list *l = arg;
	u64 start = PFN_UP(res->start), end = PFN_DOWN(res->end + 1);

	if (start >= end)
		return 0;
	if (l->nr && l->r && l->r[l->nr - 1].end == start) {
		l->r[l->nr - 1].end = end;
		return 0;
	}
	if (l->r) {
		if (l->nr == l->room)
			return -EAGAIN;
		l->r[l->nr].start = start;
		l->r[l->nr].end = end;
	}
	l->nr++;
	return 0;
}

/* The System RAM ranges of /proc/iomem, in address order, adjacent ones merged. */
static int uv_ram_collect(struct uv_ram_list *l)
{
	unsigned long flags = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY;
	int ret, tries;

	for (tries = 0; tries < 3; tries++) {
		l->r = NULL;
		l->nr = 0;
		walk_iomem_res_desc(IORES_DESC_NONE, flags, 0, U64_MAX, l, uv_ram_add);
		if (!l->nr)
			return -ENODEV;
		l->room = l->nr + 8;	/* memory hotplug may add some meanwhile */
		l->r = kcalloc(l->room, sizeof(*l->r), GFP_KERNEL);
		if (!l->r)
			return -ENOMEM;
		l->nr = 0;
		ret = walk_iomem_res_desc(IORES_DESC_NONE, flags, 0, U64_MAX, l, uv_ram_add);
		if (ret != -EAGAIN)
			return 0;
		kfree(l->r);
	}
	return -EAGAIN;
}

/* Page frames of [start, end) that RAM covers. */
static u64 uv_ram_covered(const struct uv_ram_list *l, u64 start, u64 end)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < l->nr; i++) {
		u64 s = max(start, l->r[i].start), e = min(end, l->r[i].end);

		if (s < e)
			n += e - s;
	}
	return n;
}

struct uv_carve {
	const struct uv_ram_list *ram;
	struct uv_txn_step steps[16];
	u32 nr;
	u32 splits;
	u64 missing;
};

static int uv_carve_flush(struct uv_carve *c)
{
	struct uv_txn_result res;
	int ret;

	if (!c->nr)
		return 0;
	ret = uv_db_apply_locked(c->steps, c->nr, false, &res);
	if (ret)
		pr_err("describing host memory: %s\n", res.message);
	c->nr = 0;
	return ret;
}

static int uv_carve_emit_missing(struct uv_carve *c, const struct uv_map_pos *pos,
				 u32 first, u32 last)
{
	struct uv_txn_step *s;
	int ret;

	if (c->nr == ARRAY_SIZE(c->steps)) {
		ret = uv_carve_flush(c);
		if (ret)
			return ret;
	}
	s = &c->steps[c->nr++];
	memset(s, 0, sizeof(*s));
	s->op = UV_TXN_CHANGE_OWNER;
	s->change_owner.at.map = pos->map;
	s->change_owner.at.scale = pos->scale;
	s->change_owner.at.frame = pos->frame;
	s->change_owner.at.first = first;
	s->change_owner.at.last = last;
	s->change_owner.from = uv_db.db.host;
	s->change_owner.to = uv_db.db.missing;
	c->missing += (u64)(last - first + 1) << (10 * (pos->scale - 1));
	return 0;
}

/* Make every non-RAM frame below @end of the index page at (@map, @scale, @frame) missing. */
static int uv_carve_page(struct uv_carve *c, u32 map, u32 scale, u64 frame, u64 end)
{
	const struct resdb *db = &uv_db.db;
	u64 span = 1ull << (10 * (scale - 1));
	u32 i, run = UV_NONE;
	int ret;

	for (i = 0; i < RESDB_ENTRIES; i++) {
		u64 s = (frame * RESDB_ENTRIES + i) * span, e = s + span, ram;
		struct uv_map_pos pos;
		bool hole = false;

		if (s < end) {
			ret = uv_map_find(s, scale, &pos);
			if (ret || pos.map != map || pos.scale != scale)
				return ret ? ret : -EIO;
			ram = uv_ram_covered(c->ram, s, e);
			hole = !ram && pos.value == db->host;
			if (ram && ram < span) {
				/* partly RAM: one scale down */
				if (run != UV_NONE) {
					ret = uv_carve_emit_missing(c, &pos, run, i - 1);
					run = UV_NONE;
					if (ret)
						return ret;
				}
				if (!(pos.value & UV_ENTRY_REF)) {
					if (pos.value != db->host)
						return -EIO;
					ret = uv_carve_flush(c);
					if (!ret)
						ret = uv_map_split_steps(&pos, c->steps, &c->nr);
					if (!ret)
						ret = uv_carve_flush(c);
					if (ret)
						return ret;
					c->splits++;
					ret = uv_map_find(s, scale, &pos);
					if (ret || !(pos.value & UV_ENTRY_REF))
						return ret ? ret : -EIO;
				}
				ret = uv_carve_flush(c);
				if (!ret)
					ret = uv_carve_page(c, pos.value & UV_ENTRY_GMK, scale - 1,
							    frame * RESDB_ENTRIES + i, end);
				if (ret)
					return ret;
				continue;
			}
		}
		if (hole && run == UV_NONE)
			run = i;
		if (!hole && run != UV_NONE) {
			struct uv_map_pos p = { .map = map, .scale = scale, .frame = frame };

			ret = uv_carve_emit_missing(c, &p, run, i - 1);
			run = UV_NONE;
			if (ret)
				return ret;
		}
	}
	if (run != UV_NONE) {
		struct uv_map_pos p = { .map = map, .scale = scale, .frame = frame };

		ret = uv_carve_emit_missing(c, &p, run, RESDB_ENTRIES - 1);
		if (ret)
			return ret;
	}
	return uv_carve_flush(c);
}

static struct page *uv_region_alloc(void)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO | __GFP_NORETRY;
	struct page *p = alloc_pages(gfp, UV_CHUNK_ORDER);

	/* The region holds [G,M,K]-numbered pages: it must lie below 4 TiB. */
	if (p && page_to_pfn(p) + UV_CHUNK_PAGES > UV_WINDOW_PAGES) {
		__free_pages(p, UV_CHUNK_ORDER);
		p = alloc_pages(gfp | __GFP_DMA32, UV_CHUNK_ORDER);
	}
	return p;
}

int uv_hostmem_format(void)
{
	struct uv_ram_list ram = { 0 };
	struct resdb_format fmt = { 0 };
	struct uv_carve *c;
	u64 top, entry;
	u32 order;
	int ret;

	ret = uv_ram_collect(&ram);
	if (ret) {
		pr_err("cannot read the System RAM ranges of iomem (error %d): not loading\n",
		       ret);
		return ret;
	}
	top = ram.r[ram.nr - 1].end;

	/* the smallest top index page covering the RAM, and H rounded to its entries */
	for (order = 2; order < RESDB_SCALE_MAX && top > 1ull << (10 * order); order++)
		;
	entry = 1ull << (10 * (order - 1));
	fmt.host_pages = round_up(top, entry);
	fmt.order = order;
	fmt.owner = RESDB_FORMAT_HOST;
	fmt.with_host = true;

	uv_db.region = uv_region_alloc();
	if (!uv_db.region) {
		pr_err("cannot allocate the 4 MiB boot region (order-%d pages, below 4 TiB): not loading\n",
		       UV_CHUNK_ORDER);
		ret = -ENOMEM;
		goto out;
	}
	uv_db.region_pfn = page_to_pfn(uv_db.region);
	fmt.region = uv_db.region_pfn >> UV_CHUNK_ORDER;
	uv_db.next_k = 25;	/* Figure 8: K >= 25 of the region start free */

	ret = resdb_format(&uv_db.db, &fmt);
	if (ret) {
		pr_err("formatting the database (%llu pages, order %u) failed: %s: not loading\n",
		       fmt.host_pages, order, resdb_strerror(-ret));
		ret = uv_resdb_errno(-ret);
		goto out;
	}

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		ret = -ENOMEM;
		goto out;
	}
	c->ram = &ram;
	ret = uv_carve_page(c, uv_db.db.top, order, 0, fmt.host_pages);
	if (ret)
		pr_err("describing the holes of host memory failed (error %d): not loading\n",
		       ret);
	else
		pr_info("database: %llu MiB described (order %u), %u System RAM range(s), %llu KiB missing, %u index page(s) added, boot region at %#llx\n",
			fmt.host_pages >> 8, order, ram.nr, c->missing << 2, c->splits,
			(u64)uv_db.region_pfn << PAGE_SHIFT);
	kfree(c);
out:
	kfree(ram.r);
	return ret;
}
