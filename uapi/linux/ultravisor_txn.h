/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor resource database: binary forms shared by the module and userspace.
 *
 *   - a transaction (what the command channel ioctl carries): struct uv_txn_hdr
 *     followed by nr_steps struct uv_txn_step;
 *   - an audit log record (what the module returns from a sequence number on):
 *     struct uv_log_rec, payload, struct uv_log_tail;
 *   - a snapshot of the database image: struct uv_snap_hdr followed by
 *     nr_pages struct uv_snap_page.
 *
 * All integers are little-endian host order, every struct has explicit padding,
 * and every reserved or pad field must be zero (the decoder rejects it otherwise),
 * so the ABI can grow. Partition and index-page numbers are the seed's [G,M,K]
 * page numbers (2,10,10,10 bits) inside the database window (WO 2005/036358
 * paragraph [0214]).
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_TXN_H
#define _UAPI_LINUX_ULTRAVISOR_TXN_H

#include <linux/types.h>

#define UV_TXN_MAGIC		0x58545655	/* "UVTX" */
#define UV_TXN_VERSION		1
#define UV_TXN_MAX_STEPS	1024

/* Map entry encoding (paragraphs [0214], [0215]). */
#define UV_ENTRY_REF		0x80000000u	/* index reference to the next smaller scale */
#define UV_ENTRY_CTRL		0x40000000u	/* "S": control memory of the owner ([0206]) */
#define UV_ENTRY_GMK		0x3fffffffu	/* [G,M,K] page number */

#define UV_NAME_LEN		32
#define UV_ROLE_LEN		16
#define UV_SLOTS		16	/* duty-cycle slots per processor ([0136], [0142]) */
#define UV_CHANNEL_SERVERS	4

enum uv_txn_op {
	UV_TXN_CHANGE_OWNER = 1,
	UV_TXN_SPLIT = 2,
	UV_TXN_MERGE = 3,
	UV_TXN_INIT_PARTITION = 4,
	UV_TXN_DESTROY_PARTITION = 5,
	UV_TXN_INIT_PROCESSOR = 6,
	UV_TXN_CHANGE_SCHEDULE = 7,
	UV_TXN_DESTROY_PROCESSOR = 8,
	UV_TXN_INIT_CHANNEL = 9,
	UV_TXN_CHANGE_SERVER = 10,
	UV_TXN_DESTROY_CHANNEL = 11,
	UV_TXN_CHANGE_SLOT_LENGTH = 12,
	UV_TXN_OP_MAX = 12,
};

/* Partition types; the role string is free-form ("UserX" in [0111]). */
enum uv_partition_type {
	UV_PT_PSEUDO = 1,	/* owns memory, never processors ([0207], [0216]) */
	UV_PT_ULTRAVISOR = 2,
	UV_PT_COMMAND = 3,
	UV_PT_OPERATIONS = 4,
	UV_PT_IO = 5,
	UV_PT_USER = 6,
	UV_PT_IDLE = 7,		/* one virtual CPU per physical CPU ([0087]) */
	UV_PT_BOOT = 8,
	UV_PT_MAX = 8,
};

/*
 * Which entries of which index page a map step addresses: Map[G,M,K], Index(first)
 * or IndexRange(first,last). scale (1 = 4 KiB entries .. 6) and frame (the entry's
 * page number at that scale divided by 1024) say where the page sits in the map;
 * scale 0 means "not given": the database then finds the page by searching the map.
 * When given, the walk to (scale, frame) must arrive at page map.
 */
struct uv_txn_at {
	__u32 map;
	__u8  scale;
	__u8  pad0;
	__u16 first;
	__u16 last;
	__u16 pad1;
	__u32 pad2;
	__u64 frame;
};

struct uv_txn_change_owner {
	struct uv_txn_at at;
	__u32 from;		/* before image: every entry must hold it */
	__u32 to;		/* after image */
};

/* Split: entry at.first (owned by owner) becomes a reference to page child. */
/* Merge: the reverse; all 1024 entries of child must hold owner. */
struct uv_txn_split {
	struct uv_txn_at at;
	__u32 child;
	__u32 owner;
};

struct uv_txn_partition {
	__u32 number;
	__u32 type;		/* enum uv_partition_type */
	__u32 flags;		/* must be zero */
	__u32 pad;
	char  name[UV_NAME_LEN];	/* NUL padded, printable */
	char  role[UV_ROLE_LEN];	/* NUL padded, identifier */
};

/* Destroy Partition/Processor/Channel. */
struct uv_txn_destroy {
	__u32 number;
	__u32 pad;
};

struct uv_txn_processor {
	__u32 number;		/* descriptor page */
	__u32 cpu;		/* physical CPU index */
};

/* One schedule slot: a virtual processor of a partition. */
struct uv_slot {
	__u32 partition;
	__u32 vcpu;
};

struct uv_txn_schedule {
	__u32 number;		/* processor descriptor page */
	__u16 first;
	__u16 last;
	struct uv_slot from;	/* before image of every slot in the range */
	struct uv_slot to;
};

/*
 * Change SlotLength: the length of each of a processor's 16 slots, in
 * microseconds (UV_SLOT_US_MIN..UV_SLOT_US_MAX). A descriptor that never had
 * one set has the default, and from names the length in effect either way.
 */
#define UV_SLOT_US_MIN		100
#define UV_SLOT_US_MAX		1000000
#define UV_SLOT_US_DEFAULT	1000

struct uv_txn_slot_length {
	__u32 number;		/* processor descriptor page */
	__u32 from_us;		/* before image: the length in effect */
	__u32 to_us;
	__u32 pad;
};

struct uv_txn_channel {
	__u32 number;		/* channel descriptor page */
	__u32 type;		/* opaque to the database, non-zero */
	__u32 client;		/* owns the channel pages */
	__u32 nr_pages;		/* 1..1024 4 KiB pages */
	__u64 first_pfn;
};

struct uv_txn_server {
	__u32 number;		/* channel descriptor page */
	__u32 index;		/* server slot, < UV_CHANNEL_SERVERS */
	__u32 from;		/* before image; UV_NONE for an empty slot */
	__u32 to;
};

#define UV_NONE			0xffffffffu

struct uv_txn_step {
	__u32 op;		/* enum uv_txn_op */
	__u32 flags;		/* must be zero */
	union {
		struct uv_txn_change_owner change_owner;
		struct uv_txn_split split;	/* and merge */
		struct uv_txn_partition partition;
		struct uv_txn_destroy destroy;
		struct uv_txn_processor processor;
		struct uv_txn_schedule schedule;
		struct uv_txn_slot_length slot_length;
		struct uv_txn_channel channel;
		struct uv_txn_server server;
		__u8 raw[120];	/* bytes past the member used must be zero */
	};
};

struct uv_txn_hdr {
	__u32 magic;		/* UV_TXN_MAGIC */
	__u16 version;		/* UV_TXN_VERSION */
	__u16 hdr_size;		/* sizeof(struct uv_txn_hdr) */
	__u32 step_size;	/* sizeof(struct uv_txn_step) */
	__u32 nr_steps;		/* 1..UV_TXN_MAX_STEPS */
	__u32 flags;		/* must be zero */
	__u32 reserved0;
	/*
	 * ABI 1.5: the submitter's tag, copied into the transaction's BEGIN record
	 * (uv_log_rec.tag) and otherwise not interpreted; 0: none. A client that dies
	 * while it submits finds its transaction in the log by it, whatever else was
	 * submitted meanwhile. Older modules refuse a nonzero tag (reserved then).
	 */
	__u64 tag;
	__u64 reserved[1];
};

/* ---- audit log ---------------------------------------------------------------- */

enum uv_log_type {
	UV_LOG_BEGIN = 1,
	UV_LOG_STEP = 2,
	UV_LOG_COMMIT = 3,
	UV_LOG_ABORT = 4,
};

#define UV_LOG_TAIL_MAGIC	0x474f4c55	/* "ULOG" */

/*
 * A record: header, payload, tail. A STEP record's payload is the step as applied
 * (struct uv_txn_step, its location resolved) followed by nr_images images: the
 * before and after values of every word the step writes, in the order written.
 * Undo writes the before values in reverse; replay checks the before values and
 * writes the after values.
 */
struct uv_log_rec {
	__u64 seq;
	__u32 size;		/* whole record, multiple of 8 */
	__u16 type;		/* enum uv_log_type */
	__u16 nr_images;
	union {
		struct {
			__u32 status;	/* ABORT: error code; STEP: index in the transaction */
			__u32 aux;	/* ABORT: index of the failing step */
		};
		__u64 tag;		/* BEGIN: uv_txn_hdr.tag of its transaction (ABI 1.5) */
	};
	__u64 txn;		/* sequence number of the transaction's BEGIN */
};

enum uv_img_kind {
	UV_IMG_FILL32 = 1,	/* count 32-bit words, all before -> all after */
	UV_IMG_BYTES = 2,	/* count bytes: before[count], after[count], 8-aligned */
};

struct uv_log_img {
	__u32 kind;
	__u32 count;
	__u64 pfn;
	__u32 offset;		/* byte offset in the page */
	__u32 before;		/* FILL32 */
	__u32 after;		/* FILL32 */
	__u32 pad;
};

struct uv_log_tail {
	__u32 size;		/* same as uv_log_rec.size: lets undo walk backwards */
	__u32 magic;		/* UV_LOG_TAIL_MAGIC */
};

/* ---- snapshot ----------------------------------------------------------------- */

#define UV_SNAP_MAGIC		0x50414e53564955ull	/* "UVISNAP" */
#define UV_SNAP_VERSION		1

struct uv_snap_hdr {
	__u64 magic;
	__u16 version;
	__u16 hdr_size;
	__u32 page_size;	/* 4096 */
	__u64 nr_pages;
	__u64 next_seq;		/* first log record not contained in the image */
	__u64 base_pfn;		/* database window (MapHigh) */
	__u32 uv_index;		/* [G,M,K] of the ultravisor index page */
	__u32 reserved0;
	__u64 reserved[2];
};

struct uv_snap_page {
	__u64 pfn;
	__u8  data[4096];
};

#endif /* _UAPI_LINUX_ULTRAVISOR_TXN_H */
