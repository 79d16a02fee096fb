/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Descriptor pages. Each descriptor fills the start of its own 4 KiB page; the rest
 * of the page stays zero. A partition number is the [G,M,K] number of its descriptor
 * page, and that page is owned by the partition itself ([0214], [0215]). Processor
 * and channel descriptors and the ultravisor index are ultravisor control memory:
 * their 4 KiB map entry is the ultravisor's number with S set ([0206]).
 *
 * The magic's low word has bits 31 and 30 set: no valid map entry has both, so a
 * former index page can never be mistaken for a descriptor.
 */
#ifndef RESDB_DESC_H
#define RESDB_DESC_H

#include "resdb/compat.h"

#define RESDB_DESC_MAGIC	0x4244535fc5efd35cull
#define RESDB_UVINDEX_MAGIC	0x5844494ec5efd35cull

enum resdb_desc_kind {
	RESDB_DESC_PARTITION = 1,
	RESDB_DESC_PROCESSOR = 2,
	RESDB_DESC_CHANNEL = 3,
};

struct resdb_desc_hdr {
	u64 magic;
	u32 me;			/* "Me" in Figure 8: the page's own [G,M,K] */
	u32 kind;		/* enum resdb_desc_kind */
};

enum resdb_partition_state {
	RESDB_PS_DEFINED = 1,	/* initialised; the monitor may start it */
};

struct resdb_partition {
	struct resdb_desc_hdr hdr;
	u32 type;		/* enum uv_partition_type */
	u32 state;		/* enum resdb_partition_state */
	char name[UV_NAME_LEN];
	char role[UV_ROLE_LEN];
	u64 pages;		/* 4 KiB pages the map gives it (checked by resdb_check) */
	u32 slots;		/* schedule slots naming it */
	u32 channels;		/* channels naming it as client or server */
	u32 security;		/* reserved for the security/role issue; zero */
	u32 flags;		/* zero */
};

struct resdb_processor {
	struct resdb_desc_hdr hdr;
	u32 cpu;		/* physical CPU */
	u32 slot_us;		/* slot length in us; 0: UV_SLOT_US_DEFAULT */
	struct uv_slot slot[UV_SLOTS];	/* duty-cycle schedule ([0142], [0148]) */
};

struct resdb_channel {
	struct resdb_desc_hdr hdr;
	u32 type;
	u32 client;		/* owns the pages ([0132]) */
	u64 first_pfn;
	u32 nr_pages;
	u32 pad;
	u32 server[UV_CHANNEL_SERVERS];	/* UV_NONE when empty */
};

/*
 * The ultravisor index ([0218]): MapHigh/MapLow, Order, the self reference, and the
 * numbers of the ultravisor and the pseudo partitions; then the processor table
 * (CPU -> processor descriptor) the monitor uses to find its schedule.
 */
#define RESDB_MAX_CPUS		512

struct resdb_uv_index {
	u64 magic;
	u32 me;			/* self reference, for validation */
	u32 version;
	u64 map_high;		/* base pfn of the [G,M,K] window (4 TiB aligned) */
	u32 map_low;		/* [G,M,K] of the top index page */
	u32 order;		/* scale of the top index page */
	u32 ultra;
	u32 avail;
	u32 missing;
	u32 idle;
	u32 boot;
	u32 host;		/* UV_NONE when not hosted */
	u32 nr_cpus;		/* processors described */
	u32 pad;
	u32 processor[RESDB_MAX_CPUS];	/* UV_NONE when absent */
};

#endif /* RESDB_DESC_H */
