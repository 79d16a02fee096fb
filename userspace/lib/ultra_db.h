/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libultra: the resource database over /dev/ultravisor - submit transactions
 * (parsed from the seed's text notation), snapshots, the audit log, the
 * checker, the pool - and a userspace replica of the kernel's database
 * (snapshot + log replay, kmod/resdb/ built into libresdb.a).
 *
 * Every function returns 0 or a negative errno and fills @e with the errno and
 * the module's reason when it gave one.
 */
#ifndef ULTRA_DB_H
#define ULTRA_DB_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_txn.h>

#include "ultra.h"
#include "resdb_store.h"
#include "resdb/text.h"

/* ---- transactions in the text notation ---- */

struct ultra_txn {
	struct uv_txn_step *steps;
	uint32_t nr;
	uint32_t line;		/* line of its "Begin Transaction" */
};

struct ultra_txn_list {
	struct ultra_txn *txn;
	uint32_t nr;
};

/*
 * Parse every "Begin Transaction ... Commit Transaction" block of @text (an
 * "Abort Transaction" block is dropped). Errors name the line and column:
 * "line 3, column 14: expected ','" [EINVAL].
 */
int ultra_txn_parse(const char *text, size_t len, struct ultra_txn_list *out,
		    struct ultra_err *e);
void ultra_txn_list_free(struct ultra_txn_list *l);

/* Encode and submit one transaction on the holder's @fd; @out gets the answer. */
int ultra_txn_submit(int fd, const struct uv_txn_step *steps, uint32_t nr,
		     struct uv_txn_submit *out, struct ultra_err *e);

/* ---- reading the database ---- */

/* A whole snapshot in a malloc'd buffer (*buf, *len); @out: its header fields. */
int ultra_snapshot(int fd, void **buf, size_t *len, struct uv_snapshot *out,
		   struct ultra_err *e);
/* Records from @from into @buf (8-byte aligned); @out says how many bytes and what next. */
int ultra_log_read(int fd, uint64_t from, void *buf, size_t len, struct uv_log_read *out,
		   struct ultra_err *e);
/* The kernel-side checker; -EUCLEAN with the first broken rule in @e when it fails. */
int ultra_check(int fd, struct uv_check *out, struct ultra_err *e);
/* op 0: info (any fd); UV_POOL_GROW/SHRINK/SET: resize (holder). */
int ultra_pool(int fd, uint32_t op, uint64_t bytes, struct uv_pool *out, struct ultra_err *e);
/* A grow from NUMA node @node (flags UV_POOL_F_NODE, and UV_POOL_F_STRICT): ABI 1.6. */
int ultra_pool_node(int fd, uint32_t op, uint64_t bytes, uint32_t node, uint32_t flags,
		    struct uv_pool *out, struct ultra_err *e);
/* Owner of page frame @pfn and the scale of its entry. */
int ultra_owner(int fd, uint64_t pfn, uint32_t *owner, uint32_t *scale, struct ultra_err *e);

/* ---- a replica of the kernel's database ---- */

struct ultra_replica {
	struct resdb_sim sim;
	uint64_t snap_seq;	/* next_seq of the snapshot it started from */
	uint64_t replayed;	/* log records replayed since */
};

/* Load a snapshot (from the kernel or a file) and check it. */
int ultra_replica_load(struct ultra_replica *r, const void *snap, size_t len,
		       struct ultra_err *e);
/* Replay the kernel's log from the replica's next sequence number to the end. */
int ultra_replica_sync(struct ultra_replica *r, int fd, struct ultra_err *e);
void ultra_replica_fini(struct ultra_replica *r);


/* Parse "64M", "1G", "4096k", "4194304": bytes; -EINVAL if not a size. */
int ultra_parse_size(const char *s, uint64_t *bytes);

#endif /* ULTRA_DB_H */
