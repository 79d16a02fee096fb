// SPDX-License-Identifier: GPL-2.0
/*
 * uv_resdb_selftest: run the resource database's test vectors in kernel
 * context, twice each: plainly, and with a fault injected at every step and
 * every image of every transaction (the transaction is cut there, recovered
 * from the log's before-images, and the database must hash as before and pass
 * resdb_check()). Test-only: loading the module runs everything once and
 * prints one line per vector; insmod fails with -EINVAL if anything failed.
 *
 * The vectors describe hosts of up to 64 GiB: their pages come from a lazily
 * filled xarray, so the database sees a sparse host of that size.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "resdb/resdb.h"
#include "resdb/text.h"

#define SELFTEST_LOG_SIZE	SZ_1M
#define SELFTEST_SCRATCH_SIZE	SZ_1M
#define SELFTEST_LINE_SIZE	SZ_32K
#define SELFTEST_MAX_PAGES	4096	/* the vectors touch a few hundred */

#define UV_VECTOR_DECL(name) \
	extern const char uv_vec_##name[], uv_vec_##name##_end[]
UV_VECTOR_DECL(figure8);
UV_VECTOR_DECL(seed_logs);
UV_VECTOR_DECL(hosted);
UV_VECTOR_DECL(processors_channels);

#define UV_VECTOR(name) { #name, uv_vec_##name, uv_vec_##name##_end }
static const struct {
	const char *name;
	const char *start;
	const char *end;
} vectors[] = {
	UV_VECTOR(figure8),
	UV_VECTOR(seed_logs),
	UV_VECTOR(hosted),
	UV_VECTOR(processors_channels),
};

struct selftest {
	struct resdb db;
	struct xarray pages;		/* pfn -> zeroed page */
	unsigned long nr_pages;
	void *log;
	struct resdb_vector_env env;
	u32 cuts;
	bool faults;
};

static void *selftest_page(void *ctx, u64 pfn)
{
	struct selftest *st = ctx;
	void *p = xa_load(&st->pages, pfn);

	if (p || st->nr_pages >= SELFTEST_MAX_PAGES)
		return p;
	p = (void *)get_zeroed_page(GFP_KERNEL);
	if (!p)
		return NULL;
	if (xa_err(xa_store(&st->pages, pfn, p, GFP_KERNEL))) {
		free_page((unsigned long)p);
		return NULL;
	}
	st->nr_pages++;
	return p;
}

static const struct resdb_mem_ops selftest_mem = {
	.page = selftest_page,
};

static int selftest_same(struct selftest *st, u64 hash)
{
	struct resdb_check_report rep;

	if (st->db.in_txn || st->db.cut || resdb_image_hash(&st->db) != hash)
		return -EIO;
	return resdb_check(&st->db, st->env.scratch, st->env.scratch_len, &rep) ? -EIO : 0;
}

/*
 * Cut the transaction at every step n and every image count; recover; the
 * database must be as before. Then apply it for real.
 */
static int selftest_fault_apply(void *ctx, struct resdb *db, const struct uv_txn_step *s,
				u32 nr)
{
	struct selftest *st = ctx;
	u64 hash = resdb_image_hash(db);
	u32 n, img, i;
	int ret;

	for (n = 0; n < nr; n++) {
		for (img = 0;; img++) {
			ret = resdb_txn_begin(db);
			if (ret)
				return ret;
			db->fault.armed = true;
			db->fault.step = n;
			db->fault.images = img;
			for (i = 0; i <= n && !ret; i++)
				ret = resdb_txn_step(db, &s[i]);
			db->fault.armed = false;
			if (ret == -RESDB_ECUT) {
				if (resdb_recover(db))
					return -RESDB_ECORRUPT;
				st->cuts++;
			} else if (!ret && resdb_txn_abort(db)) {
				return -RESDB_ECORRUPT;
			}
			if (selftest_same(st, hash))
				return -RESDB_ECORRUPT;
			if (ret != -RESDB_ECUT)
				break;
			cond_resched();
		}
	}
	return resdb_apply(db, s, nr);
}

static void selftest_free_pages(struct selftest *st)
{
	unsigned long pfn;
	void *p;

	xa_for_each(&st->pages, pfn, p)
		free_page((unsigned long)p);
	xa_destroy(&st->pages);
	st->nr_pages = 0;
}

static int selftest_run(struct selftest *st, unsigned int v, bool faults)
{
	int ret;

	xa_init(&st->pages);
	st->cuts = 0;
	st->env.txns = 0;
	st->env.expects = 0;
	st->env.apply = faults ? selftest_fault_apply : NULL;
	st->env.ctx = st;
	ret = resdb_init(&st->db, &selftest_mem, st, st->log, SELFTEST_LOG_SIZE);
	if (!ret)
		ret = resdb_vector_run(&st->db, vectors[v].start,
				       vectors[v].end - vectors[v].start, &st->env);
	if (ret)
		pr_err("vector %s%s: FAILED at line %u column %u: %s (%s)\n", vectors[v].name,
		       faults ? " with faults" : "", st->env.err.line, st->env.err.col,
		       st->env.err.msg, resdb_strerror(ret));
	else if (!st->env.txns || !st->env.expects)
		ret = -RESDB_EINVAL;	/* a vector that checks nothing proves nothing */
	else
		pr_info("vector %s%s: ok: %u transactions, %u expectations, %u cuts recovered, %lu pages\n",
			vectors[v].name, faults ? " with faults" : "", st->env.txns,
			st->env.expects, st->cuts, st->nr_pages);
	selftest_free_pages(st);
	return ret;
}

static int __init uv_resdb_selftest_init(void)
{
	struct selftest *st;
	unsigned int v, failed = 0;

	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->log = kvzalloc(SELFTEST_LOG_SIZE, GFP_KERNEL);
	st->env.scratch = kvzalloc(SELFTEST_SCRATCH_SIZE, GFP_KERNEL);
	st->env.line = kvzalloc(SELFTEST_LINE_SIZE, GFP_KERNEL);
	if (!st->log || !st->env.scratch || !st->env.line) {
		failed = 1;
		goto out;
	}
	st->env.scratch_len = SELFTEST_SCRATCH_SIZE;
	st->env.line_len = SELFTEST_LINE_SIZE;

	for (v = 0; v < ARRAY_SIZE(vectors); v++) {
		failed += !!selftest_run(st, v, false);
		failed += !!selftest_run(st, v, true);
	}
	if (failed)
		pr_err("%u of %zu vector runs FAILED\n", failed, 2 * ARRAY_SIZE(vectors));
	else
		pr_info("all %zu vector runs passed\n", 2 * ARRAY_SIZE(vectors));
out:
	kvfree(st->env.line);
	kvfree(st->env.scratch);
	kvfree(st->log);
	kvfree(st);
	return failed ? -EINVAL : 0;
}
module_init(uv_resdb_selftest_init);

static void __exit uv_resdb_selftest_exit(void)
{
}
module_exit(uv_resdb_selftest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ultravisor test: resource database vectors in kernel context");
