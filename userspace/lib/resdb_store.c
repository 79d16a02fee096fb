// SPDX-License-Identifier: GPL-2.0
/* Sparse page store for the userspace build of the resource database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resdb_store.h"

#define CHUNK_PAGES 256

struct resdb_store {
	uint64_t *keys;		/* pfn + 1; 0 = empty */
	void **vals;
	uint64_t cap, used;
	uint64_t budget;	/* pages still allowed, when limited */
	int limited;
	void **chunks;		/* CHUNK_PAGES pages each */
	uint64_t nr_chunks, chunk_cap, chunk_used;
};

struct resdb_store *resdb_store_new(void)
{
	struct resdb_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cap = 1024;
	st->keys = calloc(st->cap, sizeof(*st->keys));
	st->vals = calloc(st->cap, sizeof(*st->vals));
	st->chunk_used = CHUNK_PAGES;
	if (!st->keys || !st->vals) {
		resdb_store_free(st);
		return NULL;
	}
	return st;
}

void resdb_store_free(struct resdb_store *st)
{
	uint64_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr_chunks; i++)
		free(st->chunks[i]);
	free(st->chunks);
	free(st->keys);
	free(st->vals);
	free(st);
}

static uint64_t slot_of(const struct resdb_store *st, uint64_t pfn)
{
	uint64_t h = (pfn + 1) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	for (h &= st->cap - 1; st->keys[h] && st->keys[h] != pfn + 1; h = (h + 1) & (st->cap - 1))
		;
	return h;
}

static int grow(struct resdb_store *st)
{
	struct resdb_store n = *st;
	uint64_t i;

	n.cap = st->cap * 2;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	for (i = 0; i < st->cap; i++) {
		uint64_t s;

		if (!st->keys[i])
			continue;
		s = slot_of(&n, st->keys[i] - 1);
		n.keys[s] = st->keys[i];
		n.vals[s] = st->vals[i];
	}
	free(st->keys);
	free(st->vals);
	st->keys = n.keys;
	st->vals = n.vals;
	st->cap = n.cap;
	return 0;
}

static void *new_page(struct resdb_store *st)
{
	if (st->chunk_used == CHUNK_PAGES) {
		void *c;

		if (st->nr_chunks == st->chunk_cap) {
			uint64_t cap = st->chunk_cap ? 2 * st->chunk_cap : 64;
			void **n = realloc(st->chunks, cap * sizeof(*n));

			if (!n)
				return NULL;
			st->chunks = n;
			st->chunk_cap = cap;
		}
		c = aligned_alloc(RESDB_PAGE_SIZE, (size_t)CHUNK_PAGES * RESDB_PAGE_SIZE);
		if (!c)
			return NULL;
		memset(c, 0, (size_t)CHUNK_PAGES * RESDB_PAGE_SIZE);
		st->chunks[st->nr_chunks++] = c;
		st->chunk_used = 0;
	}
	return (char *)st->chunks[st->nr_chunks - 1] + RESDB_PAGE_SIZE * st->chunk_used++;
}

void *resdb_store_peek(const struct resdb_store *st, uint64_t pfn)
{
	uint64_t s = slot_of(st, pfn);

	return st->keys[s] ? st->vals[s] : NULL;
}

static void *store_page(void *ctx, u64 pfn)
{
	struct resdb_store *st = ctx;
	uint64_t s = slot_of(st, pfn);
	void *p;

	if (st->keys[s])
		return st->vals[s];
	if (st->limited && !st->budget)
		return NULL;
	if (2 * (st->used + 1) > st->cap) {
		if (grow(st))
			return NULL;
		s = slot_of(st, pfn);
	}
	p = new_page(st);
	if (!p)
		return NULL;
	st->keys[s] = pfn + 1;
	st->vals[s] = p;
	st->used++;
	if (st->limited)
		st->budget--;
	return p;
}

const struct resdb_mem_ops resdb_store_ops = { .page = store_page };

void resdb_store_set_budget(struct resdb_store *st, uint64_t budget)
{
	st->limited = budget != 0;
	st->budget = budget;
}

uint64_t resdb_store_pages(const struct resdb_store *st)
{
	return st->used;
}

static int covers(const struct resdb_store *a, const struct resdb_store *b)
{
	static const char zero[RESDB_PAGE_SIZE];
	uint64_t i;

	for (i = 0; i < a->cap; i++) {
		const void *p, *q;

		if (!a->keys[i])
			continue;
		p = a->vals[i];
		q = resdb_store_peek(b, a->keys[i] - 1);
		if (memcmp(p, q ? q : zero, RESDB_PAGE_SIZE) != 0)
			return 0;
	}
	return 1;
}

int resdb_store_equal(const struct resdb_store *a, const struct resdb_store *b)
{
	return covers(a, b) && covers(b, a);
}

struct resdb_store *resdb_store_clone(const struct resdb_store *st)
{
	struct resdb_store *n = resdb_store_new();
	uint64_t i;

	for (i = 0; n && i < st->cap; i++) {
		void *p;

		if (!st->keys[i])
			continue;
		p = store_page(n, st->keys[i] - 1);
		if (!p) {
			resdb_store_free(n);
			return NULL;
		}
		memcpy(p, st->vals[i], RESDB_PAGE_SIZE);
	}
	return n;
}

int resdb_sim_init(struct resdb_sim *sim, uint64_t log_size)
{
	memset(sim, 0, sizeof(*sim));
	sim->store = resdb_store_new();
	sim->log = malloc(log_size);
	if (!sim->store || !sim->log) {
		resdb_sim_fini(sim);
		return -RESDB_ENOPAGE;
	}
	return resdb_init(&sim->db, &resdb_store_ops, sim->store, sim->log, log_size);
}

void resdb_sim_fini(struct resdb_sim *sim)
{
	resdb_store_free(sim->store);
	free(sim->log);
	free(sim->scratch);
	memset(sim, 0, sizeof(*sim));
}

int resdb_sim_check(struct resdb_sim *sim, struct resdb_check_report *rep)
{
	uint64_t need = resdb_check_scratch_size(&sim->db);

	if (need > sim->scratch_len) {
		void *n = realloc(sim->scratch, need);

		if (!n)
			return -RESDB_ENOPAGE;
		sim->scratch = n;
		sim->scratch_len = need;
	}
	return resdb_check(&sim->db, sim->scratch, sim->scratch_len, rep);
}

char *resdb_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 8192);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}
