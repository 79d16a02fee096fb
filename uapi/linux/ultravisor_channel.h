/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the memory-channel ABI, shared by both ends of a channel.
 *
 * A channel ([0113]-[0133]) is a run of client-owned 4 KiB pages: a header page
 * (struct uv_channel_header) followed by queue memory. The module creates it inside
 * the client partition's memory and maps it (and the client's memory) into each
 * server. Queues are VIRTIO 1.x split virtqueues (descriptor table, available ring,
 * used ring) with the VIRTIO_F_EVENT_IDX notification suppression, so the servers
 * are ordinary virtio device back ends and a guest can run stock virtio drivers.
 *
 * This one header serves the module, the userspace servers, freestanding test
 * guests and the guest's Linux channel bus: it needs nothing but <linux/types.h>.
 * Every field is little-endian and at a fixed offset; docs/channels.md lists them,
 * says which side may write each one and what a server checks.
 *
 * Two rules make shared memory safe to read for the side that does not own it:
 *  - each side keeps its own state privately and only *publishes* a copy here;
 *    it never reads back a field it owns (the other side may have scribbled on it);
 *  - a field written by the other side is read once into a private copy, and the
 *    copy is validated before use (a descriptor, an index, a state).
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_CHANNEL_H
#define _UAPI_LINUX_ULTRAVISOR_CHANNEL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ---- GUIDs ---------------------------------------------------------------------- */

/*
 * A GUID is 16 bytes in the order of its text form (RFC 4122 / RFC 9562 network
 * order): "17ebb0c0-0efd-..." is stored as 0x17, 0xeb, 0xb0, 0xc0, 0x0e, 0xfd, ...
 * (not the mixed-endian Microsoft GUID layout).
 */
struct uv_guid {
	__u8 b[16];
};

/*
 * Channel types of [0123]-[0133]. The small number is what the resource database
 * records (struct uv_txn_channel.type); the GUID is what the channel header carries
 * and what a guest's channel bus matches drivers on. The GUIDs are random (v4),
 * generated once for ultravisor; they never change.
 */
enum uv_channel_type {
	UV_CHANNEL_TYPE_CONTROL = 1,	/* [0124] control of the partition, bus commands */
	UV_CHANNEL_TYPE_COMMAND = 2,	/* [0125] command partition -> ultravisor */
	UV_CHANNEL_TYPE_BOOT = 3,	/* [0126] firmware image loading */
	UV_CHANNEL_TYPE_CONSOLE = 4,	/* [0127] text console: virtio-console */
	UV_CHANNEL_TYPE_STORAGE = 5,	/* [0128] storage: virtio-blk */
	UV_CHANNEL_TYPE_NETWORK = 6,	/* [0129] Ethernet: virtio-net */
	UV_CHANNEL_TYPE_POWER = 7,	/* [0130] power zone, no data */
	UV_CHANNEL_TYPE_MEMORY = 8,	/* [0131] memory zone, no data */
	UV_CHANNEL_TYPE_PROCESSOR = 9,	/* [0133] processor zone, no data */
	UV_CHANNEL_TYPE_MAX = 9,
};

/* da586b4f-9d70-4d69-a500-af8cc937c040 */
#define UV_CHANNEL_GUID_CONTROL \
	{{ 0xda, 0x58, 0x6b, 0x4f, 0x9d, 0x70, 0x4d, 0x69, \
	   0xa5, 0x00, 0xaf, 0x8c, 0xc9, 0x37, 0xc0, 0x40 }}
/* da74bc58-e392-4b43-9081-36cd53ef23ef */
#define UV_CHANNEL_GUID_COMMAND \
	{{ 0xda, 0x74, 0xbc, 0x58, 0xe3, 0x92, 0x4b, 0x43, \
	   0x90, 0x81, 0x36, 0xcd, 0x53, 0xef, 0x23, 0xef }}
/* 079ba0cd-653a-4a7c-9d64-6927c827024d */
#define UV_CHANNEL_GUID_BOOT \
	{{ 0x07, 0x9b, 0xa0, 0xcd, 0x65, 0x3a, 0x4a, 0x7c, \
	   0x9d, 0x64, 0x69, 0x27, 0xc8, 0x27, 0x02, 0x4d }}
/* 17ebb0c0-0efd-444f-b6f3-5aae80e01b2e */
#define UV_CHANNEL_GUID_CONSOLE \
	{{ 0x17, 0xeb, 0xb0, 0xc0, 0x0e, 0xfd, 0x44, 0x4f, \
	   0xb6, 0xf3, 0x5a, 0xae, 0x80, 0xe0, 0x1b, 0x2e }}
/* a6f97ff8-27eb-4679-9865-dcd22dd732ca */
#define UV_CHANNEL_GUID_STORAGE \
	{{ 0xa6, 0xf9, 0x7f, 0xf8, 0x27, 0xeb, 0x46, 0x79, \
	   0x98, 0x65, 0xdc, 0xd2, 0x2d, 0xd7, 0x32, 0xca }}
/* 95b69ff4-7e5d-4914-9a6f-b2cd0296c806 */
#define UV_CHANNEL_GUID_NETWORK \
	{{ 0x95, 0xb6, 0x9f, 0xf4, 0x7e, 0x5d, 0x49, 0x14, \
	   0x9a, 0x6f, 0xb2, 0xcd, 0x02, 0x96, 0xc8, 0x06 }}
/* 739c73da-f3f8-4ec5-abed-3eb11a592481 */
#define UV_CHANNEL_GUID_POWER \
	{{ 0x73, 0x9c, 0x73, 0xda, 0xf3, 0xf8, 0x4e, 0xc5, \
	   0xab, 0xed, 0x3e, 0xb1, 0x1a, 0x59, 0x24, 0x81 }}
/* 5be50337-d4d4-47d5-b3d6-9bfb63a85afe */
#define UV_CHANNEL_GUID_MEMORY \
	{{ 0x5b, 0xe5, 0x03, 0x37, 0xd4, 0xd4, 0x47, 0xd5, \
	   0xb3, 0xd6, 0x9b, 0xfb, 0x63, 0xa8, 0x5a, 0xfe }}
/* ceddb78a-1893-4d0f-9ddb-4d71d1ef34bf */
#define UV_CHANNEL_GUID_PROCESSOR \
	{{ 0xce, 0xdd, 0xb7, 0x8a, 0x18, 0x93, 0x4d, 0x0f, \
	   0x9d, 0xdb, 0x4d, 0x71, 0xd1, 0xef, 0x34, 0xbf }}

/*
 * VIRTIO device ids (VIRTIO 1.x "Device Types") a channel type maps to, in
 * uv_channel_header.virtio_device_id; 0 for a channel that is no virtio device.
 */
#define UV_VIRTIO_ID_NONE	0
#define UV_VIRTIO_ID_NET	1	/* UV_CHANNEL_TYPE_NETWORK */
#define UV_VIRTIO_ID_BLOCK	2	/* UV_CHANNEL_TYPE_STORAGE */
#define UV_VIRTIO_ID_CONSOLE	3	/* UV_CHANNEL_TYPE_CONSOLE */

/* ---- VIRTIO 1.x split virtqueue --------------------------------------------------- */

/*
 * Reserved VIRTIO feature bits (VIRTIO 1.x "Reserved Feature Bits") a channel may
 * offer in device_features. Spelled with UV_ so that this header can be included
 * next to <linux/virtio_config.h>.
 */
#define UV_VIRTIO_F_INDIRECT_DESC	28
#define UV_VIRTIO_F_EVENT_IDX		29
#define UV_VIRTIO_F_VERSION_1		32
#define UV_VIRTIO_F_ACCESS_PLATFORM	33
#define UV_VIRTIO_F_RING_PACKED		34	/* never offered: split rings only */
#define UV_VIRTIO_F_IN_ORDER		35

/* Descriptor flags (struct uv_vring_desc.flags). */
#define UV_VRING_DESC_F_NEXT		1	/* chain continues at .next */
#define UV_VRING_DESC_F_WRITE		2	/* device writes the buffer (else reads it) */
#define UV_VRING_DESC_F_INDIRECT	4	/* buffer is a table of descriptors */

/* avail->flags: the driver asks for no used-buffer notifications (no EVENT_IDX). */
#define UV_VRING_AVAIL_F_NO_INTERRUPT	1
/* used->flags: the device asks for no available-buffer notifications (no EVENT_IDX). */
#define UV_VRING_USED_F_NO_NOTIFY	1

/* Queue sizes are powers of two up to 32768 (VIRTIO 1.x split virtqueues). */
#define UV_VRING_MAX_SIZE		32768
/* Alignment of the three parts (VIRTIO 1.x "Virtqueue Alignment"). */
#define UV_VRING_DESC_ALIGN		16
#define UV_VRING_AVAIL_ALIGN		2
#define UV_VRING_USED_ALIGN		4

/* Descriptor table entry: 16 bytes, guest-physical buffer address. */
struct uv_vring_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/*
 * Available ring (driver -> device): flags, idx (free-running: the next slot the
 * driver will fill, modulo the queue size), ring[size] of chain heads, then
 * used_event (le16) when VIRTIO_F_EVENT_IDX was negotiated.
 */
struct uv_vring_avail {
	__le16 flags;
	__le16 idx;
	__le16 ring[];
};

struct uv_vring_used_elem {
	__le32 id;	/* head of the chain the device is done with */
	__le32 len;	/* bytes the device wrote into the chain's writable buffers */
};

/*
 * Used ring (device -> driver): flags, idx, ring[size], then avail_event (le16) when
 * VIRTIO_F_EVENT_IDX was negotiated.
 */
struct uv_vring_used {
	__le16 flags;
	__le16 idx;
	struct uv_vring_used_elem ring[];
};

/* Bytes of each part for a queue of @num entries (event fields included). */
static inline __u64 uv_vring_desc_bytes(__u32 num)
{
	return 16ULL * num;
}

static inline __u64 uv_vring_avail_bytes(__u32 num)
{
	return 6ULL + 2ULL * num;
}

static inline __u64 uv_vring_used_bytes(__u32 num)
{
	return 6ULL + 8ULL * num;
}

/* Byte offset of used_event inside the available ring, of avail_event in the used. */
static inline __u64 uv_vring_used_event_off(__u32 num)
{
	return 4ULL + 2ULL * num;
}

static inline __u64 uv_vring_avail_event_off(__u32 num)
{
	return 4ULL + 8ULL * num;
}

/*
 * Event-index rule (VIRTIO 1.x "Used Buffer Notification Suppression"): a side that
 * has just moved its index from @old to @new_idx notifies the other side iff the
 * event index the other side published lies in [old, new_idx), i.e. it crossed the
 * entry the other side said it will wait for. All arithmetic is modulo 2^16.
 */
static inline int uv_vring_need_event(__u16 event_idx, __u16 new_idx, __u16 old)
{
	return (__u16)(new_idx - event_idx - 1) < (__u16)(new_idx - old);
}

/*
 * Default placement of one queue inside the channel's queue memory (what the module
 * writes when it creates a channel): descriptor table at +0, available ring right
 * after it, used ring at the next 4 KiB boundary; each queue starts on a 4 KiB
 * boundary. This is also the legacy vring layout with a 4096-byte alignment, so a
 * Linux transport can hand the memory to vring_new_virtqueue() as it is. A driver
 * may place its rings elsewhere in its memory and write their addresses instead.
 */
#define UV_CHANNEL_PAGE_SIZE		4096

static inline __u64 uv_vring_default_used_off(__u32 num)
{
	return (uv_vring_desc_bytes(num) + uv_vring_avail_bytes(num) +
		UV_CHANNEL_PAGE_SIZE - 1) & ~(__u64)(UV_CHANNEL_PAGE_SIZE - 1);
}

static inline __u64 uv_vring_default_bytes(__u32 num)
{
	return (uv_vring_default_used_off(num) + uv_vring_used_bytes(num) +
		UV_CHANNEL_PAGE_SIZE - 1) & ~(__u64)(UV_CHANNEL_PAGE_SIZE - 1);
}

/* ---- the channel header page ------------------------------------------------------ */

/* "ULTRACHN" in memory order. */
#define UV_CHANNEL_SIGNATURE		0x4e48434152544c55ULL
#define UV_CHANNEL_VERSION		1
#define UV_CHANNEL_HEADER_SIZE		4096	/* sizeof(struct uv_channel_header) */
#define UV_CHANNEL_QUEUE_SIZE		64	/* sizeof(struct uv_channel_queue) */
#define UV_CHANNEL_MAX_QUEUES		32
#define UV_CHANNEL_CONFIG_SIZE		256	/* bytes of the device-config area */
#define UV_CHANNEL_MAX_PAGES		1024	/* header page included (resdb's limit) */
#define UV_CHANNEL_NO_VECTOR		0xffff	/* queue/config without interrupt: polled */

/*
 * Client (driver) state: the VIRTIO device-status bits, written by the client only.
 * 0 is "reset": the client is not using the queues. A client comes up as
 * ACKNOWLEDGE | DRIVER, negotiates features (FEATURES_OK), fills the queue
 * descriptors and sets DRIVER_OK; from then on the server serves the queues.
 */
#define UV_CHANNEL_CLIENT_RESET		0x00
#define UV_CHANNEL_CLIENT_ACKNOWLEDGE	0x01
#define UV_CHANNEL_CLIENT_DRIVER	0x02
#define UV_CHANNEL_CLIENT_DRIVER_OK	0x04
#define UV_CHANNEL_CLIENT_FEATURES_OK	0x08
#define UV_CHANNEL_CLIENT_FAILED	0x80

/*
 * Server (device) state: written by the attached server; the module writes NONE
 * when a channel is created and when its server detaches or dies.
 */
enum uv_channel_server_state {
	UV_CHANNEL_SERVER_NONE = 0,	/* no server attached */
	UV_CHANNEL_SERVER_READY = 1,	/* attached; features and config are valid */
	UV_CHANNEL_SERVER_RUNNING = 2,	/* saw DRIVER_OK, checked the queues, serving */
	UV_CHANNEL_SERVER_BROKEN = 3,	/* refused something: see broken_reason */
};

/*
 * Why a server marked a channel broken (broken_reason). A broken channel is not
 * served until the client resets it (client_state 0), after which the server goes
 * back to READY.
 */
enum uv_channel_error {
	UV_CHANNEL_ERR_NONE = 0,
	UV_CHANNEL_ERR_HEADER = 1,	/* bad signature/version/size/state in the header */
	UV_CHANNEL_ERR_FEATURES = 2,	/* client accepted features that were not offered */
	UV_CHANNEL_ERR_RING = 3,	/* queue size or ring address/alignment/overlap */
	UV_CHANNEL_ERR_AVAIL_IDX = 4,	/* avail idx ran more than the queue size ahead */
	UV_CHANNEL_ERR_HEAD = 5,	/* chain head index >= queue size */
	UV_CHANNEL_ERR_NEXT = 6,	/* next index >= queue (or indirect table) size */
	UV_CHANNEL_ERR_LOOP = 7,	/* chain longer than the queue: a loop */
	UV_CHANNEL_ERR_ADDR = 8,	/* buffer not inside the client's memory */
	UV_CHANNEL_ERR_WRAP = 9,	/* addr + len wraps around 2^64 */
	UV_CHANNEL_ERR_LEN = 10,	/* zero-length buffer, or chain bigger than allowed */
	UV_CHANNEL_ERR_OVERLAP = 11,	/* buffers overlap each other or the channel's rings */
	UV_CHANNEL_ERR_DIRECTION = 12,	/* writable where the device only reads, or back */
	UV_CHANNEL_ERR_ORDER = 13,	/* device-readable buffer after a writable one */
	UV_CHANNEL_ERR_INDIRECT = 14,	/* bad or unnegotiated indirect table */
	UV_CHANNEL_ERR_SEGMENTS = 15,	/* more buffers in a chain than the server takes */
	UV_CHANNEL_ERR_MAX = 15,
};

/* Channel feature bits (server_features/client_features): none defined yet, 0. */

/**
 * struct uv_channel_queue - one queue's descriptor in the header page (64 bytes)
 * @size:	client: entries in this queue, a power of two <= @max_size; 0 = unused.
 * @max_size:	module: the most entries the queue memory reserved for it holds.
 * @vector:	client: how the server's used-buffer notifications for this queue
 *		reach the client (ABI minor 3): 0..UV_CHAN_LAST_GSI (23) = a GSI, an
 *		edge on that pin of the partition's I/O APIC, which delivers the
 *		vector the guest programmed there; UV_CHAN_FIRST_VECTOR..
 *		UV_CHAN_LAST_VECTOR (32..255) = that vector, injected as it is;
 *		UV_CHANNEL_NO_VECTOR = the guest polls. Any other value is refused
 *		at each notification.
 * @enable:	client: 1 once the queue's rings are set up (before DRIVER_OK), else 0.
 * @notify_data: module: the value the client passes with its notify hypercall or
 *		doorbell write for this queue (VIRTIO "queue notify data").
 * @reserved0:	zero.
 * @desc_addr:	guest-physical address of the descriptor table (16-byte aligned).
 * @avail_addr:	guest-physical address of the available ring (2-byte aligned).
 * @used_addr:	guest-physical address of the used ring (4-byte aligned).
 *		The module writes the default placement inside the channel's queue
 *		memory; the client may change the three before setting @enable.
 * @reserved:	zero.
 */
struct uv_channel_queue {
	__le16 size;
	__le16 max_size;
	__le16 vector;
	__le16 enable;
	__le32 notify_data;
	__le32 reserved0;
	__le64 desc_addr;
	__le64 avail_addr;
	__le64 used_addr;
	__le64 reserved[3];
};

/**
 * struct uv_channel_header - the first page of every channel (4096 bytes)
 * @signature:	module: UV_CHANNEL_SIGNATURE.
 * @version:	module: UV_CHANNEL_VERSION.
 * @header_size: module: UV_CHANNEL_HEADER_SIZE.
 * @type:	module: channel type GUID (UV_CHANNEL_GUID_*).
 * @zone:	module: the zone the channel connects to ([0113]); all zero for none.
 * @channel_gpa: module: guest-physical address of this page in the client.
 * @channel_size: module: bytes of the channel, this page included (4 KiB multiple).
 * @channel_id:	module: the channel's number in the resource database.
 * @client_partition: module: the client partition's number.
 * @virtio_device_id: module: UV_VIRTIO_ID_* of the device the channel carries.
 * @num_queues:	module: queue descriptors in use, <= UV_CHANNEL_MAX_QUEUES.
 * @config_vector: client: GSI (0..23) or vector (32..255) for configuration-change
 *		interrupts (UV_IOC_CHAN_NOTIFY with UV_CHAN_NOTIFY_F_CONFIG), encoded as
 *		a queue's @vector, or UV_CHANNEL_NO_VECTOR.
 * @client_state: client: UV_CHANNEL_CLIENT_* bits.
 * @server_state: server (module when none is attached): enum uv_channel_server_state.
 * @broken_reason: server: enum uv_channel_error when @server_state is BROKEN, else 0.
 * @broken_queue: server: the queue the error was found on, or 0xffffffff.
 * @server_features: server: UV_CHANNEL_F_* offered (none defined yet).
 * @client_features: client: UV_CHANNEL_F_* accepted, a subset of @server_features.
 * @device_features: server: VIRTIO feature bits 0-127 offered (bit n is bit n%64 of
 *		word n/64).
 * @driver_features: client: VIRTIO feature bits accepted, a subset of
 *		@device_features; written before FEATURES_OK.
 * @config_size: server: bytes of @config the device defines.
 * @config_generation: server: incremented around every change of @config, so a
 *		client reading it before and after knows its copy is consistent.
 * @server_epoch: module: incremented every time a server attaches, so a client can
 *		tell that its server was restarted.
 * @reserved1:	zero.
 * @reserved2:	zero.
 * @config:	server: the VIRTIO device-configuration space (e.g. struct
 *		virtio_console_config).
 * @queue:	queue descriptors, @num_queues of them in use.
 * @reserved3:	zero.
 */
struct uv_channel_header {
	__le64 signature;				/* 0x000 */
	__le32 version;					/* 0x008 */
	__le32 header_size;				/* 0x00c */
	struct uv_guid type;				/* 0x010 */
	struct uv_guid zone;				/* 0x020 */
	__le64 channel_gpa;				/* 0x030 */
	__le64 channel_size;				/* 0x038 */
	__le32 channel_id;				/* 0x040 */
	__le32 client_partition;			/* 0x044 */
	__le32 virtio_device_id;			/* 0x048 */
	__le16 num_queues;				/* 0x04c */
	__le16 config_vector;				/* 0x04e */
	__le32 client_state;				/* 0x050 */
	__le32 server_state;				/* 0x054 */
	__le32 broken_reason;				/* 0x058 */
	__le32 broken_queue;				/* 0x05c */
	__le64 server_features;				/* 0x060 */
	__le64 client_features;				/* 0x068 */
	__le64 device_features[2];			/* 0x070 */
	__le64 driver_features[2];			/* 0x080 */
	__le32 config_size;				/* 0x090 */
	__le32 config_generation;			/* 0x094 */
	__le32 server_epoch;				/* 0x098 */
	__le32 reserved1;				/* 0x09c */
	__le64 reserved2[12];				/* 0x0a0 */
	__u8 config[UV_CHANNEL_CONFIG_SIZE];		/* 0x100 */
	struct uv_channel_queue queue[UV_CHANNEL_MAX_QUEUES];	/* 0x200 */
	__u8 reserved3[1536];				/* 0xa00 */
};

/*
 * The console channel's device-configuration space (header config[], config_size
 * 0x28): VIRTIO's struct virtio_console_config (the first 12 bytes, unused while no
 * VIRTIO_CONSOLE_F_* feature is offered), then ultravisor's transmit-drop report
 * (docs/channels.md, "Console server"). Unlike the rest of config[], the client
 * writes the tx_drop_* words: a driver that finds transmitq0 full and gives up on
 * bytes (it never waits for the host forever) counts them here, so the server can
 * put a marker in its log where output is missing. The server publishes in
 * srv_drop_* the drop events it has reported, which tells a restarted server what
 * the previous one already logged.
 */
struct uv_console_config {
	__le16 cols;			/* 0x00 virtio_console_config */
	__le16 rows;			/* 0x02 */
	__le32 max_nr_ports;		/* 0x04 */
	__le32 emerg_wr;		/* 0x08 */
	__le32 reserved0;		/* 0x0c */
	__le32 tx_drop_events;		/* 0x10 client: drop episodes so far */
	__le16 tx_drop_avail;		/* 0x14 client: avail idx at the latest one */
	__le16 reserved1;		/* 0x16 */
	__le32 tx_dropped;		/* 0x18 client: bytes dropped so far */
	__le32 reserved2;		/* 0x1c */
	__le32 srv_drop_events;		/* 0x20 server: episodes reported in its log */
	__le32 srv_dropped;		/* 0x24 server: bytes reported */
};

#define UV_CONSOLE_CONFIG_SIZE		0x28
/* The console's queues (VIRTIO console, port 0 only). */
#define UV_CONSOLE_RECEIVEQ		0
#define UV_CONSOLE_TRANSMITQ		1

/*
 * The Boot channel's device-configuration space (header config[], config_size
 * 0x40; docs/channels.md, "Boot channel"). The server (the command daemon)
 * writes the image into the client's memory through its channel fd, then this:
 * @state LOADING while it writes, COMPLETE once the image and its boot
 * information are in place and the entry state is set, FAILED when it gave up.
 * The channel has no queues and is destroyed when the partition starts.
 */
struct uv_boot_config {
	__le32 state;			/* 0x00 enum uv_boot_status */
	__le32 format;			/* 0x04 enum uv_boot_format */
	__le64 image_bytes;		/* 0x08 size of the image file */
	__le64 load_low;		/* 0x10 guest-physical range written: [low, high) */
	__le64 load_high;		/* 0x18 */
	__le32 entry_mode;		/* 0x20 UV_ENTRY_FLAT32 (<linux/ultravisor.h>) */
	__le32 entry_eip;		/* 0x24 */
	__le32 entry_eax;		/* 0x28 */
	__le32 entry_ebx;		/* 0x2c */
	__le32 entry_esi;		/* 0x30 */
	__le32 reserved0;		/* 0x34 */
	__le64 reserved1;		/* 0x38 */
};

#define UV_BOOT_CONFIG_SIZE		0x40

enum uv_boot_status {
	UV_BOOT_NONE = 0,
	UV_BOOT_LOADING = 1,
	UV_BOOT_COMPLETE = 2,
	UV_BOOT_FAILED = 3,
};

enum uv_boot_format {
	UV_BOOT_FORMAT_MULTIBOOT = 1,	/* Multiboot v1 ELF */
	UV_BOOT_FORMAT_LINUX = 2,	/* Linux bzImage, 32-bit boot protocol */
};

/* Queue memory starts right after the header page. */
#define UV_CHANNEL_QUEUE_MEM_OFFSET	UV_CHANNEL_HEADER_SIZE

/* ---- discovery: what UV_HC_CHANNEL_LIST writes (docs/channels.md) ---------------- */

/**
 * struct uv_channel_entry - one channel of the calling partition (48 bytes)
 * @type:	the channel type GUID (as in the header page).
 * @gpa:	guest-physical address of the channel's header page.
 * @size:	bytes of the channel (the pages the database gives it).
 * @channel_id:	the channel's number (header channel_id): pass @gpa, not this, to
 *		UV_HC_CHANNEL_NOTIFY.
 * @interrupt:	UV_CHANNEL_NO_VECTOR: the module assigns no interrupt; the guest
 *		chooses its own GSI or vector per queue (uv_channel_queue.vector) and
 *		for config changes (config_vector), and the module signals those.
 * @type_code:	enum uv_channel_type.
 * @reserved:	zero.
 */
struct uv_channel_entry {
	struct uv_guid type;
	__le64 gpa;
	__le64 size;
	__le32 channel_id;
	__le32 interrupt;
	__le32 type_code;
	__le32 reserved;
};

#define UV_CHANNEL_ENTRY_SIZE		48

/* ---- the channel ioctls on /dev/ultravisor (docs/channels.md, "Kernel side") ----- */

/*
 * Numbers 0x10-0x17 of the module's ioctl space (UV_IOCTL_MAGIC of
 * <linux/ultravisor.h>), same rules as there: the first __u32 is the caller's
 * size, unknown input bytes must be zero, the module answers with its size. The
 * channel part of the ABI has its own minor number, UV_CHAN_ABI_MINOR, returned by
 * UV_IOC_CHAN_LIST; 1 is the first set, 2 adds interrupt injection by
 * UV_IOC_CHAN_NOTIFY (UV_CHAN_NOTIFY_F_CONFIG, -ERANGE) and its counters in
 * struct uv_chan_info, 3 lets a queue's vector name a GSI of the client's I/O
 * APIC (0..23).
 */
#define UV_CHAN_ABI_MINOR		3
#define UV_CHAN_IOCTL_MAGIC		0xB9	/* == UV_IOCTL_MAGIC */

#define UV_CHAN_MAX_REGIONS		4
#define UV_CHAN_WHY_LEN			128

/* One piece of the client's memory in the channel fd's mmap space. */
struct uv_chan_region {
	__u64 gpa;		/* guest-physical address of the first byte */
	__u64 size;		/* bytes */
	__u64 offset;		/* mmap offset of the first byte */
};

/**
 * struct uv_chan_open - UV_IOC_CHAN_OPEN: attach as a server, get a channel fd
 * @size:	sizeof(struct uv_chan_open).
 * @channel:	in: the channel's number ([G,M,K] of its descriptor).
 * @server:	in: the partition the caller serves as (an I/O partition; not a
 *		built-in one).
 * @flags:	in: zero.
 * @fd:		out: the channel fd (O_CLOEXEC). Closing it detaches the server.
 * @slot:	out: the server slot the attach transaction took.
 * @client:	out: the client partition.
 * @type:	out: enum uv_channel_type.
 * @epoch:	out: the channel's server_epoch after this attach.
 * @nr_regions:	out: entries of @region in use.
 * @channel_gpa: out: guest-physical address of the header page.
 * @channel_size: out: bytes of the channel (its pages).
 * @log_seq:	out: sequence number of the attach transaction's commit record.
 * @region:	out: the client's memory as the fd maps it.
 * @message:	out: the reason when it fails.
 * @reserved:	zero.
 *
 * Attaching is a transaction (Change Server, slot from none to @server) the
 * module submits itself, as the client's monitor does in [0132]. Allowed on a
 * read-only /dev/ultravisor: the command channel's holder is another process.
 * Errors: -ENOENT no such channel or server; -EBUSY every slot taken or the
 * channel is pending reclamation; -EPERM the server is a built-in partition.
 */
struct uv_chan_open {
	__u32 size;
	__u32 channel;
	__u32 server;
	__u32 flags;
	__s32 fd;
	__u32 slot;
	__u32 client;
	__u32 type;
	__u32 epoch;
	__u32 nr_regions;
	__u64 channel_gpa;
	__u64 channel_size;
	__u64 log_seq;
	struct uv_chan_region region[UV_CHAN_MAX_REGIONS];
	char message[UV_CHAN_WHY_LEN];
	__u64 reserved[4];
};

#define UV_CHAN_OPEN_SIZE_VER0		320

/**
 * struct uv_chan_eventfd - UV_IOC_CHAN_EVENTFD (channel fd): guest kicks -> eventfd
 * @size:	sizeof(struct uv_chan_eventfd).
 * @queue:	in: queue index (< UV_CHANNEL_MAX_QUEUES).
 * @fd:		in: an eventfd signalled on each notify hypercall for @queue; -1 unbinds.
 * @flags:	in: zero.
 */
struct uv_chan_eventfd {
	__u32 size;
	__u32 queue;
	__s32 fd;
	__u32 flags;
};

#define UV_CHAN_EVENTFD_SIZE_VER0	16

/*
 * What a client may write in a queue's vector or config_vector: a GSI of its
 * I/O APIC (0..UV_CHAN_LAST_GSI), or an external interrupt vector.
 */
#define UV_CHAN_LAST_GSI		23
#define UV_CHAN_FIRST_VECTOR		32
#define UV_CHAN_LAST_VECTOR		255

/* uv_chan_notify.flags: a configuration change (config_vector), not a queue (0) */
#define UV_CHAN_NOTIFY_F_CONFIG		0x1

/**
 * struct uv_chan_notify - UV_IOC_CHAN_NOTIFY (channel fd): the server -> the guest
 * @size:	sizeof(struct uv_chan_notify).
 * @queue:	in: queue index whose used ring moved and whose event index asked for
 *		it; 0 with UV_CHAN_NOTIFY_F_CONFIG.
 * @flags:	in: 0, or UV_CHAN_NOTIFY_F_CONFIG: the server changed @config (and
 *		config_generation).
 * @vector:	out: the queue's vector (or config_vector) as the client wrote it;
 *		ignored on input, so one struct can be reused call after call.
 *
 * The module reads the vector once from the header. A GSI (0..UV_CHAN_LAST_GSI)
 * is raised as an edge on that pin of the client partition's I/O APIC, which
 * delivers what the guest programmed in the pin's redirection entry
 * (docs/guest-platform.md, section 12); a vector (32..255) is injected into the
 * client's vCPU as an external interrupt (docs/monitor.md, "Interrupts").
 * UV_CHANNEL_NO_VECTOR: the guest polls the used ring, nothing more is done (a
 * "used-ring-only" signal). Every call is counted in the channel's statistics
 * (UV_IOC_CHAN_LIST). Errors: -ERANGE the client wrote something else
 * (24..31 or above 255; refused, counted in bad_vector, logged); -ESRCH the
 * client partition is not loaded; -ENOLINK the fd is detached.
 */
struct uv_chan_notify {
	__u32 size;
	__u32 queue;
	__u32 flags;
	__u32 vector;
};

#define UV_CHAN_NOTIFY_SIZE_VER0	16

/* uv_chan_info.flags */
#define UV_CHAN_F_PENDING	0x1	/* client destroyed: pages wait for the servers */

/**
 * struct uv_chan_info - one channel in UV_IOC_CHAN_LIST's buffer (128 bytes)
 * @number:	the channel ([G,M,K] of its descriptor).
 * @type:	enum uv_channel_type.
 * @client:	client partition.
 * @nr_pages:	pages of the channel.
 * @first_pfn:	first page frame.
 * @gpa:	guest-physical address of the header page in the client.
 * @server:	the database's server slots (UV_NONE: empty).
 * @flags:	UV_CHAN_F_*.
 * @open:	channel fds open (attached servers that are alive).
 * @guest_kicks: notify hypercalls from the guest (available-buffer notifications).
 * @kicks_signalled: of those, eventfd signals delivered to a server.
 * @server_notifies: UV_IOC_CHAN_NOTIFY calls (used-buffer notifications).
 * @epoch:	server_epoch (attaches so far).
 * @pad:	zero.
 * @server_irqs: of @server_notifies, those that raised the client's interrupt
 *		(a GSI or a vector).
 * @server_used_only: of @server_notifies, those for a polled queue (no vector):
 *		the used ring alone tells the guest.
 * @bad_vector:	of @server_notifies, those refused: the client's vector is
 *		neither a GSI (0..23) nor 32..255.
 * @reserved:	zero.
 */
struct uv_chan_info {
	__u32 number;
	__u32 type;
	__u32 client;
	__u32 nr_pages;
	__u64 first_pfn;
	__u64 gpa;
	__u32 server[4];
	__u32 flags;
	__u32 open;
	__u64 guest_kicks;
	__u64 kicks_signalled;
	__u64 server_notifies;
	__u32 epoch;
	__u32 pad;
	__u64 server_irqs;
	__u64 server_used_only;
	__u64 bad_vector;
	__u64 reserved[2];
};

#define UV_CHAN_INFO_SIZE		128
#define UV_CHAN_LIST_MAX		1024

/**
 * struct uv_chan_list - UV_IOC_CHAN_LIST: the channels and their counters
 * @size:	sizeof(struct uv_chan_list).
 * @flags:	in: zero.
 * @buf:	in: user address of @max struct uv_chan_info.
 * @max:	in: 1..UV_CHAN_LIST_MAX.
 * @count:	out: entries written.
 * @total:	out: channels there are.
 * @abi_minor:	out: UV_CHAN_ABI_MINOR of the module.
 * @reserved:	zero.
 */
struct uv_chan_list {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u32 max;
	__u32 count;
	__u32 total;
	__u32 abi_minor;
	__u64 reserved[4];
};

#define UV_CHAN_LIST_SIZE_VER0		64

/* uv_chan_reclaim.flags */
#define UV_CHAN_RECLAIM_F_PARTITION	0x1	/* then destroy the client partition itself */

/**
 * struct uv_chan_reclaim - UV_IOC_CHAN_RECLAIM (holder): destroy a client's channels
 * @size:	sizeof(struct uv_chan_reclaim).
 * @partition:	in: the client partition (not running).
 * @flags:	in: UV_CHAN_RECLAIM_F_*.
 * @pad:	zero.
 * @destroyed:	out: channels destroyed now.
 * @pending:	out: channels left pending reclamation (servers still attached).
 * @pages_now:	out: pages returned to available now.
 * @pages_pending: out: pages that wait for the servers.
 * @log_seq:	out: commit record of the transaction (0 if nothing to do now).
 * @message:	out: the reason when it fails.
 * @reserved:	zero.
 *
 * [0182]: reclamation is delayed until every server has disconnected. Channels
 * without a server are destroyed and their pages returned to available at once; a
 * channel with servers is marked pending (its servers see POLLHUP on their fd) and
 * the module finishes it - Destroy Channel, its pages to available - when the last
 * server detaches. With UV_CHAN_RECLAIM_F_PARTITION the client's other pages go to
 * available now (whole map entries that hold no channel page), and the partition is
 * destroyed with the last channel.
 */
struct uv_chan_reclaim {
	__u32 size;
	__u32 partition;
	__u32 flags;
	__u32 pad;
	__u32 destroyed;
	__u32 pending;
	__u64 pages_now;
	__u64 pages_pending;
	__u64 log_seq;
	char message[UV_CHAN_WHY_LEN];
	__u64 reserved[4];
};

#define UV_CHAN_RECLAIM_SIZE_VER0	208

#define UV_IOC_CHAN_OPEN	_IOC(_IOC_READ | _IOC_WRITE, UV_CHAN_IOCTL_MAGIC, 0x10, \
				     UV_CHAN_OPEN_SIZE_VER0)	/* struct uv_chan_open */
#define UV_IOC_CHAN_EVENTFD	_IOC(_IOC_WRITE, UV_CHAN_IOCTL_MAGIC, 0x11, \
				     UV_CHAN_EVENTFD_SIZE_VER0)	/* struct uv_chan_eventfd */
#define UV_IOC_CHAN_NOTIFY	_IOC(_IOC_READ | _IOC_WRITE, UV_CHAN_IOCTL_MAGIC, 0x12, \
				     UV_CHAN_NOTIFY_SIZE_VER0)	/* struct uv_chan_notify */
#define UV_IOC_CHAN_LIST	_IOC(_IOC_READ | _IOC_WRITE, UV_CHAN_IOCTL_MAGIC, 0x13, \
				     UV_CHAN_LIST_SIZE_VER0)	/* struct uv_chan_list */
#define UV_IOC_CHAN_RECLAIM	_IOC(_IOC_READ | _IOC_WRITE, UV_CHAN_IOCTL_MAGIC, 0x14, \
				     UV_CHAN_RECLAIM_SIZE_VER0)	/* struct uv_chan_reclaim */

#endif /* _UAPI_LINUX_ULTRAVISOR_CHANNEL_H */
