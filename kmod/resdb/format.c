// SPDX-License-Identifier: GPL-2.0
/*
 * The initial image, as the loader builds it ([0103], [0157]) before any
 * transaction exists. The layout inside the boot region follows Figure 8
 * ([0217]-[0221]): with region Mem[0,1] and order 3 it is exactly the figure's
 * Mem[0,1,0] PGM, Mem[0,1,1] PMM, Mem[0,1,18] PKM and descriptors at 19..24.
 */
#include "resdb/internal.h"

enum {
	K_TOP = 0,		/* then K_TOP + 1 .. for the scales down to 2 */
	K_HOST = 17,
	K_PKM = 18,
	K_MISSING = 19,
	K_AVAIL = 20,
	K_IDLE = 21,
	K_BOOT = 22,
	K_UVINDEX = 23,
	K_ULTRA = 24,
	K_FIRST_FREE = 25,
};

struct builtin {
	u32 k;
	u32 type;
	const char *name;
	const char *role;
};

static const struct builtin builtins[] = {
	{ K_MISSING, UV_PT_PSEUDO, "missing", "Missing" },
	{ K_AVAIL, UV_PT_PSEUDO, "available", "Available" },
	{ K_IDLE, UV_PT_IDLE, "idle", "Idle" },
	{ K_BOOT, UV_PT_BOOT, "boot", "Boot" },
	{ K_ULTRA, UV_PT_ULTRAVISOR, "ultravisor", "Ultravisor" },
	{ K_HOST, UV_PT_PSEUDO, "host", "Host" },
};

static u32 gmk(u64 region, u32 k)
{
	return (u32)(region << 10) | k;
}

static void *zpage(struct resdb *db, u32 number)
{
	void *p = resdb_page(db, resdb_pfn(db, number));

	if (p)
		memset(p, 0, RESDB_PAGE_SIZE);
	return p;
}

/* The index page of scale s on the region's path: which K holds it. */
static u32 path_k(const struct resdb_format *f, u32 s)
{
	return s == 1 ? K_PKM : K_TOP + (f->order - s);
}

/* Fill the index page of scale t on the region's path (order >= t >= 2). */
static int fill_index(struct resdb *db, const struct resdb_format *f, u32 t, u32 owner)
{
	u64 mine = f->region >> (10 * (t - 2));	/* scale-t entry holding the region */
	u64 frame = mine >> 10, pages = resdb_scale_pages(t);
	u32 *page = zpage(db, gmk(f->region, path_k(f, t)));
	u32 i;

	if (!page)
		return -RESDB_ENOPAGE;
	for (i = 0; i < RESDB_ENTRIES; i++) {
		u64 n = frame * RESDB_ENTRIES + i;
		u64 start = n * pages, end = start + pages;

		if (n == mine)
			page[i] = RESDB_REF | gmk(f->region, path_k(f, t - 1));
		else if (end <= f->host_pages)
			page[i] = owner;
		else if (start >= f->host_pages)
			page[i] = gmk(f->region, K_MISSING);
		else
			return -RESDB_EINVAL;	/* host size not aligned to this scale */
	}
	return 0;
}

static int fill_pkm(struct resdb *db, const struct resdb_format *f)
{
	u32 *page = zpage(db, gmk(f->region, K_PKM));
	u32 ultra = gmk(f->region, K_ULTRA), k, t;

	if (!page)
		return -RESDB_ENOPAGE;
	for (k = 0; k < RESDB_ENTRIES; k++)
		page[k] = k < K_FIRST_FREE ? ultra : gmk(f->region, K_AVAIL);
	for (t = 1; t <= f->order; t++)
		page[path_k(f, t)] = ultra | RESDB_CTRL;
	page[K_UVINDEX] = ultra | RESDB_CTRL;
	for (k = 0; k < ARRAY_SIZE(builtins); k++)
		if (builtins[k].k != K_HOST || f->with_host)
			page[builtins[k].k] = gmk(f->region, builtins[k].k);
	return 0;
}

static int count_pages(void *ctx, u32 number, u32 scale, u64 frame, const u32 *page)
{
	struct resdb *db = ctx;
	u32 i;

	for (i = 0; i < RESDB_ENTRIES; i++) {
		struct resdb_partition *p;

		if (page[i] & RESDB_REF)
			continue;
		p = resdb_part(db, page[i] & ~RESDB_CTRL);
		if (!p)
			return -RESDB_ECORRUPT;
		p->pages += resdb_scale_pages(scale);
	}
	return 0;
}

int resdb_format(struct resdb *db, const struct resdb_format *fmt)
{
	struct resdb_format f = *fmt;
	struct resdb_uv_index *uvi;
	u32 i, t;
	int ret;

	if (f.owner == RESDB_FORMAT_HOST && !f.with_host)
		return -RESDB_EINVAL;
	if (db->attached || f.owner > RESDB_FORMAT_HOST || f.host_pages % RESDB_ENTRIES ||
	    f.region >= (1u << 20) || (f.region + 1) * RESDB_ENTRIES > f.host_pages)
		return -RESDB_EINVAL;
	if (!f.order)
		for (f.order = 2; f.order < RESDB_SCALE_MAX &&
		     f.host_pages > resdb_scale_pages(f.order + 1); f.order++)
			;
	if (f.order < 2 || f.order > RESDB_SCALE_MAX ||
	    (f.order < RESDB_SCALE_MAX && f.host_pages > resdb_scale_pages(f.order + 1)))
		return -RESDB_EINVAL;

	for (i = 0; i < ARRAY_SIZE(builtins); i++) {
		const struct builtin *b = &builtins[i];
		struct resdb_partition *p;

		if (b->k == K_HOST && !f.with_host)
			continue;
		p = zpage(db, gmk(f.region, b->k));
		if (!p)
			return -RESDB_ENOPAGE;
		p->hdr.magic = RESDB_DESC_MAGIC;
		p->hdr.me = gmk(f.region, b->k);
		p->hdr.kind = RESDB_DESC_PARTITION;
		p->type = b->type;
		p->state = RESDB_PS_DEFINED;
		memcpy(p->name, b->name, strlen(b->name));
		memcpy(p->role, b->role, strlen(b->role));
	}
	uvi = zpage(db, gmk(f.region, K_UVINDEX));
	if (!uvi)
		return -RESDB_ENOPAGE;
	uvi->magic = RESDB_UVINDEX_MAGIC;
	uvi->me = gmk(f.region, K_UVINDEX);
	uvi->version = 1;
	uvi->map_high = 0;
	uvi->map_low = gmk(f.region, K_TOP);
	uvi->order = f.order;
	uvi->ultra = gmk(f.region, K_ULTRA);
	uvi->avail = gmk(f.region, K_AVAIL);
	uvi->missing = gmk(f.region, K_MISSING);
	uvi->idle = gmk(f.region, K_IDLE);
	uvi->boot = gmk(f.region, K_BOOT);
	uvi->host = f.with_host ? gmk(f.region, K_HOST) : UV_NONE;
	for (i = 0; i < RESDB_MAX_CPUS; i++)
		uvi->processor[i] = UV_NONE;

	for (t = f.order; t >= 2; t--) {
		ret = fill_index(db, &f, t, gmk(f.region, f.owner == RESDB_FORMAT_HOST ?
						  K_HOST : K_AVAIL));
		if (ret)
			return ret;
	}
	ret = fill_pkm(db, &f);
	if (ret)
		return ret;
	ret = resdb_attach(db, 0, gmk(f.region, K_UVINDEX));
	if (!ret)
		ret = resdb_map_visit_index(db, count_pages, db);
	if (ret)
		db->attached = false;
	return ret;
}
