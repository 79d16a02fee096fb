// SPDX-License-Identifier: GPL-2.0
/*
 * Resource database figures (printed, never pass/fail):
 *  - database bytes per managed 4 KiB page at 4 KiB, 4 MiB and 4 GiB granularity
 *    (seed: <= 4 B, 0.1 %; KVM rmap 8 B; Linux struct page 64 B);
 *  - change-owner steps/s (Index and IndexRange), transactions/s with logging, and
 *    page-ownership changes/s; the baseline is a plain store of the same entries;
 *  - scale: hosts of 1 GiB .. 4 PiB (sparse) with N partitions: DB memory, time to
 *    create them all, time of a GetMemOwner query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resdb/text.h"
#include "resdb_store.h"

#define GMK(g, m, k) ((u32)((g) << 20 | (m) << 10 | (k)))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_init(struct resdb_sim *sim, u64 host_pages, u32 order)
{
	struct resdb_format f = { .host_pages = host_pages, .order = order, .region = 1 };

	if (resdb_sim_init(sim, 16 << 20) || resdb_format(&sim->db, &f)) {
		fprintf(stderr, "bench: format failed\n");
		exit(1);
	}
}

static struct uv_txn_step co(u32 map, u32 scale, u64 frame, u32 first, u32 last, u32 from,
			     u32 to)
{
	struct uv_txn_step s;

	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_CHANGE_OWNER;
	s.change_owner.at.map = map;
	s.change_owner.at.scale = (u8)scale;
	s.change_owner.at.frame = frame;
	s.change_owner.at.first = (u16)first;
	s.change_owner.at.last = (u16)last;
	s.change_owner.from = from;
	s.change_owner.to = to;
	return s;
}

static void must(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "bench: %s: %s\n", what, resdb_strerror(ret));
		exit(1);
	}
}

/* Database memory per managed page, worst case (4 KiB) and typical (4 MiB/4 GiB). */
static void bytes_per_page(void)
{
	struct resdb_sim sim;
	u64 pages = 1ull << 24;	/* 64 GiB */
	u32 avail, ultra, m, next = 25;
	double db;

	fmt_init(&sim, pages, 3);
	avail = sim.db.avail;
	ultra = sim.db.ultra;
	/* worst case: 1020 4 MiB pages of the first 4 GiB split into 4 KiB pages */
	for (m = 3; m < 1023 && next < 1024; m++) {
		struct uv_txn_step s[2] = {
			co(GMK(0, 1, 18), 1, GMK(0, 1, 0) >> 10, next, next, avail, ultra),
		};
		memset(&s[1], 0, sizeof(s[1]));
		s[1].op = UV_TXN_SPLIT;
		s[1].split.at.map = GMK(0, 1, 1);
		s[1].split.at.scale = 2;
		s[1].split.at.frame = 0;
		s[1].split.at.first = (u16)m;
		s[1].split.at.last = (u16)m;
		s[1].split.child = GMK(0, 1, next);
		s[1].split.owner = avail;
		must(resdb_apply(&sim.db, s, 2), "split");
		next++;
	}
	db = (double)resdb_store_pages(sim.store) * 4096;
	printf("bytes per 4 KiB page, all of 4 GiB at 4 KiB granularity: %.2f B (%.3f %%)"
	       "  [seed <= 4 B; KVM rmap 8 B; struct page 64 B]\n",
	       db / (4.0 * 1024 * 1024 * 1024 / 4096), 100 * db / (4.0 * 1024 * 1024 * 1024));
	resdb_sim_fini(&sim);

	fmt_init(&sim, pages, 3);
	db = (double)resdb_store_pages(sim.store) * 4096;
	printf("bytes per 4 KiB page, 64 GiB host at 4 MiB/4 GiB granularity: %.4f B (%.4f %%)\n",
	       db / (double)pages, 100 * db / (double)(pages * 4096));
	resdb_sim_fini(&sim);
}

static void throughput(void)
{
	struct resdb_sim sim;
	u32 avail, boot, i, n = 200000;
	struct uv_txn_step a, b;
	double t0, t;
	static u32 plain[1024];
	volatile u32 sink = 0;

	fmt_init(&sim, 1ull << 24, 3);
	avail = sim.db.avail;
	boot = sim.db.boot;

	/* baseline: the same entry writes without validation or logging */
	t0 = now();
	for (i = 0; i < n; i++) {
		plain[5] = i & 1 ? avail : boot;
		sink += plain[5];
	}
	t = now() - t0;
	printf("baseline plain entry store: %.1f M/s\n", n / t / 1e6);

	a = co(GMK(0, 1, 1), 2, 0, 5, 5, avail, boot);
	b = co(GMK(0, 1, 1), 2, 0, 5, 5, boot, avail);
	t0 = now();
	for (i = 0; i < n; i++) {
		must(resdb_txn_begin(&sim.db), "begin");
		must(resdb_txn_step(&sim.db, i & 1 ? &b : &a), "step");
		must(resdb_txn_commit(&sim.db), "commit");
	}
	t = now() - t0;
	printf("transactions/s (1 Index step, logged): %.0f  (%.1f us each)\n", n / t,
	       t / n * 1e6);

	a = co(GMK(0, 1, 1), 2, 0, 3, 3 + 255, avail, boot);
	b = co(GMK(0, 1, 1), 2, 0, 3, 3 + 255, boot, avail);
	n = 20000;
	t0 = now();
	must(resdb_txn_begin(&sim.db), "begin");
	for (i = 0; i < n; i++) {
		if (i && i % 1000 == 0) {
			must(resdb_txn_commit(&sim.db), "commit");
			must(resdb_txn_begin(&sim.db), "begin");
		}
		must(resdb_txn_step(&sim.db, i & 1 ? &b : &a), "step");
	}
	must(resdb_txn_commit(&sim.db), "commit");
	t = now() - t0;
	printf("IndexRange steps/s (256 entries of 4 MiB): %.0f = %.1f M entry changes/s "
	       "= %.0f M 4K-page ownership changes/s  [goal >= 1 M/s]\n",
	       n / t, n * 256.0 / t / 1e6, n * 256.0 * 1024 / t / 1e6);
	(void)sink;
	resdb_sim_fini(&sim);
}

/* Create nr partitions (descriptor pages split out of 4 MiB pages) on a host. */
static void scale_row(const char *name, u64 host_pages, u32 order, u32 nr)
{
	struct resdb_sim sim;
	u32 avail, ultra, i, pkm = 0, k = 1024, pmm = GMK(0, 1, order - 2), made = 0;
	u64 m = 3;	/* next 4 MiB page (scale 2 number) to give away */
	double t0, t, tq;
	volatile u32 sink = 0;

	fmt_init(&sim, host_pages, order);
	avail = sim.db.avail;
	ultra = sim.db.ultra;
	t0 = now();
	for (i = 0; i < nr; i++) {
		struct uv_txn_step s[4];
		u32 pn;

		if (k == 1024) {
			/* a new 4 MiB page of descriptors: split it under a fresh PKM taken
			 * from the boot region's spare pages */
			u32 split_at = (u32)(m++);

			memset(s, 0, sizeof(s));
			s[0] = co(pmm, 2, 0, split_at, split_at, avail, ultra);
			must(resdb_apply(&sim.db, s, 1), "reserve");
			s[0] = co(GMK(0, 1, 18), 1, GMK(0, 1, 0) >> 10, 25 + (i >> 10) % 999,
				  25 + (i >> 10) % 999, avail, ultra);
			memset(&s[1], 0, sizeof(s[1]));
			s[1].op = UV_TXN_SPLIT;
			s[1].split.at.map = pmm;
			s[1].split.at.scale = 2;
			s[1].split.at.first = (u16)split_at;
			s[1].split.at.last = (u16)split_at;
			s[1].split.child = GMK(0, 1, 25 + (i >> 10) % 999);
			s[1].split.owner = ultra;
			must(resdb_apply(&sim.db, s, 2), "split");
			pkm = GMK(0, 1, 25 + (i >> 10) % 999);
			k = 0;
		}
		pn = GMK(0, (u32)(m - 1), k);
		memset(s, 0, sizeof(s));
		s[0].op = UV_TXN_INIT_PARTITION;
		s[0].partition.number = pn;
		s[0].partition.type = UV_PT_USER;
		s[0].partition.name[0] = 'p';
		s[1] = co(pkm, 1, m - 1, k, k, ultra, pn);
		must(resdb_apply(&sim.db, s, 2), "create");
		made++;
		k++;
		if (k == 1024 && m >= 1000)
			break;
	}
	t = now() - t0;
	t0 = now();
	for (i = 0; i < 100000; i++)
		sink += resdb_get_mem_owner(&sim.db, 0, 0, i & 1023, i & 1023);
	tq = (now() - t0) / 100000;
	printf("%-8s order %u, %7u partitions: DB %8.1f MiB, create %7.3f s (%.1f us each), "
	       "GetMemOwner %.0f ns\n", name, order, made,
	       (double)resdb_store_pages(sim.store) * 4096.0 / (1 << 20), t, t / (made ? made : 1) * 1e6,
	       tq * 1e9);
	(void)sink;
	resdb_sim_fini(&sim);
}

int main(void)
{
	printf("== resdb benchmark (userspace build)\n");
	bytes_per_page();
	throughput();
	scale_row("1 GiB", 1ull << 18, 2, 1000);
	scale_row("64 GiB", 1ull << 24, 3, 100000);
	scale_row("4 TiB", 1ull << 30, 3, 100000);
	scale_row("4 PiB", 1ull << 40, 4, 100000);
	scale_row("4 PiB", 1ull << 40, 4, 1000000);
	return 0;
}
