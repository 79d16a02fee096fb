/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultra-commandd: the command partition's resource service (WO 2005/036358
 * ¶[0090]-[0092], [0174]-[0187], [0203]-[0204]). The only client of the module's
 * command channel: it keeps a replica of the resource database, decides which
 * memory, processors and time slots each partition gets (placement.c, schedule.c)
 * and submits those decisions as transactions.
 *
 * Pieces, one file each:
 *   boot.c        images into new partitions through their Boot channel (¶[0126])
 *   backend_*.c   the module as the daemon sees it (struct cmdd_backend_ops):
 *                 backend_master.c is an in-process resource database acting as the
 *                 module does (tests, benchmarks, --backend sim)
 *   replica.c     the replica: two resdb images, left-right, published with RCU
 *   map.c         reading the fractal map (index pages, free runs)
 *   placement.c   memory policy and the dry-run plan every transaction is built in
 *   numa.c        the host's NUMA nodes, for placement
 *   schedule.c    processor/duty-cycle policy (Figures 5 and 6)
 *   service.c     requests -> plans -> transactions; idempotent retries; restart
 *   journal.c     request ids -> results, in a small file replaced atomically
 *   protocol.c    the JSON request parser and response shapes (docs/command-api.md)
 *   server.c      the UNIX socket, SO_PEERCRED, one thread per connection
 *   log.c         journald-friendly log lines
 *   notify.c      readiness for systemd (sd_notify's datagram protocol, no libsystemd)
 *
 * Locking: service.update_lock serialises everything that changes the database
 * (one updater); readers never lock, they read the published replica inside an RCU
 * read-side critical section (replica.c explains the left-right scheme). Lock
 * order: update_lock, then the journal (updater only), then the backend's own lock.
 */
#ifndef CMDD_COMMANDD_H
#define CMDD_COMMANDD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "boot_load.h"
#include "cmdapi.h"
#include "resdb/resdb.h"
#include "ultra.h"

struct resdb_store;

/* ---- log.c ---------------------------------------------------------------------- */

/* syslog priorities; with JOURNAL_STREAM set lines carry "<N>" for journald. */
#define CMDD_LOG_ERR		3
#define CMDD_LOG_WARNING	4
#define CMDD_LOG_NOTICE		5
#define CMDD_LOG_INFO		6
#define CMDD_LOG_DEBUG		7

void cmdd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Lines above this priority are dropped (CMDD_LOG_INFO by default). */
void cmdd_log_set_level(int prio);

/* ---- notify.c: readiness for systemd, the sd_notify(3) datagram protocol ---------- */

/*
 * Send state ("READY=1", "STOPPING=1", "STATUS=...", newline-separated) to the
 * AF_UNIX datagram socket addr ("/path" or "@abstract"). Returns 1 when sent, 0
 * when addr is NULL or empty (nothing to tell), or a negative errno with e filled.
 */
int cmdd_notify_to(const char *addr, const char *state, struct ultra_err *e);
/* The same to $NOTIFY_SOCKET; a failure is logged, never fatal. */
int cmdd_notify(const char *state);

/* ---- backend: the module's command channel ---------------------------------------- */

enum cmdd_ctl {
	CMDD_CTL_START = 1,
	CMDD_CTL_PAUSE,
	CMDD_CTL_RESUME,
	CMDD_CTL_STOP,
	CMDD_CTL_UNLOAD,	/* drop a monitor instance that does not run */
};

/* What a submitted transaction did (mirrors struct uv_txn_submit's outputs). */
struct cmdd_submit_res {
	u64 begin_seq;		/* its BEGIN record, 0 if it never began */
	u64 commit_seq;		/* its COMMIT record, 0 if it did not commit */
	u32 resdb_err;		/* enum resdb_err */
	u32 err_step;
	u32 err_index;
	u32 err_expected;
	u32 err_found;
};

struct cmdd_host_info {
	u32 nr_cpus;		/* physical CPUs the module knows */
	bool txn_tags;		/* submit keeps uv_txn_hdr.tag in the BEGIN record (ABI 1.5) */
};

/* A partition's run state (struct uv_part_status, ABI 1.2). */
struct cmdd_run_status {
	u32 state;		/* UV_PSTATE_* (NONE: no monitor instance) */
	u32 cpu;
	u32 exited;		/* it stopped itself, with exit_code */
	u32 exit_code;
	u32 exit_how;		/* UV_PEXITED_*: exit port, power-off, reset... */
	u32 fault_reason;	/* UV_PFAULT_* */
	u64 fault_gpa;
	u64 exits_host;		/* host interrupts that took the CPU back */
	u64 exits;		/* all exits */
	u64 console_bytes;
	u64 mem_bytes;
};

/* The module's pool (struct uv_pool's outputs): memory taken from Linux. */
struct cmdd_pool_info {
	u64 pool_bytes;		/* what the pool holds */
	u64 available_bytes;	/* what "available" owns (pool and boot region) */
	u64 free_bytes;		/* pool memory in whole free 4 MiB pages: shrinkable now */
	u64 host_bytes;		/* what Linux keeps */
};

enum cmdd_pool_op {
	CMDD_POOL_INFO = 0,
	CMDD_POOL_GROW,		/* take bytes more from Linux */
	CMDD_POOL_SHRINK,	/* give bytes of free pool pages back */
};

/* A channel the daemon serves, with its client's memory mapped (chan_open). */
struct cmdd_chan_map {
	int fd;			/* the channel fd; closing it detaches */
	u8 *base;		/* guest-physical 0 of the client */
	u64 mem_bytes;		/* the client's memory, all of it mapped */
	u64 channel_gpa;	/* the channel's header page */
	u64 channel_size;
	u32 client;
	u32 epoch;		/* server_epoch of this attach */
};

struct cmdd_backend;

/*
 * The module as the daemon uses it. Every function returns 0 or a negative errno
 * and fills e with a sentence. Called by the updater only (service.update_lock),
 * except snapshot (also db verify, under the same lock).
 */
struct cmdd_backend_ops {
	const char *name;
	/* A consistent image: struct uv_snap_hdr + pages, malloc'd into *buf. */
	int (*snapshot)(struct cmdd_backend *be, void **buf, size_t *len,
			struct ultra_err *e);
	/*
	 * Whole audit-log records with seq >= from into buf. *next: the seq to ask
	 * for next; *head: the seq the next record will get. -ESTALE: the ring no
	 * longer holds from; -ENOSPC: buf is too small for the first record.
	 */
	int (*log_read)(struct cmdd_backend *be, u64 from, void *buf, size_t len,
			size_t *out_len, u64 *next, u64 *head, struct ultra_err *e);
	/* One transaction in its binary form (struct uv_txn_hdr + steps). */
	int (*submit)(struct cmdd_backend *be, const void *txn, size_t len,
		      struct cmdd_submit_res *res, struct ultra_err *e);
	/* Run control of a partition: needs the monitor. */
	int (*control)(struct cmdd_backend *be, u32 partition, enum cmdd_ctl op,
		       struct ultra_err *e);
	/*
	 * Build the partition's monitor instance from the database without an
	 * image (NULL: no monitor): memory zeroed, not startable until entry.
	 * *cpu: where it will run; *mem_bytes: its guest memory, from 0.
	 */
	int (*build)(struct cmdd_backend *be, u32 partition, u32 *cpu, u64 *mem_bytes,
		     struct ultra_err *e);
	/* The entry state of an image written through the Boot channel. */
	int (*entry)(struct cmdd_backend *be, u32 partition, const struct ultra_boot_entry *en,
		     struct ultra_err *e);
	/* Serve a channel as server: attach and map its client's memory. */
	int (*chan_open)(struct cmdd_backend *be, u32 channel, u32 server,
			 struct cmdd_chan_map *m, struct ultra_err *e);
	/* Unmap and detach (the module's transaction). */
	void (*chan_close)(struct cmdd_backend *be, struct cmdd_chan_map *m);
	/* Run state (NULL: no monitor; every partition is just "defined"). */
	int (*status)(struct cmdd_backend *be, u32 partition, struct cmdd_run_status *st,
		      struct ultra_err *e);
	int (*host_info)(struct cmdd_backend *be, struct cmdd_host_info *h,
			 struct ultra_err *e);
	/*
	 * The pool (NULL when the backend has none: all its memory is available
	 * from the start). GROW/SHRINK are one transaction each, all or nothing;
	 * info is filled after the operation either way.
	 */
	int (*pool)(struct cmdd_backend *be, enum cmdd_pool_op op, u64 bytes,
		    struct cmdd_pool_info *info, struct ultra_err *e);
	/* Give up the command channel (another daemon may then hold it). */
	void (*close)(struct cmdd_backend *be);
};

struct cmdd_backend {
	const struct cmdd_backend_ops *ops;
};

/* backend_master.c: an in-process database that validates, applies and logs. */
struct cmdd_master_cfg {
	u64 host_pages;		/* 4 KiB pages of the simulated host (multiple of 1024) */
	u32 nr_cpus;
	u64 log_size;		/* bytes of its audit-log ring; 0: 16 MiB */
	/*
	 * Hosted, as the module: memory starts as "host" and a pool moves 4 MiB
	 * entries to "available" and back. Only 4 MiB entries the map already has
	 * are used (hosts up to 4 GiB). false: everything is available at once.
	 */
	bool pool;
};

struct cmdd_master;

struct cmdd_master *cmdd_master_new(const struct cmdd_master_cfg *cfg, struct ultra_err *e);
void cmdd_master_free(struct cmdd_master *m);
/* Hold its command channel: -EBUSY while another backend holds it. */
int cmdd_master_open(struct cmdd_master *m, struct cmdd_backend **be, struct ultra_err *e);
/* For tests: the master's database under its lock (release with _unlock). */
struct resdb *cmdd_master_lock(struct cmdd_master *m);
void cmdd_master_unlock(struct cmdd_master *m);
/* resdb_check() of the master's database. */
int cmdd_master_check(struct cmdd_master *m, struct resdb_check_report *rep);
/* Apply a transaction directly (bench/test set-up), as submit does. */
int cmdd_master_apply(struct cmdd_master *m, const struct uv_txn_step *s, u32 nr);
/*
 * Test hook: fn runs once, under the master's lock, right before the next
 * submitted transaction is applied - another client (the module itself, a channel
 * server) slipping its transaction in between the daemon's journal and its submit.
 */
void cmdd_master_interleave(struct cmdd_master *m, void (*fn)(struct resdb *db, void *arg),
			    void *arg);

/* backend_dev.c: /dev/ultravisor (NULL path: ultra_dev_path()). */
int cmdd_dev_open(const char *path, struct cmdd_backend **be, struct ultra_err *e);

/* resdb error code -> errno, as the module maps them (docs/command-api.md). */
int cmdd_resdb_errno(int resdb_err);

/* ---- replica.c ------------------------------------------------------------------ */

struct cmdd_view {
	struct resdb db;
	struct resdb_store *store;
	void *log;
	bool writable;		/* false while published: the page hook only peeks */
};

struct cmdd_replica {
	struct cmdd_view side[2];
	struct cmdd_view *cur;		/* RCU-protected: what readers see */
	struct cmdd_view *standby;	/* the updater's, equal to cur between updates */
	struct cmdd_backend *be;
	void *recs;			/* records of the current catch-up */
	size_t recs_len, recs_cap;
	void *scratch;			/* resdb_check() scratch */
	size_t scratch_len;
	/* statistics (updater writes, readers may read torn values: counters only) */
	u64 resyncs;
	u64 log_bytes;		/* audit-log bytes replayed */
	double last_resync_ms;
};

int cmdd_replica_init(struct cmdd_replica *r, struct cmdd_backend *be, struct ultra_err *e);
void cmdd_replica_fini(struct cmdd_replica *r);
/* Updater: rebuild both sides from a snapshot and the log after it. */
int cmdd_replica_resync(struct cmdd_replica *r, struct ultra_err *e);
/* Updater: apply what the module logged since; resyncs when the ring moved on. */
int cmdd_replica_catch_up(struct cmdd_replica *r, struct ultra_err *e);
/*
 * Readers (threads registered with rcu_register_thread()): the published
 * database, valid until cmdd_replica_read_unlock(). NULL before the first resync.
 */
const struct resdb *cmdd_replica_read_lock(struct cmdd_replica *r);
void cmdd_replica_read_unlock(struct cmdd_replica *r);
/* Updater: the standby image (equal to the published one between updates). */
struct resdb *cmdd_replica_standby(struct cmdd_replica *r);

/* ---- map.c: reading the fractal map --------------------------------------------- */

struct cmdd_ipage {
	u32 gmk;		/* [G,M,K] of the index page */
	u32 scale;		/* of its entries: 1 = 4 KiB, 2 = 4 MiB, 3 = 4 GiB ... */
	u64 frame;		/* its position at that scale (entry number / 1024) */
	u32 parent;		/* the index page referring to it, UV_NONE for the top */
	u32 parent_index;
	const u32 *e;		/* its 1024 entries */
};

typedef int (*cmdd_ipage_fn)(void *ctx, const struct cmdd_ipage *p);
/* Every index page, parent before children. */
int cmdd_map_visit(const struct resdb *db, cmdd_ipage_fn fn, void *ctx);
/* First page frame an entry describes. */
u64 cmdd_entry_pfn(u32 scale, u64 frame, u32 index);
/* The 4 KiB page number ([G,M,K]) of pfn inside the database window. */
u32 cmdd_pfn_gmk(const struct resdb *db, u64 pfn);
/* The entry deciding the owner of pfn: its page, scale, frame, index and value. */
int cmdd_map_lookup(const struct resdb *db, u64 pfn, struct cmdd_ipage *page, u32 *index,
		    u32 *value);

/* Entry i is free: "available" owns it (and it is not that partition's descriptor). */
bool cmdd_entry_free(const struct cmdd_ipage *p, u32 i, u32 avail, u64 avail_pfn);

struct cmdd_map_stats {
	u32 index_pages[RESDB_SCALE_MAX + 1];	/* by the scale of their entries */
	u64 free_entries[RESDB_SCALE_MAX + 1];	/* entries owned by "available" */
	u64 free_pages;				/* 4 KiB pages owned by "available" */
};

int cmdd_map_stats(const struct resdb *db, struct cmdd_map_stats *st);

/* ---- numa.c: which memory and CPUs share a node ------------------------------------ */

#define CMDD_NUMA_NODES		16
#define CMDD_NUMA_RANGES	64

struct cmdd_numa_range {
	u64 start_pfn;
	u64 end_pfn;		/* exclusive */
	u32 node;
};

/* nr_nodes < 2: no preference (one node, or the topology is unknown). */
struct cmdd_numa {
	u32 nr_nodes;
	u32 nr_ranges;
	struct cmdd_numa_range range[CMDD_NUMA_RANGES];
	int8_t cpu_node[RESDB_MAX_CPUS];	/* -1: unknown */
};

void cmdd_numa_clear(struct cmdd_numa *n);
/* A synthetic host: memory and CPUs cut evenly into nodes (--sim-nodes, tests). */
void cmdd_numa_even(struct cmdd_numa *n, u32 nodes, u64 host_pages, u32 nr_cpus);
/* From sysfs (root NULL: /sys/devices/system); 0 or a negative errno (then cleared). */
int cmdd_numa_from_sysfs(const char *root, struct cmdd_numa *n);
/* The node of cpu, or -1 (no preference). */
int cmdd_numa_node_of_cpu(const struct cmdd_numa *n, u32 cpu);
/* [pfn, pfn + nr) lies in one range of node. */
bool cmdd_numa_in_node(const struct cmdd_numa *n, int node, u64 pfn, u64 nr);

/* ---- placement.c, schedule.c -------------------------------------------------- */

enum cmdd_role {
	CMDD_ROLE_USER = 0,
	CMDD_ROLE_IO,
	CMDD_ROLE_COMMAND,
	CMDD_ROLE_OPERATIONS,
	CMDD_ROLE_MAX,
};

#define CMDD_MAX_CHANNELS	16
#define CMDD_MAX_VCPUS		16
#define CMDD_CHANNEL_MAX_PAGES	512
#define CMDD_MEM_UNIT		(4ull << 20)	/* guest memory comes in 4 MiB pages */
#define CMDD_MEM_MAX		(1ull << 46)	/* 64 TiB: anything bigger is a typo */

struct cmdd_channel_spec {
	u32 type;			/* opaque to the database, >= 1 */
	u32 pages;			/* 4 KiB pages, 1..CMDD_CHANNEL_MAX_PAGES */
	char server[UV_NAME_LEN];	/* "" for none yet */
};

#define CMDD_ANY		0xffffffffu	/* no placement request: the daemon chooses */

struct cmdd_create_spec {
	char name[UV_NAME_LEN];
	enum cmdd_role role;
	u64 memory;			/* bytes, a multiple of CMDD_MEM_UNIT */
	u32 processors;			/* virtual processors */
	u32 duty;			/* slots of 16 each gets (1..16) */
	u32 cpu;			/* placement request: this CPU, or CMDD_ANY */
	u32 offset;			/* and these slots from here (needs cpu), or CMDD_ANY */
	u32 nr_channels;
	struct cmdd_channel_spec channels[CMDD_MAX_CHANNELS];
	/*
	 * A Linux partition: its channels go into its channel area, the top
	 * 4 MiB of its memory, which its loader marks reserved in the e820 map
	 * (docs/guest-platform.md); set by the daemon, not by the request.
	 */
	bool chan_area;
};

/* A Linux partition's channel area: its last 4 MiB page, the top page being the Boot channel's. */
#define CMDD_CHAN_AREA_PAGES	1024u
/* The Console channel the daemon gives a Linux partition that asks for none. */
#define CMDD_LINUX_CONSOLE_PAGES	8u

/*
 * A plan: the steps of one transaction, worked out by applying them to a dry-run
 * database over the standby replica's pages (so every step is validated by the
 * same code the module runs, and each decision sees the previous steps), then
 * rolled back. cmdd_plan_end() leaves the standby exactly as it was.
 */
struct cmdd_plan {
	struct resdb db;		/* dry run: the standby's pages, its own log */
	void *log;
	u64 log_size;
	struct uv_txn_step *steps;
	u32 nr, cap;
	bool open;
	bool cpu_allowed[RESDB_MAX_CPUS];	/* CPUs partitions may be scheduled on */
	const struct cmdd_numa *numa;	/* the host's nodes (NULL: no preference) */
	int node;			/* while >= 0: guest memory from this node only */
	struct ultra_err *e;
};

int cmdd_plan_init(struct cmdd_plan *pl);
void cmdd_plan_fini(struct cmdd_plan *pl);
/* Start a dry run over base's pages (base: the standby replica). */
int cmdd_plan_begin(struct cmdd_plan *pl, const struct resdb *base, struct ultra_err *e);
/* Validate and apply one step in the dry run, and record it. */
int cmdd_plan_step(struct cmdd_plan *pl, const struct uv_txn_step *s);
/* Roll the dry run back. The steps stay in pl->steps. */
void cmdd_plan_end(struct cmdd_plan *pl);

/* The policies. Each adds the steps of one transaction to an open plan. */
int cmdd_place_create(struct cmdd_plan *pl, const struct cmdd_create_spec *c, u32 *number);
/* c's channels in the channel area of Linux partition @number (c->chan_area set) */
int cmdd_place_linux_channels(struct cmdd_plan *pl, u32 number, const struct cmdd_create_spec *c);
int cmdd_place_destroy(struct cmdd_plan *pl, u32 number);
/* Describe CPUs [0, nr_cpus) that have no processor descriptor yet. */
int cmdd_place_processors(struct cmdd_plan *pl, u32 nr_cpus);
/* Give every virtual processor of number duty slots (schedule.c). */
int cmdd_schedule_place(struct cmdd_plan *pl, u32 number, enum cmdd_role role,
			u32 processors, u32 duty);
/* A Boot channel (one page, the top of its guest memory) for number. */
int cmdd_place_boot_channel(struct cmdd_plan *pl, u32 number, u32 *channel);
/* Detach its servers, destroy it, its descriptor page back to available. */
int cmdd_place_channel_destroy(struct cmdd_plan *pl, u32 channel);
/*
 * Place number's one virtual processor where the request says: on CPU cpu, in
 * slots offset..offset+duty-1, or (offset CMDD_ANY) in the tightest free run
 * there. A collision fails with the dry run's reason (EFROM).
 */
int cmdd_schedule_place_at(struct cmdd_plan *pl, u32 number, enum cmdd_role role, u32 duty,
			   u32 cpu, u32 offset);
/* Hand every slot of number back to the idle partition. */
int cmdd_schedule_release(struct cmdd_plan *pl, u32 number);
/* Merge index pages that "available" owns entirely, freeing their pages. */
int cmdd_place_coarsen(struct cmdd_plan *pl);

/* Lookups the service shares. */
u32 cmdd_find_partition(const struct resdb *db, const char *name);
enum cmdd_role cmdd_role_of_type(u32 type);
u32 cmdd_type_of_role(enum cmdd_role role);
const char *cmdd_role_name(enum cmdd_role role);
int cmdd_role_by_name(const char *name, enum cmdd_role *role);
const char *cmdd_type_name(u32 type);

/* ---- protocol.c ----------------------------------------------------------------- */

enum cmdd_op {
	CMDD_OP_CREATE = 0,
	CMDD_OP_DESTROY,
	CMDD_OP_START,
	CMDD_OP_PAUSE,
	CMDD_OP_RESUME,
	CMDD_OP_STOP,
	CMDD_OP_SET_SCHEDULE,
	CMDD_OP_LIST,
	CMDD_OP_SHOW,
	CMDD_OP_DB_DUMP,
	CMDD_OP_DB_VERIFY,
	CMDD_OP_STATS,
	CMDD_OP_MAX,
};

struct cmdd_request {
	char id[CMDAPI_ID_MAX + 1];
	enum cmdd_op op;
	struct cmdd_create_spec c;	/* create; name for the others */
	bool has_duty, has_processors;	/* set_schedule: what was given */
	char image[CMDAPI_PATH_MAX + 1];
	char initrd[CMDAPI_PATH_MAX + 1];	/* Linux image: its initramfs ("" none) */
	char cmdline[ULTRA_BOOT_CMDLINE_MAX + 1];	/* the image's command line */
	u64 fingerprint;		/* what the request asks, for retries with the same id */
};

const char *cmdd_op_name(enum cmdd_op op);
int cmdd_op_by_name(const char *name, enum cmdd_op *op);
/* Changes the database (or a partition's run state): journaled, updater only. */
bool cmdd_op_mutates(enum cmdd_op op);

/*
 * Parse and validate one request (a JSON object, docs/command-api.md). Strict:
 * unknown fields, wrong types and out-of-range values are errors. On error req->id
 * holds the id if it was readable ("" otherwise).
 */
int cmdd_request_parse(const char *buf, size_t len, struct cmdd_request *req,
		       struct ultra_err *e);
/* {"v":1,"id":..,"ok":true,"result":result} (takes result). */
json_object *cmdd_response_ok(const char *id, json_object *result);
/* {"v":1,"id":..,"ok":false,"error":{"errno":..,"errno_name":..,"message":..}} */
json_object *cmdd_response_error(const char *id, const struct ultra_err *e);

/* ---- journal.c ------------------------------------------------------------------- */

enum cmdd_jstate {
	CMDD_J_INFLIGHT = 1,	/* about to be (or being) submitted */
	CMDD_J_DONE = 2,	/* answered; the response is kept for retries */
};

struct cmdd_jentry {
	char id[CMDAPI_ID_MAX + 1];
	u32 op;			/* enum cmdd_op */
	u32 state;		/* enum cmdd_jstate */
	u64 fingerprint;
	u64 seq;		/* INFLIGHT: the log's next sequence number when journaled */
	u64 tag;		/* INFLIGHT: its transaction's tag (0: untagged, old module) */
	char name[UV_NAME_LEN];
	char image[CMDAPI_PATH_MAX + 1];	/* create: image to load once committed */
	char initrd[CMDAPI_PATH_MAX + 1];	/* with it: initramfs, command line */
	char cmdline[ULTRA_BOOT_CMDLINE_MAX + 1];
	/* create of a Linux image: the channels it asked for, placed once it is built */
	u32 nr_channels;
	struct cmdd_channel_spec channels[CMDD_MAX_CHANNELS];
	char *response;		/* DONE: the response, JSON text */
};

struct cmdd_journal;

#define CMDD_JOURNAL_MAX	256

/* path NULL: in memory only. A missing file is an empty journal. */
int cmdd_journal_open(const char *path, u32 max_entries, struct cmdd_journal **j,
		      struct ultra_err *e);
void cmdd_journal_close(struct cmdd_journal *j);
const struct cmdd_jentry *cmdd_journal_find(const struct cmdd_journal *j, const char *id);
u32 cmdd_journal_count(const struct cmdd_journal *j);
const struct cmdd_jentry *cmdd_journal_entry(const struct cmdd_journal *j, u32 i);
/* Each change rewrites the file (temp file, fsync, rename, fsync of the folder). */
/*
 * A tag no earlier entry of this journal had (never 0): the journal counts them,
 * from a random start when it is new, and saves the count with the next entry.
 */
u64 cmdd_journal_new_tag(struct cmdd_journal *j);
int cmdd_journal_begin(struct cmdd_journal *j, const struct cmdd_jentry *in,
		       struct ultra_err *e);
int cmdd_journal_finish(struct cmdd_journal *j, const char *id, const char *response,
			struct ultra_err *e);
int cmdd_journal_forget(struct cmdd_journal *j, const char *id, struct ultra_err *e);

/* ---- service.c ------------------------------------------------------------------- */

/* Test hook: behave as if the process died at this point of a mutating request. */
enum cmdd_failpoint {
	CMDD_FAIL_NONE = 0,
	CMDD_FAIL_AFTER_JOURNAL,	/* in flight journaled, nothing submitted */
	CMDD_FAIL_AFTER_SUBMIT,		/* the module applied it, no response journaled */
	CMDD_FAIL_AFTER_FINISH,		/* journaled done, response never sent */
	CMDD_FAIL_MAX,
};

struct cmdd_config {
	const char *journal_path;	/* NULL: in-memory journal (tests) */
	u32 journal_max;		/* 0: CMDD_JOURNAL_MAX */
	u32 nr_cpus;			/* CPUs partitions may use: [0, nr); 0: all */
	/*
	 * Pool policy (backends with a pool): a create grows the pool by what
	 * "available" lacks, in 4 MiB steps, up to pool_max bytes in all (0: as
	 * far as the module allows); destroys shrink it by its free whole 4 MiB
	 * pages, down to pool_floor bytes.
	 */
	u64 pool_max;
	u64 pool_floor;
	/* NUMA nodes of the host: guest memory from the node of its first CPU if it can */
	struct cmdd_numa numa;
};

/*
 * The policy's arithmetic (service.c), in bytes, multiples of 4 MiB.
 * Grow: what a request for need more bytes of guest memory takes, when
 * "available" has free_big bytes in 4 MiB-or-larger free entries: at least one
 * step; 0 when the pool may not grow that far (pool_max), else the amount.
 * Shrink: what to give back of free pool bytes, keeping floor in the pool.
 */
u64 cmdd_pool_grow_amount(u64 need, u64 free_big, u64 pool_bytes, u64 pool_max);
u64 cmdd_pool_shrink_amount(u64 pool_bytes, u64 free_bytes, u64 floor);

struct cmdd_service;

/*
 * Resynchronise from the backend (snapshot + log), settle what the journal had in
 * flight, describe the processors, then serve. The backend stays the caller's.
 */
int cmdd_service_open(struct cmdd_service **out, struct cmdd_backend *be,
		      const struct cmdd_config *cfg, struct ultra_err *e);
void cmdd_service_close(struct cmdd_service *svc);
/* Handle one parsed request; returns the response (never NULL unless out of memory). */
json_object *cmdd_service_handle(struct cmdd_service *svc, const struct cmdd_request *req);
/* Parse a request line and handle it: what a connection does per line. */
json_object *cmdd_service_handle_text(struct cmdd_service *svc, const char *buf, size_t len);
struct cmdd_replica *cmdd_service_replica(struct cmdd_service *svc);
void cmdd_service_set_failpoint(struct cmdd_service *svc, enum cmdd_failpoint fp);
/* After a failpoint fired the service answers nothing any more (it "died"). */
bool cmdd_service_dead(const struct cmdd_service *svc);
/* Time the last resynchronisation took (ms) and the in-flight requests settled. */
double cmdd_service_resync_ms(const struct cmdd_service *svc);
u32 cmdd_service_recovered(const struct cmdd_service *svc, u32 *forward, u32 *aborted);

/* For boot.c (updater only): plan with fn on the standby replica, submit, catch up. */
int cmdd_service_txn(struct cmdd_service *svc, int (*fn)(struct cmdd_plan *, void *), void *arg,
		     struct ultra_err *e);
struct cmdd_backend *cmdd_service_backend(struct cmdd_service *svc);

/* ---- boot.c: images through a Boot channel (¶[0126]) ------------------------------- */

/*
 * Updater: build number's instance without an image, give it a Boot channel, serve
 * it: write the image (a Multiboot ELF, or a Linux bzImage with the initramfs at
 * initrd if not NULL, both read from their paths) and cmdline (NULL: none) into its
 * memory, set the entry state. The channel stays (its header says COMPLETE) until the partition
 * starts. *cpu: where it runs; *channel: the Boot channel. On failure the channel
 * is destroyed again and the instance stays CREATED (not startable).
 */
bool cmdd_boot_is_linux(const void *image, size_t len);
int cmdd_boot_image(struct cmdd_service *svc, u32 number, const char *path, const void *image,
		    size_t len, const char *initrd, const char *cmdline,
		    const struct cmdd_create_spec *spec, u32 *cpu, u32 *channel,
		    struct ultra_err *e);
/* Updater: destroy the Boot channels of client (UV_NONE: all); *count: how many. */
int cmdd_boot_drop(struct cmdd_service *svc, u32 client, u32 *count, struct ultra_err *e);

/* ---- server.c -------------------------------------------------------------------- */

struct cmdd_server_cfg {
	const char *path;		/* socket path */
	uid_t trust_uid;		/* always allowed (root: 0) */
	gid_t group;			/* members allowed */
	bool have_group;
	u32 max_conns;			/* 0: 64 */
};

struct cmdd_server;

/* Peer check: uid == trust_uid, or gid/one of groups == group. */
bool cmdd_peer_allowed(const struct cmdd_server_cfg *cfg, uid_t uid, gid_t gid,
		       const gid_t *groups, int nr_groups);
/* gid of group name from /etc/group (no NSS: the binaries are static). */
int cmdd_group_gid(const char *group_file, const char *name, gid_t *gid);
int cmdd_server_start(struct cmdd_server **out, struct cmdd_service *svc,
		      const struct cmdd_server_cfg *cfg, struct ultra_err *e);
void cmdd_server_stop(struct cmdd_server *srv);

#endif /* CMDD_COMMANDD_H */
