/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chan_mem: the client partition's memory as a server sees it, and the one helper
 * that turns a guest-physical address into a host pointer.
 *
 * A server maps the client's memory (and the channel, which lies inside it) and
 * describes it as a list of regions {gpa, size, host pointer}. Every address a
 * descriptor or a queue descriptor names goes through chan_mem_translate(): the whole
 * range [gpa, gpa + len) must lie inside ONE region, must not wrap around 2^64, and,
 * for data buffers, must not touch a reserved range (the channel's own pages: the
 * header and the rings). Nothing else in the channel library computes a host
 * address from a guest address.
 */
#ifndef CHAN_MEM_H
#define CHAN_MEM_H

#include <stdint.h>

#define CHAN_MEM_MAX_REGIONS	16
#define CHAN_MEM_MAX_RESERVED	4

/* Purpose of a translation (chan_mem_translate's @use). */
enum chan_mem_use {
	CHAN_MEM_RING = 0,	/* rings and the channel header: reserved ranges allowed */
	CHAN_MEM_BUFFER = 1,	/* data buffers and indirect tables: reserved ranges refused */
};

struct chan_mem_region {
	uint64_t gpa;
	uint64_t size;
	void *host;
};

struct chan_mem_range {
	uint64_t gpa;
	uint64_t size;
};

struct chan_mem {
	unsigned int nr;
	unsigned int nr_reserved;
	struct chan_mem_region region[CHAN_MEM_MAX_REGIONS];
	struct chan_mem_range reserved[CHAN_MEM_MAX_RESERVED];
};

/* An empty map. */
void chan_mem_init(struct chan_mem *m);

/*
 * Add a region of client memory mapped at @host. -EINVAL: @size 0, @host NULL,
 * gpa + size wraps, or it overlaps a region already added; -ENOSPC: map full.
 */
int chan_mem_add(struct chan_mem *m, uint64_t gpa, uint64_t size, void *host);

/* Mark [gpa, gpa + size) as not usable for data buffers (-EINVAL, -ENOSPC as above). */
int chan_mem_reserve(struct chan_mem *m, uint64_t gpa, uint64_t size);

/*
 * The host pointer for [gpa, gpa + len), or NULL with *@reason set to the
 * UV_CHANNEL_ERR_* why: LEN (len 0), WRAP (gpa + len wraps), ADDR (not inside one
 * region), OVERLAP (a CHAN_MEM_BUFFER range touching a reserved range).
 */
void *chan_mem_translate(const struct chan_mem *m, uint64_t gpa, uint64_t len,
			 enum chan_mem_use use, int *reason);

/* Do the inclusive ranges [a, a_last] and [b, b_last] share a byte? */
static inline int chan_range_overlap(uint64_t a, uint64_t a_last, uint64_t b, uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

#endif /* CHAN_MEM_H */
