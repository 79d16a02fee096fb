// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 8 as text: one line per index page with run-length ranges,
 *   Map[0,1,0] PGM: 0:[-,0,1,1] 1:[0,1,25] 2-14:[0,1,20] 15:[-,0,1,16] 16-1023:[0,1,19]
 * and the ultravisor index ([0218]).
 */
#include "resdb/text.h"
#include "resdb/internal.h"
#include "resdb/out.h"

/* Figure 7's page table names by scale. */
static const char *const scale_names[RESDB_SCALE_MAX + 1] = {
	"?", "PKM", "PMM", "PGM", "PTM", "PPM", "PEM",
};

static int dump_one(const u32 *page, u32 gmk, u32 scale, char *buf, u64 len)
{
	struct resdb_out o;
	u32 i = 0;

	resdb_out_init(&o, buf, len);
	resdb_out_str(&o, "Map");
	resdb_out_number(&o, gmk);
	resdb_out_str(&o, " ");
	resdb_out_str(&o, scale_names[scale]);
	resdb_out_str(&o, ":");
	while (i < RESDB_ENTRIES) {
		u32 j = i;

		while (j + 1 < RESDB_ENTRIES && page[j + 1] == page[i])
			j++;
		resdb_out_str(&o, " ");
		resdb_out_u64(&o, i);
		if (j != i) {
			resdb_out_str(&o, "-");
			resdb_out_u64(&o, j);
		}
		resdb_out_str(&o, ":");
		resdb_out_number(&o, page[i]);
		i = j + 1;
	}
	return resdb_out_end(&o);
}

int resdb_dump_page(const struct resdb *db, u32 map, char *buf, u64 len)
{
	const u32 *page;
	u32 scale;
	u64 frame;
	int ret;

	if (!db->attached)
		return -RESDB_ESTATE;
	ret = resdb_map_find(db, map, &scale, &frame);
	if (ret)
		return ret;
	page = resdb_index_page(db, map);
	if (!page)
		return -RESDB_ENOPAGE;
	return dump_one(page, map, scale, buf, len);
}

int resdb_dump_uv_index(const struct resdb *db, char *buf, u64 len)
{
	const struct resdb_uv_index *uvi;
	struct resdb_out o;

	if (!db->attached)
		return -RESDB_ESTATE;
	uvi = resdb_uvi(db);
	if (!uvi)
		return -RESDB_ENOPAGE;
	resdb_out_init(&o, buf, len);
	resdb_out_str(&o, "UVIndex");
	resdb_out_number(&o, uvi->me);
	resdb_out_str(&o, ": MapHigh=");
	resdb_out_number(&o, (u32)(uvi->map_high >> 30) & RESDB_GMK);
	resdb_out_str(&o, " MapLow=");
	resdb_out_number(&o, uvi->map_low);
	resdb_out_str(&o, " Order=");
	resdb_out_u64(&o, uvi->order);
	resdb_out_str(&o, " Index=");
	resdb_out_number(&o, uvi->me);
	resdb_out_str(&o, " Ultra=");
	resdb_out_number(&o, uvi->ultra);
	resdb_out_str(&o, " Avail=");
	resdb_out_number(&o, uvi->avail);
	return resdb_out_end(&o);
}

struct dump {
	char *buf;
	u64 len;
	resdb_line_fn fn;
	void *ctx;
};

static int dump_index(void *ctx, u32 gmk, u32 scale, u64 frame, const u32 *page)
{
	struct dump *d = ctx;
	int n = dump_one(page, gmk, scale, d->buf, d->len);

	return n < 0 ? n : d->fn(d->ctx, d->buf, (u64)n);
}

int resdb_dump(const struct resdb *db, char *buf, u64 len, resdb_line_fn fn, void *ctx)
{
	struct dump d = { .buf = buf, .len = len, .fn = fn, .ctx = ctx };
	int n;

	if (!db->attached)
		return -RESDB_ESTATE;
	n = resdb_dump_uv_index(db, buf, len);
	if (n < 0)
		return n;
	n = fn(ctx, buf, (u64)n);
	return n ? n : resdb_map_visit_index(db, dump_index, &d);
}
