/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sparse page store: the userspace implementation of the resource database's page
 * hook. Pages appear, zeroed, the first time the database asks for them, so a test
 * can describe a 64 GiB host and a simulation a 4 PiB one while only the pages the
 * database is made of take memory.
 */
#ifndef ULTRA_RESDB_STORE_H
#define ULTRA_RESDB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "resdb/resdb.h"

struct resdb_store;

struct resdb_store *resdb_store_new(void);
void resdb_store_free(struct resdb_store *st);
/* The hook to pass to resdb_init() with the store as context. */
extern const struct resdb_mem_ops resdb_store_ops;

/* Fail every allocation after "budget" more pages (0: unlimited). For tests. */
void resdb_store_set_budget(struct resdb_store *st, uint64_t budget);
uint64_t resdb_store_pages(const struct resdb_store *st);
/* The page if present, without creating it. */
void *resdb_store_peek(const struct resdb_store *st, uint64_t pfn);
/* Byte equality; a page absent on one side equals a zero page. */
int resdb_store_equal(const struct resdb_store *a, const struct resdb_store *b);
struct resdb_store *resdb_store_clone(const struct resdb_store *st);

/* A ready-to-use database over a fresh store with a malloc'd log. */
struct resdb_sim {
	struct resdb db;
	struct resdb_store *store;
	void *log;
	void *scratch;
	uint64_t scratch_len;
};

int resdb_sim_init(struct resdb_sim *sim, uint64_t log_size);
void resdb_sim_fini(struct resdb_sim *sim);
/* resdb_check() with a scratch buffer grown as needed; fills rep. */
int resdb_sim_check(struct resdb_sim *sim, struct resdb_check_report *rep);

/* Read a whole file (test vectors); NUL terminated; free() it. NULL on error. */
char *resdb_read_file(const char *path, size_t *len);

#endif /* ULTRA_RESDB_STORE_H */
