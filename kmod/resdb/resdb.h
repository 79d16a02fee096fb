/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultravisor resource database (WO 2005/036358 paragraphs [0192]-[0224]): who owns
 * every page of memory, every processor time slot and every channel, changed only
 * by transactions whose steps carry their before images ([0156]).
 *
 * Freestanding: memory is reached only through resdb_mem_ops.page (pfn -> pointer),
 * the log ring and struct resdb itself are supplied by the embedder, and nothing here
 * allocates. The caller serialises all calls on one struct resdb (the module holds
 * its database lock; userspace is single threaded per replica).
 */
#ifndef RESDB_RESDB_H
#define RESDB_RESDB_H

#include "resdb/compat.h"
#include "resdb/desc.h"

#define RESDB_PAGE_SIZE		4096
#define RESDB_ENTRIES		1024
#define RESDB_SCALE_MAX		6	/* 4K,4M,4G,4T,4P,4E entries (Figure 7) */
#define RESDB_STAGE_SIZE	2048	/* largest step record */

/* Error codes, returned negated. resdb_strerror() names them. */
enum resdb_err {
	RESDB_OK = 0,
	RESDB_EINVAL,		/* malformed step or argument */
	RESDB_ENOMAP,		/* Map[...] is not the index page at that place */
	RESDB_EFROM,		/* an entry or slot does not hold the "from" value */
	RESDB_ENOTPART,		/* number names no partition descriptor */
	RESDB_ENOTFREE,		/* page is not a free, zeroed, ultravisor 4 KiB page */
	RESDB_ENOTUNIFORM,	/* merge: the 1024 entries do not have one owner */
	RESDB_EBUSY,		/* destroy: still owns or is referenced by something */
	RESDB_EPSEUDO,		/* built-in pseudo partition or control memory misuse */
	RESDB_ESELF,		/* commit: a descriptor page is not owned by itself */
	RESDB_ENOPAGE,		/* the page hook has no memory for a page */
	RESDB_ELOGFULL,		/* the transaction does not fit in the log */
	RESDB_ESTATE,		/* call not valid now (no transaction, one open, cut) */
	RESDB_ECUT,		/* transaction cut (fault injection); resdb_recover() */
	RESDB_ESTALE,		/* log records before that sequence are overwritten */
	RESDB_EDIVERGED,	/* replay: a before image does not match the replica */
	RESDB_ECORRUPT,		/* invariant broken / bad snapshot or log */
	RESDB_ENOSPC,		/* caller's buffer too small */
	RESDB_EPARSE,		/* text form: see resdb_text_error */
	RESDB_ECPU,		/* CPU out of range or already described */
	RESDB_EMISMATCH,	/* vector: dump or expectation differs */
	RESDB_EOWNER,		/* destroy: descriptor page not handed to the ultravisor */
	RESDB_ERR_MAX,
};

const char *resdb_strerror(int err);
/* "EFROM" -> RESDB_EFROM; -RESDB_EINVAL if unknown. */
int resdb_err_by_name(const char *name, u64 len);

struct resdb_mem_ops {
	/*
	 * Map a page frame to its 4 KiB. May return NULL (no memory: the step fails
	 * before anything changes). Once it returned a pointer for a pfn it must keep
	 * returning it: writes after validation may not fail.
	 */
	void *(*page)(void *ctx, u64 pfn);
};

/* Why the last call failed: which step, which entry, what was expected. */
struct resdb_error {
	int code;		/* enum resdb_err */
	u32 step;		/* index of the failing step in its transaction */
	u32 index;		/* entry / slot index, or UV_NONE */
	u32 expected;
	u32 found;
};

/* Fault injection: cut the transaction at step "step" after "images" images. */
struct resdb_fault {
	bool armed;
	u32 step;
	u32 images;
};

struct resdb_log {
	u8 *buf;
	u64 size;		/* bytes, multiple of 8 */
	u64 head;		/* bytes ever written (monotonic; ring offset = % size) */
	u64 tail;		/* monotonic offset of the oldest record kept */
	u64 first_seq;		/* its sequence number */
	u64 next_seq;		/* sequence number of the next record */
};

struct resdb {
	const struct resdb_mem_ops *mem;
	void *mem_ctx;
	u64 base_pfn;		/* window of [G,M,K] numbers: MapHigh ([0214], [0218]) */
	/* copies of the ultravisor index (immutable once formatted) */
	u32 uv_index;
	u32 order;
	u32 top;
	u32 ultra, avail, missing, idle, boot, host;
	bool attached;

	struct resdb_log log;
	/* open transaction */
	bool in_txn;
	bool cut;
	u32 txn_steps;
	u64 txn_seq;		/* seq of its BEGIN */
	u64 txn_pos;		/* log offset of its BEGIN */
	u64 txn_tag;		/* the submitter's tag, in its BEGIN record */

	struct resdb_fault fault;
	struct resdb_error err;
	u32 stage_len;
	u64 stage[RESDB_STAGE_SIZE / 8];	/* step record being built */
};

/* ---- lifecycle (init.c, format.c) ------------------------------------------- */

int resdb_init(struct resdb *db, const struct resdb_mem_ops *mem, void *mem_ctx,
	       void *log_buf, u64 log_size);

enum resdb_format_owner {
	RESDB_FORMAT_AVAILABLE = 0,	/* bare metal: all free memory is available */
	RESDB_FORMAT_HOST = 1,		/* hosted: Linux keeps it until given */
};

/*
 * Boot layout (Figure 8): the boot structures fill the 4 MiB page "region":
 * K=0 the top index page, K=1.. the index pages down to the region's PMM,
 * K=18 the region's PKM, K=19..24 missing, available, idle, boot, ultravisor index,
 * ultravisor; K=17 host when with_host. Other pages below K=25 are reserved for the
 * ultravisor, the rest available. Memory [0, host_pages) is installed.
 */
struct resdb_format {
	u64 host_pages;		/* installed 4 KiB pages, a multiple of 1024 */
	u32 order;		/* scale of the top index page; 0 = smallest covering */
	u32 owner;		/* enum resdb_format_owner */
	u64 region;		/* 4 MiB page number of the boot structures */
	bool with_host;
};

int resdb_format(struct resdb *db, const struct resdb_format *fmt);
/* Attach to an existing image whose ultravisor index is page uv_index. */
int resdb_attach(struct resdb *db, u64 base_pfn, u32 uv_index);

/* ---- transactions (txn.c) ----------------------------------------------------- */

int resdb_txn_begin(struct resdb *db);
/* The same, with the submitter's tag in the BEGIN record (uv_txn_hdr.tag). */
int resdb_txn_begin_tagged(struct resdb *db, u64 tag);
/* Validate, log, apply. On failure the whole transaction is rolled back. */
int resdb_txn_step(struct resdb *db, const struct uv_txn_step *step);
int resdb_txn_commit(struct resdb *db);
int resdb_txn_abort(struct resdb *db);
/* Roll back a transaction left open by a cut, from the log's before images. */
int resdb_recover(struct resdb *db);
/* Begin, every step, commit: all or nothing. */
int resdb_apply(struct resdb *db, const struct uv_txn_step *steps, u32 nr);
int resdb_apply_tagged(struct resdb *db, const struct uv_txn_step *steps, u32 nr, u64 tag);

/* ---- audit log (log.c, replay.c) ------------------------------------------------ */

u64 resdb_log_first_seq(const struct resdb *db);
u64 resdb_log_next_seq(const struct resdb *db);
/*
 * Copy whole records with seq >= from into buf. *next is the seq to ask for next.
 * -RESDB_ESTALE: from is older than the ring holds (take a snapshot instead).
 */
int resdb_log_read(const struct resdb *db, u64 from, void *buf, u64 len, u64 *out_len,
		   u64 *next);
/* Replica: apply records read from a master, checking every before image. */
int resdb_replay(struct resdb *db, const void *recs, u64 len);

/* ---- snapshot (snapshot.c) ---------------------------------------------------- */

int resdb_snapshot_size(const struct resdb *db, u64 *size);
int resdb_snapshot_write(const struct resdb *db, void *buf, u64 len, u64 *out_len);
/* db: initialised (resdb_init), not attached. Loads, attaches, checks. */
int resdb_snapshot_load(struct resdb *db, const void *buf, u64 len, void *scratch,
			u64 scratch_len);
/* A hash of the image (the snapshot's pages and every map entry); 0 on error. */
u64 resdb_image_hash(const struct resdb *db);

/* ---- queries (query.c) -------------------------------------------------------- */

/* GetMemOwner(T,G,M,K) ([0210]): the map entry owning that 4 KiB page (with S). */
u32 resdb_get_mem_owner(const struct resdb *db, u32 t, u32 g, u32 m, u32 k);
/* Owner of a page frame and the scale of the entry that owns it (1 = 4 KiB). */
int resdb_owner_of_pfn(const struct resdb *db, u64 pfn, u32 *owner, u32 *scale);
u32 resdb_owner_of_addr(const struct resdb *db, u64 phys);

/* Called once per maximal run of pages with the same entry value, in pfn order. */
typedef int (*resdb_extent_fn)(void *ctx, u64 pfn, u64 nr_pages, u32 entry);
int resdb_partition_extents(const struct resdb *db, u32 partition, resdb_extent_fn fn,
			    void *ctx);
typedef int (*resdb_partition_fn)(void *ctx, const struct resdb_partition *p);
int resdb_partition_list(const struct resdb *db, resdb_partition_fn fn, void *ctx);

const struct resdb_partition *resdb_partition(const struct resdb *db, u32 number);
const struct resdb_processor *resdb_processor(const struct resdb *db, u32 cpu);
u32 resdb_processor_slot_us(const struct resdb_processor *p);
const struct resdb_channel *resdb_channel(const struct resdb *db, u32 number);

/* ---- invariant checker (check.c) --------------------------------------------- */

struct resdb_check_report {
	u64 pages;		/* 4 KiB pages described */
	u32 partitions;
	u32 index_pages;
	u32 processors;
	u32 channels;
	char msg[128];		/* the first broken rule */
};

/* Scratch bytes resdb_check() needs for this database. */
u64 resdb_check_scratch_size(const struct resdb *db);
int resdb_check(const struct resdb *db, void *scratch, u64 scratch_len,
		struct resdb_check_report *rep);

#endif /* RESDB_RESDB_H */
