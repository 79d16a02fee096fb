/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chan_header: the channel header page (uapi/linux/ultravisor_channel.h) from
 * userspace: the channel-type table, GUID text, laying out a new channel the way
 * the module does, and a server's reading of a header the client may have
 * scribbled on (copied once, then checked).
 */
#ifndef CHAN_HEADER_H
#define CHAN_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ultravisor_channel.h>

#include "chan_queue.h"

#define CHAN_GUID_TEXT_LEN	37	/* 36 characters and the NUL */

struct chan_type_info {
	enum uv_channel_type type;
	const char *name;		/* "console" */
	struct uv_guid guid;
	uint32_t virtio_id;		/* UV_VIRTIO_ID_* */
	uint16_t num_queues;		/* queues the virtio device has (0: none) */
};

/* Lookups in the table of [0123]'s channel types; NULL when unknown. */
const struct chan_type_info *chan_type_by_code(uint32_t type);
const struct chan_type_info *chan_type_by_guid(const struct uv_guid *g);
const struct chan_type_info *chan_type_by_name(const char *name);

/* "17ebb0c0-0efd-444f-b6f3-5aae80e01b2e" into @buf (CHAN_GUID_TEXT_LEN bytes). */
char *chan_guid_format(const struct uv_guid *g, char *buf);
/* The reverse (either case); 0 or -EINVAL. */
int chan_guid_parse(const char *s, struct uv_guid *g);

/**
 * struct chan_layout - what creating a channel decides
 * @type:	UV_CHANNEL_TYPE_*.
 * @zone:	zone GUID (all zero: none).
 * @gpa:	guest-physical address of the header page (4 KiB aligned).
 * @channel_id:	resource-database channel number.
 * @client_partition: the client's partition number.
 * @num_queues:	queues, <= UV_CHANNEL_MAX_QUEUES.
 * @queue_size:	max_size of each queue (powers of two).
 */
struct chan_layout {
	enum uv_channel_type type;
	struct uv_guid zone;
	uint64_t gpa;
	uint32_t channel_id;
	uint32_t client_partition;
	uint16_t num_queues;
	uint16_t queue_size[UV_CHANNEL_MAX_QUEUES];
};

/* Bytes of a channel with @l's queues in the default placement (0 if invalid). */
uint64_t chan_layout_bytes(const struct chan_layout *l);

/*
 * Write a fresh channel into @mem (@bytes >= chan_layout_bytes()): the header with
 * every module-owned field, queue descriptors with the default placement,
 * notify_data = queue index, no vectors, states 0, zeroed queue memory.
 * 0 or -EINVAL.
 */
int chan_layout_format(void *mem, uint64_t bytes, const struct chan_layout *l);

/*
 * A server's read of the header: copy the shared page once into @copy and check
 * what does not depend on the client's progress (signature, version, sizes, known
 * type, queue count, queue max sizes fit the channel). @mapped is how many bytes of
 * the channel the server has mapped. 0, or UV_CHANNEL_ERR_HEADER with @why set.
 */
int chan_header_read(const struct uv_channel_header *shared, uint64_t mapped,
		     struct uv_channel_header *copy, char *why, size_t why_len);

/*
 * From a checked copy at DRIVER_OK: queue @qi's configuration with the features
 * the client accepted. 0; UV_CHANNEL_ERR_FEATURES if the client accepted features
 * that were not offered; UV_CHANNEL_ERR_RING if the queue is not enabled, or its
 * size is not a power of two <= max_size. Addresses are checked by
 * chan_dev_queue_start().
 */
int chan_header_queue_config(const struct uv_channel_header *copy, unsigned int qi,
			     enum chan_dir dir, struct chan_queue_config *cfg,
			     char *why, size_t why_len);

/* Publish the server's state, or BROKEN with a reason and queue (0xffffffff: none). */
void chan_header_set_server_state(struct uv_channel_header *shared, uint32_t state);
void chan_header_set_broken(struct uv_channel_header *shared, uint32_t queue, int reason);

/* The client's state (read once). */
uint32_t chan_header_client_state(const struct uv_channel_header *shared);

#endif /* CHAN_HEADER_H */
