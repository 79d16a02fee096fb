// SPDX-License-Identifier: GPL-2.0
/*
 * Channel header page helpers (chan_header.h): the channel-type table of [0123],
 * GUID text, the default layout of a new channel, and a server's copy-then-check
 * reading of a header that lives in client memory.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chan_header.h"
#include "chan_shm.h"

static const struct chan_type_info types[] = {
	{ UV_CHANNEL_TYPE_CONTROL, "control", UV_CHANNEL_GUID_CONTROL, UV_VIRTIO_ID_NONE, 0 },
	{ UV_CHANNEL_TYPE_COMMAND, "command", UV_CHANNEL_GUID_COMMAND, UV_VIRTIO_ID_NONE, 0 },
	{ UV_CHANNEL_TYPE_BOOT, "boot", UV_CHANNEL_GUID_BOOT, UV_VIRTIO_ID_NONE, 0 },
	/* receiveq0, transmitq0 (no VIRTIO_CONSOLE_F_MULTIPORT) */
	{ UV_CHANNEL_TYPE_CONSOLE, "console", UV_CHANNEL_GUID_CONSOLE, UV_VIRTIO_ID_CONSOLE, 2 },
	/* requestq0 */
	{ UV_CHANNEL_TYPE_STORAGE, "storage", UV_CHANNEL_GUID_STORAGE, UV_VIRTIO_ID_BLOCK, 1 },
	/* receiveq1, transmitq1 */
	{ UV_CHANNEL_TYPE_NETWORK, "network", UV_CHANNEL_GUID_NETWORK, UV_VIRTIO_ID_NET, 2 },
	{ UV_CHANNEL_TYPE_POWER, "power", UV_CHANNEL_GUID_POWER, UV_VIRTIO_ID_NONE, 0 },
	{ UV_CHANNEL_TYPE_MEMORY, "memory", UV_CHANNEL_GUID_MEMORY, UV_VIRTIO_ID_NONE, 0 },
	{ UV_CHANNEL_TYPE_PROCESSOR, "processor", UV_CHANNEL_GUID_PROCESSOR, UV_VIRTIO_ID_NONE, 0 },
};

#define NR_TYPES (sizeof(types) / sizeof(types[0]))

const struct chan_type_info *chan_type_by_code(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < NR_TYPES; i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

const struct chan_type_info *chan_type_by_guid(const struct uv_guid *g)
{
	unsigned int i;

	for (i = 0; i < NR_TYPES; i++)
		if (!memcmp(&types[i].guid, g, sizeof(*g)))
			return &types[i];
	return NULL;
}

const struct chan_type_info *chan_type_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_TYPES; i++)
		if (!strcasecmp(types[i].name, name))
			return &types[i];
	return NULL;
}

char *chan_guid_format(const struct uv_guid *g, char *buf)
{
	const uint8_t *b = g->b;

	snprintf(buf, CHAN_GUID_TEXT_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int chan_guid_parse(const char *s, struct uv_guid *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval(s[i]);
		lo = hi < 0 ? -1 : hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		g->b[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return s[36] ? -EINVAL : 0;
}

static bool is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

uint64_t chan_layout_bytes(const struct chan_layout *l)
{
	uint64_t bytes = UV_CHANNEL_QUEUE_MEM_OFFSET;
	unsigned int i;

	if (l->num_queues > UV_CHANNEL_MAX_QUEUES)
		return 0;
	for (i = 0; i < l->num_queues; i++) {
		if (!is_pow2(l->queue_size[i]) || l->queue_size[i] > UV_VRING_MAX_SIZE)
			return 0;
		bytes += uv_vring_default_bytes(l->queue_size[i]);
	}
	if (bytes > (uint64_t)UV_CHANNEL_MAX_PAGES * UV_CHANNEL_PAGE_SIZE)
		return 0;
	return bytes;
}

int chan_layout_format(void *mem, uint64_t bytes, const struct chan_layout *l)
{
	const struct chan_type_info *t = chan_type_by_code(l->type);
	uint64_t need = chan_layout_bytes(l), off = UV_CHANNEL_QUEUE_MEM_OFFSET;
	struct uv_channel_header *h = mem;
	unsigned int i;

	if (!t || !need || bytes < need || l->gpa % UV_CHANNEL_PAGE_SIZE)
		return -EINVAL;
	memset(mem, 0, need);
	h->signature = htole64(UV_CHANNEL_SIGNATURE);
	h->version = htole32(UV_CHANNEL_VERSION);
	h->header_size = htole32(UV_CHANNEL_HEADER_SIZE);
	h->type = t->guid;
	h->zone = l->zone;
	h->channel_gpa = htole64(l->gpa);
	h->channel_size = htole64(need);
	h->channel_id = htole32(l->channel_id);
	h->client_partition = htole32(l->client_partition);
	h->virtio_device_id = htole32(t->virtio_id);
	h->num_queues = htole16(l->num_queues);
	h->config_vector = htole16(UV_CHANNEL_NO_VECTOR);
	h->server_state = htole32(UV_CHANNEL_SERVER_NONE);
	h->broken_queue = htole32(0xffffffffu);
	for (i = 0; i < l->num_queues; i++) {
		struct uv_channel_queue *q = &h->queue[i];
		uint16_t n = l->queue_size[i];

		q->max_size = htole16(n);
		q->vector = htole16(UV_CHANNEL_NO_VECTOR);
		q->notify_data = htole32(i);
		q->desc_addr = htole64(l->gpa + off);
		q->avail_addr = htole64(l->gpa + off + uv_vring_desc_bytes(n));
		q->used_addr = htole64(l->gpa + off + uv_vring_default_used_off(n));
		off += uv_vring_default_bytes(n);
	}
	return 0;
}

static int header_fail(char *why, size_t len, const char *msg, uint64_t val)
{
	snprintf(why, len, "%s (0x%" PRIx64 ")", msg, val);
	return UV_CHANNEL_ERR_HEADER;
}

int chan_header_read(const struct uv_channel_header *shared, uint64_t mapped,
		     struct uv_channel_header *copy, char *why, size_t why_len)
{
	uint64_t size, off = UV_CHANNEL_QUEUE_MEM_OFFSET;
	const struct chan_type_info *t;
	unsigned int i;

	if (mapped < UV_CHANNEL_HEADER_SIZE)
		return header_fail(why, why_len, "less than a header page mapped", mapped);
	/* one copy; from here on only the copy is looked at */
	memcpy(copy, shared, sizeof(*copy));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (le64toh(copy->signature) != UV_CHANNEL_SIGNATURE)
		return header_fail(why, why_len, "bad signature", le64toh(copy->signature));
	if (le32toh(copy->version) != UV_CHANNEL_VERSION)
		return header_fail(why, why_len, "unknown version", le32toh(copy->version));
	if (le32toh(copy->header_size) != UV_CHANNEL_HEADER_SIZE)
		return header_fail(why, why_len, "bad header size", le32toh(copy->header_size));
	size = le64toh(copy->channel_size);
	if (size < UV_CHANNEL_HEADER_SIZE || size % UV_CHANNEL_PAGE_SIZE || size > mapped ||
	    size > (uint64_t)UV_CHANNEL_MAX_PAGES * UV_CHANNEL_PAGE_SIZE)
		return header_fail(why, why_len, "bad channel size", size);
	t = chan_type_by_guid(&copy->type);
	if (!t)
		return header_fail(why, why_len, "unknown channel type", copy->type.b[0]);
	if (le32toh(copy->virtio_device_id) != t->virtio_id)
		return header_fail(why, why_len, "virtio device id does not match the type",
				   le32toh(copy->virtio_device_id));
	if (le16toh(copy->num_queues) > UV_CHANNEL_MAX_QUEUES)
		return header_fail(why, why_len, "too many queues", le16toh(copy->num_queues));
	for (i = 0; i < le16toh(copy->num_queues); i++) {
		uint16_t n = le16toh(copy->queue[i].max_size);

		if (!is_pow2(n) || n > UV_VRING_MAX_SIZE)
			return header_fail(why, why_len, "bad queue max size", n);
		off += uv_vring_default_bytes(n);
	}
	if (off > size)
		return header_fail(why, why_len, "queues do not fit the channel", off);
	return 0;
}

int chan_header_queue_config(const struct uv_channel_header *copy, unsigned int qi,
			     enum chan_dir dir, struct chan_queue_config *cfg,
			     char *why, size_t why_len)
{
	uint64_t accepted = le64toh(copy->driver_features[0]);
	const struct uv_channel_queue *q;
	uint16_t n;
	unsigned int w;

	if (qi >= le16toh(copy->num_queues) || qi >= UV_CHANNEL_MAX_QUEUES) {
		snprintf(why, why_len, "queue %u does not exist", qi);
		return UV_CHANNEL_ERR_RING;
	}
	q = &copy->queue[qi];
	for (w = 0; w < 2; w++)
		if (le64toh(copy->driver_features[w]) & ~le64toh(copy->device_features[w])) {
			snprintf(why, why_len, "client accepted features 0x%" PRIx64
				 " (word %u) that were not offered",
				 le64toh(copy->driver_features[w]) &
				 ~le64toh(copy->device_features[w]), w);
			return UV_CHANNEL_ERR_FEATURES;
		}
	if (le64toh(copy->client_features) & ~le64toh(copy->server_features)) {
		snprintf(why, why_len, "client accepted channel features that were not offered");
		return UV_CHANNEL_ERR_FEATURES;
	}
	n = le16toh(q->size);
	if (le16toh(q->enable) != 1 || !is_pow2(n) || n > le16toh(q->max_size)) {
		snprintf(why, why_len, "queue %u: enable %u, size %u (max %u)", qi,
			 le16toh(q->enable), n, le16toh(q->max_size));
		return UV_CHANNEL_ERR_RING;
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = n;
	cfg->desc_addr = le64toh(q->desc_addr);
	cfg->avail_addr = le64toh(q->avail_addr);
	cfg->used_addr = le64toh(q->used_addr);
	cfg->event_idx = accepted & (1ULL << UV_VIRTIO_F_EVENT_IDX);
	cfg->indirect = accepted & (1ULL << UV_VIRTIO_F_INDIRECT_DESC);
	cfg->dir = dir;
	return 0;
}

void chan_header_set_server_state(struct uv_channel_header *shared, uint32_t state)
{
	if (state != UV_CHANNEL_SERVER_BROKEN) {
		shm_st32(&shared->broken_reason, 0);
		shm_st32(&shared->broken_queue, 0xffffffffu);
	}
	shm_st32_release(&shared->server_state, state);
}

void chan_header_set_broken(struct uv_channel_header *shared, uint32_t queue, int reason)
{
	shm_st32(&shared->broken_reason, (uint32_t)reason);
	shm_st32(&shared->broken_queue, queue);
	/* reason and queue are visible before the state that points at them */
	shm_st32_release(&shared->server_state, UV_CHANNEL_SERVER_BROKEN);
}

uint32_t chan_header_client_state(const struct uv_channel_header *shared)
{
	return le32toh(__atomic_load_n(&shared->client_state, __ATOMIC_ACQUIRE));
}
