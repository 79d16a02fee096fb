// SPDX-License-Identifier: GPL-2.0
/*
 * The bounds-checked guest-physical -> host pointer translation of the channel
 * library (see chan_mem.h). Ranges are handled by their last byte (gpa + len - 1)
 * so that no sum can overflow: a range ending exactly at 2^64 is representable,
 * a range that would go past it is WRAP.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/ultravisor_channel.h>

#include "chan_mem.h"

void chan_mem_init(struct chan_mem *m)
{
	memset(m, 0, sizeof(*m));
}

/* Last byte of [gpa, gpa + len), or -1 (nonzero return) if len is 0 or it wraps. */
static int range_last(uint64_t gpa, uint64_t len, uint64_t *last)
{
	if (!len || len - 1 > UINT64_MAX - gpa)
		return -1;
	*last = gpa + (len - 1);
	return 0;
}

int chan_mem_add(struct chan_mem *m, uint64_t gpa, uint64_t size, void *host)
{
	uint64_t last;
	unsigned int i;

	if (!host || range_last(gpa, size, &last))
		return -EINVAL;
	if (m->nr >= CHAN_MEM_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < m->nr; i++) {
		const struct chan_mem_region *r = &m->region[i];

		if (chan_range_overlap(gpa, last, r->gpa, r->gpa + (r->size - 1)))
			return -EINVAL;
	}
	m->region[m->nr].gpa = gpa;
	m->region[m->nr].size = size;
	m->region[m->nr].host = host;
	m->nr++;
	return 0;
}

int chan_mem_reserve(struct chan_mem *m, uint64_t gpa, uint64_t size)
{
	uint64_t last;

	if (range_last(gpa, size, &last))
		return -EINVAL;
	if (m->nr_reserved >= CHAN_MEM_MAX_RESERVED)
		return -ENOSPC;
	m->reserved[m->nr_reserved].gpa = gpa;
	m->reserved[m->nr_reserved].size = size;
	m->nr_reserved++;
	return 0;
}

void *chan_mem_translate(const struct chan_mem *m, uint64_t gpa, uint64_t len,
			 enum chan_mem_use use, int *reason)
{
	uint64_t last;
	unsigned int i;

	if (!len) {
		*reason = UV_CHANNEL_ERR_LEN;
		return NULL;
	}
	if (range_last(gpa, len, &last)) {
		*reason = UV_CHANNEL_ERR_WRAP;
		return NULL;
	}
	if (use == CHAN_MEM_BUFFER) {
		for (i = 0; i < m->nr_reserved; i++) {
			const struct chan_mem_range *r = &m->reserved[i];

			if (chan_range_overlap(gpa, last, r->gpa, r->gpa + (r->size - 1))) {
				*reason = UV_CHANNEL_ERR_OVERLAP;
				return NULL;
			}
		}
	}
	for (i = 0; i < m->nr; i++) {
		const struct chan_mem_region *r = &m->region[i];
		uint64_t off;

		if (gpa < r->gpa)
			continue;
		off = gpa - r->gpa;
		/* off < size and len <= size - off: the whole range is inside */
		if (off >= r->size || len > r->size - off)
			continue;
		return (char *)r->host + off;
	}
	*reason = UV_CHANNEL_ERR_ADDR;
	return NULL;
}
