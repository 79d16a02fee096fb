// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the channel ABI (uapi/linux/ultravisor_channel.h): every offset of
 * the header page, the queue descriptor and the VIRTIO split-virtqueue structures is
 * pinned (a change breaks guests and servers in the field); the GUID table; the
 * event-index rule; the default layout; the memory map's translation helper; and a
 * server's checked reading of a header page.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor_channel.h>

#include "chan_header.h"
#include "chan_mem.h"
#include "chan_queue.h"

#define OFF(s, f, v) ck_assert_uint_eq(offsetof(struct s, f), (v))

START_TEST(test_layout_header)
{
	ck_assert_uint_eq(sizeof(struct uv_channel_header), UV_CHANNEL_HEADER_SIZE);
	ck_assert_uint_eq(UV_CHANNEL_HEADER_SIZE, 4096);
	OFF(uv_channel_header, signature, 0x000);
	OFF(uv_channel_header, version, 0x008);
	OFF(uv_channel_header, header_size, 0x00c);
	OFF(uv_channel_header, type, 0x010);
	OFF(uv_channel_header, zone, 0x020);
	OFF(uv_channel_header, channel_gpa, 0x030);
	OFF(uv_channel_header, channel_size, 0x038);
	OFF(uv_channel_header, channel_id, 0x040);
	OFF(uv_channel_header, client_partition, 0x044);
	OFF(uv_channel_header, virtio_device_id, 0x048);
	OFF(uv_channel_header, num_queues, 0x04c);
	OFF(uv_channel_header, config_vector, 0x04e);
	OFF(uv_channel_header, client_state, 0x050);
	OFF(uv_channel_header, server_state, 0x054);
	OFF(uv_channel_header, broken_reason, 0x058);
	OFF(uv_channel_header, broken_queue, 0x05c);
	OFF(uv_channel_header, server_features, 0x060);
	OFF(uv_channel_header, client_features, 0x068);
	OFF(uv_channel_header, device_features, 0x070);
	OFF(uv_channel_header, driver_features, 0x080);
	OFF(uv_channel_header, config_size, 0x090);
	OFF(uv_channel_header, config_generation, 0x094);
	OFF(uv_channel_header, server_epoch, 0x098);
	OFF(uv_channel_header, reserved1, 0x09c);
	OFF(uv_channel_header, reserved2, 0x0a0);
	OFF(uv_channel_header, config, 0x100);
	OFF(uv_channel_header, queue, 0x200);
	OFF(uv_channel_header, reserved3, 0xa00);
	ck_assert_uint_eq(sizeof(((struct uv_channel_header *)0)->config), UV_CHANNEL_CONFIG_SIZE);
	ck_assert_uint_eq(sizeof(((struct uv_channel_header *)0)->queue),
			  (size_t)UV_CHANNEL_MAX_QUEUES * UV_CHANNEL_QUEUE_SIZE);
	ck_assert_uint_eq(UV_CHANNEL_QUEUE_MEM_OFFSET, 4096);
	ck_assert_uint_eq(sizeof(struct uv_guid), 16);
	/* "ULTRACHN" in memory order */
	{
		uint64_t sig = htole64(UV_CHANNEL_SIGNATURE);

		ck_assert_int_eq(memcmp(&sig, "ULTRACHN", 8), 0);
	}
}
END_TEST

START_TEST(test_layout_queue)
{
	ck_assert_uint_eq(sizeof(struct uv_channel_queue), UV_CHANNEL_QUEUE_SIZE);
	ck_assert_uint_eq(UV_CHANNEL_QUEUE_SIZE, 64);
	OFF(uv_channel_queue, size, 0);
	OFF(uv_channel_queue, max_size, 2);
	OFF(uv_channel_queue, vector, 4);
	OFF(uv_channel_queue, enable, 6);
	OFF(uv_channel_queue, notify_data, 8);
	OFF(uv_channel_queue, reserved0, 12);
	OFF(uv_channel_queue, desc_addr, 16);
	OFF(uv_channel_queue, avail_addr, 24);
	OFF(uv_channel_queue, used_addr, 32);
	OFF(uv_channel_queue, reserved, 40);
}
END_TEST

/* VIRTIO 1.x "Split Virtqueues": these are the spec's numbers, not ours to change. */
START_TEST(test_layout_virtio)
{
	ck_assert_uint_eq(sizeof(struct uv_vring_desc), 16);
	OFF(uv_vring_desc, addr, 0);
	OFF(uv_vring_desc, len, 8);
	OFF(uv_vring_desc, flags, 12);
	OFF(uv_vring_desc, next, 14);
	ck_assert_uint_eq(sizeof(struct uv_vring_avail), 4);
	OFF(uv_vring_avail, flags, 0);
	OFF(uv_vring_avail, idx, 2);
	OFF(uv_vring_avail, ring, 4);
	ck_assert_uint_eq(sizeof(struct uv_vring_used_elem), 8);
	OFF(uv_vring_used_elem, id, 0);
	OFF(uv_vring_used_elem, len, 4);
	ck_assert_uint_eq(sizeof(struct uv_vring_used), 4);
	OFF(uv_vring_used, flags, 0);
	OFF(uv_vring_used, idx, 2);
	OFF(uv_vring_used, ring, 4);
	ck_assert_uint_eq(uv_vring_desc_bytes(256), 4096);
	ck_assert_uint_eq(uv_vring_avail_bytes(256), 6 + 512);
	ck_assert_uint_eq(uv_vring_used_bytes(256), 6 + 2048);
	ck_assert_uint_eq(uv_vring_used_event_off(256), 4 + 512);
	ck_assert_uint_eq(uv_vring_avail_event_off(256), 4 + 2048);
	/* legacy vring_size(num, 4096): ALIGN(16n + 6 + 2n, 4096) + 6 + 8n */
	ck_assert_uint_eq(uv_vring_default_used_off(256), 8192);
	ck_assert_uint_eq(uv_vring_default_bytes(256), 12288);
	ck_assert_uint_eq(uv_vring_default_used_off(8), 4096);
	ck_assert_uint_eq(uv_vring_default_bytes(8), 8192);
	ck_assert_uint_eq(uv_vring_default_used_off(32768), 0x91000);
	ck_assert_uint_eq(uv_vring_default_bytes(32768), 0xd2000);
	ck_assert_uint_eq(UV_VRING_DESC_F_NEXT, 1);
	ck_assert_uint_eq(UV_VRING_DESC_F_WRITE, 2);
	ck_assert_uint_eq(UV_VRING_DESC_F_INDIRECT, 4);
	ck_assert_uint_eq(UV_VRING_AVAIL_F_NO_INTERRUPT, 1);
	ck_assert_uint_eq(UV_VRING_USED_F_NO_NOTIFY, 1);
	ck_assert_uint_eq(UV_VIRTIO_F_INDIRECT_DESC, 28);
	ck_assert_uint_eq(UV_VIRTIO_F_EVENT_IDX, 29);
	ck_assert_uint_eq(UV_VIRTIO_F_VERSION_1, 32);
	ck_assert_uint_eq(UV_VIRTIO_ID_NET, 1);
	ck_assert_uint_eq(UV_VIRTIO_ID_BLOCK, 2);
	ck_assert_uint_eq(UV_VIRTIO_ID_CONSOLE, 3);
}
END_TEST

START_TEST(test_need_event)
{
	/* notify iff event_idx in [old, new) modulo 2^16 */
	ck_assert(uv_vring_need_event(0, 1, 0));
	ck_assert(!uv_vring_need_event(1, 1, 0));
	ck_assert(uv_vring_need_event(5, 10, 3));
	ck_assert(uv_vring_need_event(3, 10, 3));
	ck_assert(!uv_vring_need_event(10, 10, 3));
	ck_assert(!uv_vring_need_event(2, 10, 3));
	ck_assert(!uv_vring_need_event(7, 7, 7));	/* nothing new */
	/* across the 16-bit wrap */
	ck_assert(uv_vring_need_event(65535, 1, 65534));
	ck_assert(uv_vring_need_event(0, 1, 65534));
	ck_assert(!uv_vring_need_event(1, 1, 65534));
	ck_assert(!uv_vring_need_event(65533, 1, 65534));
}
END_TEST

START_TEST(test_types_and_guids)
{
	static const struct {
		const char *name, *guid;
		uint32_t type;
		uint32_t virtio;
	} want[] = {
		{ "control", "da586b4f-9d70-4d69-a500-af8cc937c040", UV_CHANNEL_TYPE_CONTROL, 0 },
		{ "command", "da74bc58-e392-4b43-9081-36cd53ef23ef", UV_CHANNEL_TYPE_COMMAND, 0 },
		{ "boot", "079ba0cd-653a-4a7c-9d64-6927c827024d", UV_CHANNEL_TYPE_BOOT, 0 },
		{ "console", "17ebb0c0-0efd-444f-b6f3-5aae80e01b2e", UV_CHANNEL_TYPE_CONSOLE, 3 },
		{ "storage", "a6f97ff8-27eb-4679-9865-dcd22dd732ca", UV_CHANNEL_TYPE_STORAGE, 2 },
		{ "network", "95b69ff4-7e5d-4914-9a6f-b2cd0296c806", UV_CHANNEL_TYPE_NETWORK, 1 },
		{ "power", "739c73da-f3f8-4ec5-abed-3eb11a592481", UV_CHANNEL_TYPE_POWER, 0 },
		{ "memory", "5be50337-d4d4-47d5-b3d6-9bfb63a85afe", UV_CHANNEL_TYPE_MEMORY, 0 },
		{ "processor", "ceddb78a-1893-4d0f-9ddb-4d71d1ef34bf", UV_CHANNEL_TYPE_PROCESSOR, 0 },
	};
	static const struct uv_guid console = UV_CHANNEL_GUID_CONSOLE;
	char text[CHAN_GUID_TEXT_LEN];
	struct uv_guid g;
	unsigned int i, j;

	ck_assert_uint_eq(sizeof(want) / sizeof(want[0]), UV_CHANNEL_TYPE_MAX);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct chan_type_info *t = chan_type_by_code(want[i].type);

		ck_assert_ptr_nonnull(t);
		ck_assert_str_eq(t->name, want[i].name);
		ck_assert_str_eq(chan_guid_format(&t->guid, text), want[i].guid);
		ck_assert_uint_eq(t->virtio_id, want[i].virtio);
		ck_assert_int_eq(chan_guid_parse(want[i].guid, &g), 0);
		ck_assert_ptr_eq(chan_type_by_guid(&g), t);
		ck_assert_ptr_eq(chan_type_by_name(want[i].name), t);
		/* random v4 GUIDs: version nibble 4, variant 10xx */
		ck_assert_uint_eq(t->guid.b[6] >> 4, 4);
		ck_assert_uint_eq(t->guid.b[8] >> 6, 2);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(&chan_type_by_code(want[j].type)->guid, &g, 16));
	}
	ck_assert_uint_eq(console.b[0], 0x17);
	ck_assert_uint_eq(console.b[15], 0x2e);
	ck_assert_ptr_null(chan_type_by_code(0));
	ck_assert_ptr_null(chan_type_by_code(UV_CHANNEL_TYPE_MAX + 1));
	ck_assert_ptr_null(chan_type_by_name("serial"));
	ck_assert_int_eq(chan_guid_parse("17EBB0C0-0EFD-444F-B6F3-5AAE80E01B2E", &g), 0);
	ck_assert_int_eq(memcmp(&g, &console, 16), 0);
	ck_assert_int_eq(chan_guid_parse("17ebb0c0-0efd-444f-b6f3-5aae80e01b2", &g), -EINVAL);
	ck_assert_int_eq(chan_guid_parse("17ebb0c0-0efd-444f-b6f3-5aae80e01b2e0", &g), -EINVAL);
	ck_assert_int_eq(chan_guid_parse("17ebb0c0x0efd-444f-b6f3-5aae80e01b2e", &g), -EINVAL);
	ck_assert_int_eq(chan_guid_parse("17ebb0c0-0efd-444f-b6f3-5aae80e01bze", &g), -EINVAL);
}
END_TEST

/* ---- the translation helper -------------------------------------------------------- */

START_TEST(test_mem_translate)
{
	static char a[0x1000], b[0x2000];
	struct chan_mem m;
	int why = 0;

	chan_mem_init(&m);
	ck_assert_int_eq(chan_mem_add(&m, 0x10000, sizeof(a), a), 0);
	ck_assert_int_eq(chan_mem_add(&m, 0x11000, sizeof(b), b), 0);
	ck_assert_int_eq(chan_mem_add(&m, 0x10800, 0x1000, a), -EINVAL);	/* overlaps */
	ck_assert_int_eq(chan_mem_add(&m, 0x20000, 0, a), -EINVAL);
	ck_assert_int_eq(chan_mem_add(&m, UINT64_MAX, 2, a), -EINVAL);		/* wraps */
	ck_assert_int_eq(chan_mem_add(&m, 0x20000, 1, NULL), -EINVAL);
	ck_assert_int_eq(chan_mem_reserve(&m, 0x11000, 0x100), 0);

	ck_assert_ptr_eq(chan_mem_translate(&m, 0x10000, 0x1000, CHAN_MEM_BUFFER, &why), a);
	ck_assert_ptr_eq(chan_mem_translate(&m, 0x10fff, 1, CHAN_MEM_BUFFER, &why), a + 0xfff);
	ck_assert_ptr_eq(chan_mem_translate(&m, 0x12000, 0x1000, CHAN_MEM_BUFFER, &why),
			 b + 0x1000);
	/* one byte past a region, before it, spanning two regions */
	ck_assert_ptr_null(chan_mem_translate(&m, 0x13000, 1, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_ADDR);
	ck_assert_ptr_null(chan_mem_translate(&m, 0xffff, 2, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_ADDR);
	why = 0;
	ck_assert_ptr_null(chan_mem_translate(&m, 0x10f00, 0x200, CHAN_MEM_RING, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_ADDR);
	ck_assert_ptr_null(chan_mem_translate(&m, 0x12fff, 2, CHAN_MEM_BUFFER, &why));
	/* huge length that would overflow a naive end computation */
	ck_assert_ptr_null(chan_mem_translate(&m, 0x10000, UINT64_MAX - 0x8000, CHAN_MEM_RING,
					      &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_WRAP);
	ck_assert_ptr_null(chan_mem_translate(&m, UINT64_MAX - 0xf, 0x20, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_WRAP);
	ck_assert_ptr_null(chan_mem_translate(&m, 0x10000, 0, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_LEN);
	/* reserved range: rings yes, buffers no */
	ck_assert_ptr_eq(chan_mem_translate(&m, 0x11010, 0x10, CHAN_MEM_RING, &why), b + 0x10);
	ck_assert_ptr_null(chan_mem_translate(&m, 0x11010, 0x10, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_OVERLAP);
	ck_assert_ptr_null(chan_mem_translate(&m, 0x10ff0, 0x11, CHAN_MEM_BUFFER, &why));
	ck_assert_ptr_eq(chan_mem_translate(&m, 0x11100, 0x10, CHAN_MEM_BUFFER, &why), b + 0x100);
}
END_TEST

START_TEST(test_mem_top_of_space)
{
	static char top[0x1000];
	struct chan_mem m;
	int why = 0;

	chan_mem_init(&m);
	/* a region ending exactly at 2^64 is fine, its last byte is addressable */
	ck_assert_int_eq(chan_mem_add(&m, 0xfffffffffffff000ULL, 0x1000, top), 0);
	ck_assert_ptr_eq(chan_mem_translate(&m, UINT64_MAX, 1, CHAN_MEM_BUFFER, &why),
			 top + 0xfff);
	ck_assert_ptr_null(chan_mem_translate(&m, UINT64_MAX, 2, CHAN_MEM_BUFFER, &why));
	ck_assert_int_eq(why, UV_CHANNEL_ERR_WRAP);
}
END_TEST

/* ---- layout and header ------------------------------------------------------------- */

static struct chan_layout console_layout(void)
{
	struct chan_layout l;

	memset(&l, 0, sizeof(l));
	l.type = UV_CHANNEL_TYPE_CONSOLE;
	l.gpa = 0x40000000;
	l.channel_id = 7;
	l.client_partition = 3;
	l.num_queues = 2;
	l.queue_size[0] = 64;
	l.queue_size[1] = 256;
	return l;
}

START_TEST(test_layout_format)
{
	struct chan_layout l = console_layout();
	uint64_t bytes = chan_layout_bytes(&l);
	struct uv_channel_header *h, copy;
	char why[128];
	void *mem;

	ck_assert_uint_eq(bytes, 4096 + uv_vring_default_bytes(64) + uv_vring_default_bytes(256));
	ck_assert_uint_eq(bytes, 4096 + 8192 + 12288);
	mem = aligned_alloc(4096, bytes);
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(chan_layout_format(mem, bytes - 1, &l), -EINVAL);
	ck_assert_int_eq(chan_layout_format(mem, bytes, &l), 0);
	h = mem;
	ck_assert_uint_eq(le64toh(h->signature), UV_CHANNEL_SIGNATURE);
	ck_assert_uint_eq(le32toh(h->virtio_device_id), UV_VIRTIO_ID_CONSOLE);
	ck_assert_uint_eq(le64toh(h->channel_size), bytes);
	ck_assert_uint_eq(le16toh(h->queue[0].max_size), 64);
	ck_assert_uint_eq(le64toh(h->queue[0].desc_addr), 0x40001000);
	ck_assert_uint_eq(le64toh(h->queue[0].avail_addr), 0x40001000 + 1024);
	ck_assert_uint_eq(le64toh(h->queue[0].used_addr), 0x40002000);
	ck_assert_uint_eq(le64toh(h->queue[1].desc_addr), 0x40003000);
	ck_assert_uint_eq(le64toh(h->queue[1].used_addr), 0x40005000);
	ck_assert_uint_eq(le32toh(h->queue[1].notify_data), 1);
	ck_assert_uint_eq(le16toh(h->queue[1].vector), UV_CHANNEL_NO_VECTOR);
	ck_assert_int_eq(chan_header_read(h, bytes, &copy, why, sizeof(why)), 0);
	ck_assert_int_eq(memcmp(h, &copy, sizeof(copy)), 0);

	/* not a power of two; too many queues; beyond 1024 pages */
	l.queue_size[1] = 100;
	ck_assert_uint_eq(chan_layout_bytes(&l), 0);
	l = console_layout();
	l.num_queues = UV_CHANNEL_MAX_QUEUES + 1;
	ck_assert_uint_eq(chan_layout_bytes(&l), 0);
	l = console_layout();
	l.num_queues = 5;	/* 5 x 840 KiB: more than 1024 pages */
	l.queue_size[0] = l.queue_size[1] = l.queue_size[2] = 32768;
	l.queue_size[3] = l.queue_size[4] = 32768;
	ck_assert_uint_eq(chan_layout_bytes(&l), 0);
	l.num_queues = 4;
	ck_assert_uint_eq(chan_layout_bytes(&l), 4096 + 4 * 0xd2000);
	free(mem);
}
END_TEST

START_TEST(test_header_read_refuses)
{
	struct chan_layout l = console_layout();
	uint64_t bytes = chan_layout_bytes(&l);
	struct uv_channel_header *h, copy;
	char why[128];
	void *mem = aligned_alloc(4096, bytes);

	ck_assert_ptr_nonnull(mem);
	h = mem;
#define REFUSED(stmt, text) do {							\
		ck_assert_int_eq(chan_layout_format(mem, bytes, &l), 0);		\
		stmt;									\
		ck_assert_int_eq(chan_header_read(h, bytes, &copy, why, sizeof(why)),	\
				 UV_CHANNEL_ERR_HEADER);				\
		ck_assert_msg(strstr(why, text), "%s", why);				\
	} while (0)
	REFUSED(h->signature ^= 1, "signature");
	REFUSED(h->version = htole32(2), "version");
	REFUSED(h->header_size = htole32(8192), "header size");
	REFUSED(h->channel_size = htole64(bytes + 4096), "channel size");
	REFUSED(h->channel_size = htole64(bytes - 1), "channel size");
	REFUSED(h->type.b[3] ^= 0xff, "type");
	REFUSED(h->virtio_device_id = htole32(UV_VIRTIO_ID_NET), "virtio device id");
	REFUSED(h->num_queues = htole16(33), "too many queues");
	REFUSED(h->queue[1].max_size = htole16(100), "max size");
	REFUSED(h->queue[1].max_size = htole16(1024), "do not fit");
	ck_assert_int_eq(chan_header_read(h, 4095, &copy, why, sizeof(why)), UV_CHANNEL_ERR_HEADER);
#undef REFUSED
	free(mem);
}
END_TEST

START_TEST(test_header_queue_config)
{
	struct chan_layout l = console_layout();
	uint64_t bytes = chan_layout_bytes(&l);
	struct uv_channel_header *h, copy;
	struct chan_queue_config cfg;
	char why[128];
	void *mem = aligned_alloc(4096, bytes);

	ck_assert_ptr_nonnull(mem);
	h = mem;
	ck_assert_int_eq(chan_layout_format(mem, bytes, &l), 0);
	h->device_features[0] = htole64(1ULL << UV_VIRTIO_F_EVENT_IDX |
					1ULL << UV_VIRTIO_F_VERSION_1);
	h->driver_features[0] = h->device_features[0];
	h->queue[1].size = htole16(128);
	h->queue[1].enable = htole16(1);
	ck_assert_int_eq(chan_header_read(h, bytes, &copy, why, sizeof(why)), 0);
	ck_assert_int_eq(chan_header_queue_config(&copy, 1, CHAN_DIR_DEVICE_READS, &cfg, why,
						  sizeof(why)), 0);
	ck_assert_uint_eq(cfg.size, 128);
	ck_assert(cfg.event_idx);
	ck_assert(!cfg.indirect);
	ck_assert_uint_eq(cfg.desc_addr, 0x40003000);
	ck_assert_uint_eq(cfg.dir, CHAN_DIR_DEVICE_READS);
	/* queue 0 not enabled; queue 2 does not exist */
	ck_assert_int_eq(chan_header_queue_config(&copy, 0, CHAN_DIR_ANY, &cfg, why, sizeof(why)),
			 UV_CHANNEL_ERR_RING);
	ck_assert_int_eq(chan_header_queue_config(&copy, 2, CHAN_DIR_ANY, &cfg, why, sizeof(why)),
			 UV_CHANNEL_ERR_RING);
	/* bigger than max_size */
	copy.queue[1].size = htole16(512);
	ck_assert_int_eq(chan_header_queue_config(&copy, 1, CHAN_DIR_ANY, &cfg, why, sizeof(why)),
			 UV_CHANNEL_ERR_RING);
	copy.queue[1].size = htole16(128);
	/* accepted INDIRECT_DESC, which was not offered */
	copy.driver_features[0] |= htole64(1ULL << UV_VIRTIO_F_INDIRECT_DESC);
	ck_assert_int_eq(chan_header_queue_config(&copy, 1, CHAN_DIR_ANY, &cfg, why, sizeof(why)),
			 UV_CHANNEL_ERR_FEATURES);
	ck_assert_msg(strstr(why, "not offered"), "%s", why);
	copy.driver_features[0] = copy.device_features[0];
	copy.driver_features[1] = htole64(1);
	ck_assert_int_eq(chan_header_queue_config(&copy, 1, CHAN_DIR_ANY, &cfg, why, sizeof(why)),
			 UV_CHANNEL_ERR_FEATURES);

	/* the server's published states */
	chan_header_set_broken(h, 1, UV_CHANNEL_ERR_LOOP);
	ck_assert_uint_eq(le32toh(h->server_state), UV_CHANNEL_SERVER_BROKEN);
	ck_assert_uint_eq(le32toh(h->broken_reason), UV_CHANNEL_ERR_LOOP);
	ck_assert_uint_eq(le32toh(h->broken_queue), 1);
	chan_header_set_server_state(h, UV_CHANNEL_SERVER_READY);
	ck_assert_uint_eq(le32toh(h->server_state), UV_CHANNEL_SERVER_READY);
	ck_assert_uint_eq(le32toh(h->broken_reason), 0);
	h->client_state = htole32(UV_CHANNEL_CLIENT_DRIVER_OK | UV_CHANNEL_CLIENT_FEATURES_OK);
	ck_assert_uint_eq(chan_header_client_state(h), 0x0c);
	free(mem);
}
END_TEST

START_TEST(test_error_names)
{
	int i;

	for (i = 0; i <= UV_CHANNEL_ERR_MAX; i++)
		ck_assert_str_ne(chan_error_name(i), "?");
	ck_assert_str_eq(chan_error_name(UV_CHANNEL_ERR_ADDR), "addr");
	ck_assert_str_eq(chan_error_name(UV_CHANNEL_ERR_MAX + 1), "?");
	ck_assert_str_eq(chan_error_name(-1), "?");
}
END_TEST

static Suite *abi_suite(void)
{
	Suite *s = suite_create("chan_abi");
	TCase *tc = tcase_create("abi");

	tcase_add_test(tc, test_layout_header);
	tcase_add_test(tc, test_layout_queue);
	tcase_add_test(tc, test_layout_virtio);
	tcase_add_test(tc, test_need_event);
	tcase_add_test(tc, test_types_and_guids);
	tcase_add_test(tc, test_mem_translate);
	tcase_add_test(tc, test_mem_top_of_space);
	tcase_add_test(tc, test_layout_format);
	tcase_add_test(tc, test_header_read_refuses);
	tcase_add_test(tc, test_header_queue_config);
	tcase_add_test(tc, test_error_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(abi_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
