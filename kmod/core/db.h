/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's resource database (kmod/resdb/ embedded in the kernel): the one
 * struct resdb, the lock that serialises it, the memory it lives in (the boot
 * region and the pool), and the helpers the ioctls and the pool use. The lock
 * order and what each lock protects are written at the top of db.c.
 */
#ifndef _UV_CORE_DB_H
#define _UV_CORE_DB_H

#include <linux/bits.h>
#include <linux/mm_types.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/ultravisor.h>

#include "resdb/resdb.h"

/* The database's allocation unit: a 4 MiB physically contiguous page. */
#define UV_CHUNK_ORDER		10
#define UV_CHUNK_PAGES		BIT(UV_CHUNK_ORDER)

/* The audit log ring: room for the largest transaction (1024 steps) twice. */
#define UV_LOG_BYTES		(4ul << 20)

struct uv_db {
	struct rw_semaphore lock;
	struct resdb db;
	struct page *region;		/* the 4 MiB boot region */
	u64 region_pfn;
	void *log;			/* vmalloc'd ring, UV_LOG_BYTES */
	struct xarray pool;		/* pfn >> UV_CHUNK_ORDER -> struct page * */
	u64 pool_chunks;
	u32 next_k;			/* next boot-region page to try for an index page */
	u32 user_partitions;		/* partition descriptors that are not built in */
	bool pinned;			/* holding a module reference for them */
};

extern struct uv_db uv_db;

/* Why a transaction failed, for the ioctl's out fields and the log. */
struct uv_txn_result {
	u64 begin_seq;
	u64 log_seq;
	u32 steps;
	struct resdb_error err;
	char message[UV_MESSAGE_LEN];
};

int uv_db_init(void);
void uv_db_exit(void);

/* A pseudo or otherwise built-in partition (not a user's). Lock held. */
bool uv_db_is_builtin(u32 number);
/* The page hook answers for @pfn: boot region or pool. Lock held. */
bool uv_db_page_is_ours(u64 pfn);

/* resdb error code -> negative errno (the table in docs/uapi.md). */
int uv_resdb_errno(int code);

/*
 * Apply one transaction under the write lock (taken here). @pause: honour the
 * test hook (ioctl path only). @tag: the submitter's, into the BEGIN record.
 * Events are raised after the lock is dropped.
 */
int uv_db_submit(const struct uv_txn_step *steps, u32 nr, bool pause, u64 tag,
		 struct uv_txn_result *res);
/* The same with the write lock already held, the module's own (tag 0); no events. */
int uv_db_apply_locked(const struct uv_txn_step *steps, u32 nr, bool pause,
		       struct uv_txn_result *res);

/*
 * Where the map decides the owner of @pfn at @want scale or above: index page
 * @map (a [G,M,K] number), its scale and frame, and the entry's index and value.
 * Caller holds the lock.
 */
struct uv_map_pos {
	u32 map;
	u32 scale;
	u64 frame;
	u32 index;
	u32 value;
};

int uv_map_find(u64 pfn, u32 want, struct uv_map_pos *pos);

/*
 * Steps that split the host-owned entry at @pos one scale down, taking an
 * index page from the boot region. Appends 2 steps to @steps at *@nr.
 */
int uv_map_split_steps(const struct uv_map_pos *pos, struct uv_txn_step *steps, u32 *nr);

/* hostmem.c: describe the host's RAM in a freshly allocated region (load time). */
int uv_hostmem_format(void);

/* pool.c */
int uv_pool_resize(u32 op, u64 bytes, u64 *log_seq, char *msg, size_t msg_len);
/* The same, a grow from NUMA @node first (NUMA_NO_NODE: anywhere); strict: only there. */
int uv_pool_resize_node(u32 op, u64 bytes, int node, bool strict, u64 *log_seq,
			u64 *node_bytes, char *msg, size_t msg_len);
int uv_pool_info(struct uv_pool *p);
void uv_pool_exit(void);

/* testhook.c: the test-only pause between steps (debugfs) */
int uv_testhook_init(void);
void uv_testhook_exit(void);
int uv_testhook_after_step(u32 step);

#endif /* _UV_CORE_DB_H */
