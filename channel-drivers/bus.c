// SPDX-License-Identifier: GPL-2.0
/*
 * uv_chanbus: the channel bus of a Linux guest running under ultravisor
 * ([0115]-[0117] of the seed: "a channel bus driver enumerates the virtual
 * devices, where each virtual device is a client of a virtual channel"; no PCI
 * bus in the partition, [0116]).
 *
 * At load: find the monitor by its CPUID signature, list the partition's
 * channels with UV_HC_CHANNEL_LIST, check every entry and every header page,
 * and keep the channels that pass. A watch work then registers a virtio device
 * for each channel that carries one as soon as a server has attached
 * (server_state READY: the features and config are valid only from then on),
 * and afterwards notices config changes and server restarts, and removes the
 * device of a channel whose server is gone or marked it BROKEN (hot removal).
 * docs/channel-bus.md describes it all; the locking rules are in uv_chanbus.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/workqueue.h>
#include <asm/alternative.h>
#include <asm/cpufeature.h>
#include <asm/e820/api.h>
#include <asm/processor.h>

#include "uv_chanbus.h"

static unsigned int watch_ms = 200;
module_param(watch_ms, uint, 0444);
MODULE_PARM_DESC(watch_ms,
		 "period of the look for servers, config changes and broken channels, ms (10-10000)");

static LIST_HEAD(uvcb_channels);
static DEFINE_MUTEX(uvcb_lock);
static struct device *uvcb_root;
static struct delayed_work uvcb_watch;

/* Channel types, indexed by enum uv_channel_type (docs/channels.md). */
static const struct uvcb_type {
	const char *name;
	struct uv_guid guid;
	u32 virtio_id;
} uvcb_types[UV_CHANNEL_TYPE_MAX + 1] = {
	[UV_CHANNEL_TYPE_CONTROL] = { "control", UV_CHANNEL_GUID_CONTROL, UV_VIRTIO_ID_NONE },
	[UV_CHANNEL_TYPE_COMMAND] = { "command", UV_CHANNEL_GUID_COMMAND, UV_VIRTIO_ID_NONE },
	[UV_CHANNEL_TYPE_BOOT] = { "boot", UV_CHANNEL_GUID_BOOT, UV_VIRTIO_ID_NONE },
	[UV_CHANNEL_TYPE_CONSOLE] = { "console", UV_CHANNEL_GUID_CONSOLE, UV_VIRTIO_ID_CONSOLE },
	[UV_CHANNEL_TYPE_STORAGE] = { "storage", UV_CHANNEL_GUID_STORAGE, UV_VIRTIO_ID_BLOCK },
	[UV_CHANNEL_TYPE_NETWORK] = { "network", UV_CHANNEL_GUID_NETWORK, UV_VIRTIO_ID_NET },
	[UV_CHANNEL_TYPE_POWER] = { "power", UV_CHANNEL_GUID_POWER, UV_VIRTIO_ID_NONE },
	[UV_CHANNEL_TYPE_MEMORY] = { "memory", UV_CHANNEL_GUID_MEMORY, UV_VIRTIO_ID_NONE },
	[UV_CHANNEL_TYPE_PROCESSOR] = { "processor", UV_CHANNEL_GUID_PROCESSOR,
					UV_VIRTIO_ID_NONE },
};

/*
 * The hypercall (docs/hypercalls.md): function in RAX, arguments in RBX and
 * RCX, result in RAX, every other register preserved. The ABI's instruction is
 * VMMCALL; on an Intel CPU VMMCALL raises #UD, so there the call is VMCALL, the
 * instruction a VMX monitor intercepts (the choice the kernel makes for KVM).
 */
long uvcb_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	long ret;

	asm volatile(ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL)
		     : "=a" (ret)
		     : "a" (nr), "b" (a0), "c" (a1)
		     : "memory");
	return ret;
}

u32 uvcb_server_state(struct uvcb_channel *ch)
{
	return le32_to_cpu(READ_ONCE(ch->hdr->server_state));
}

static const char *uvcb_server_state_name(u32 st)
{
	switch (st) {
	case UV_CHANNEL_SERVER_NONE:
		return "none";
	case UV_CHANNEL_SERVER_READY:
		return "ready";
	case UV_CHANNEL_SERVER_RUNNING:
		return "running";
	case UV_CHANNEL_SERVER_BROKEN:
		return "broken";
	}
	return "unknown";
}

/* The monitor's CPUID leaves: "UltravisorUV", then the ABI version. */
static int uvcb_detect(void)
{
	u32 base, abi;

	base = hypervisor_cpuid_base("UltravisorUV", 1);
	if (!base) {
		pr_info("not running under ultravisor (no \"UltravisorUV\" CPUID signature)\n");
		return -ENODEV;
	}
	abi = cpuid_eax(base + 1);
	if ((abi >> 16) != UV_HC_ABI_MAJOR) {
		pr_err("hypercall ABI %u.%u at CPUID %#x; this driver speaks %u.x\n",
		       abi >> 16, abi & 0xffff, base + 1, UV_HC_ABI_MAJOR);
		return -ENODEV;
	}
	pr_info("ultravisor hypercall ABI %u.%u (CPUID %#x)\n", abi >> 16, abi & 0xffff, base);
	return 0;
}

/*
 * The channel's pages must be memory the guest knows and does not own: the
 * boot memory map says "reserved" for every page of it (docs/guest-platform.md),
 * so the page allocator never hands one out, and no part is System RAM, ACPI,
 * NVS or anything else.
 */
static const char *uvcb_check_memory(u64 gpa, u64 size)
{
	static const enum e820_type other[] = {
		E820_TYPE_RAM, E820_TYPE_ACPI, E820_TYPE_NVS, E820_TYPE_UNUSABLE,
		E820_TYPE_PMEM, E820_TYPE_PRAM, E820_TYPE_SOFT_RESERVED,
	};
	unsigned int i;
	u64 p;

	if (boot_cpu_data.x86_phys_bits < 64 &&
	    gpa + size > (1ULL << boot_cpu_data.x86_phys_bits))
		return "beyond the CPU's physical address width";
	if (region_intersects(gpa, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT)
		return "overlaps System RAM: the guest's allocator owns those pages";
	for (i = 0; i < ARRAY_SIZE(other); i++)
		if (e820__mapped_raw_any(gpa, gpa + size, other[i]))
			return "the boot memory map gives part of it a type other than reserved";
	for (p = gpa; p < gpa + size; p += PAGE_SIZE)
		if (!e820__mapped_raw_any(p, p + PAGE_SIZE, E820_TYPE_RESERVED))
			return "a page of it is not reserved in the boot memory map";
	return NULL;
}

/* The discovery entry (written by the monitor into our buffer). */
static const char *uvcb_check_entry(struct uvcb_channel *ch, const struct uv_channel_entry *e)
{
	struct uvcb_channel *o;
	u32 type = le32_to_cpu(e->type_code);

	ch->gpa = le64_to_cpu(e->gpa);
	ch->size = le64_to_cpu(e->size);
	ch->id = le32_to_cpu(e->channel_id);
	ch->interrupt = le32_to_cpu(e->interrupt);
	ch->type_code = type;

	if (e->reserved)
		return "reserved field not zero";
	if (type < 1 || type > UV_CHANNEL_TYPE_MAX)
		return "unknown type code";
	if (memcmp(&e->type, &uvcb_types[type].guid, sizeof(e->type)))
		return "type GUID does not match the type code";
	if (!PAGE_ALIGNED(ch->gpa) || !PAGE_ALIGNED(ch->size))
		return "address or size not 4 KiB aligned";
	if (ch->size < UV_CHANNEL_HEADER_SIZE ||
	    ch->size > (u64)UV_CHANNEL_MAX_PAGES * UV_CHANNEL_PAGE_SIZE)
		return "size not between one page and UV_CHANNEL_MAX_PAGES";
	if (ch->gpa + ch->size < ch->gpa)
		return "range wraps";
	if (ch->interrupt != UV_CHANNEL_NO_VECTOR && (ch->interrupt < 0x20 || ch->interrupt > 0xff))
		return "interrupt neither a vector (0x20-0xff) nor none";
	list_for_each_entry(o, &uvcb_channels, node)
		if (ch->gpa < o->gpa + o->size && o->gpa < ch->gpa + ch->size)
			return "overlaps another channel";
	return uvcb_check_memory(ch->gpa, ch->size);
}

/*
 * The header page, copied once into @h: what the module wrote at create must
 * agree with the discovery entry, and the queues' default placement (computed
 * here from max_size, not taken from the page) must fit in the channel.
 */
static const char *uvcb_check_header(struct uvcb_channel *ch, const struct uv_channel_header *h,
				     const struct uv_channel_entry *e)
{
	u64 off = UV_CHANNEL_QUEUE_MEM_OFFSET, used;
	unsigned int i;

	if (le64_to_cpu(h->signature) != UV_CHANNEL_SIGNATURE)
		return "bad signature";
	if (le32_to_cpu(h->version) != UV_CHANNEL_VERSION)
		return "unknown version";
	if (le32_to_cpu(h->header_size) != UV_CHANNEL_HEADER_SIZE)
		return "bad header size";
	if (memcmp(&h->type, &e->type, sizeof(h->type)))
		return "header type differs from the discovery entry";
	if (le64_to_cpu(h->channel_gpa) != ch->gpa || le32_to_cpu(h->channel_id) != ch->id)
		return "header address or id differs from the discovery entry";
	/* the module writes the bytes its layout uses: at most the channel's pages */
	used = le64_to_cpu(h->channel_size);
	if (used < UV_CHANNEL_HEADER_SIZE || !PAGE_ALIGNED(used) || used > ch->size)
		return "header size not a page multiple within the channel";
	ch->virtio_id = le32_to_cpu(h->virtio_device_id);
	if (ch->virtio_id != uvcb_types[ch->type_code].virtio_id)
		return "virtio device id does not match the type";
	ch->num_queues = le16_to_cpu(h->num_queues);
	if (ch->num_queues > UV_CHANNEL_MAX_QUEUES)
		return "more than UV_CHANNEL_MAX_QUEUES queues";
	if (ch->virtio_id != UV_VIRTIO_ID_NONE && !ch->num_queues)
		return "a virtio channel without queues";

	for (i = 0; i < ch->num_queues; i++) {
		const struct uv_channel_queue *qd = &h->queue[i];
		struct uvcb_queue *q = &ch->q[i];
		u16 num = le16_to_cpu(qd->max_size);

		if (!num || !is_power_of_2(num) || num > UV_VRING_MAX_SIZE)
			return "a queue's max_size is not a power of two up to 32768";
		q->ch = ch;
		q->index = i;
		q->num = num;
		q->notify_data = le32_to_cpu(qd->notify_data);
		q->bytes = uv_vring_default_bytes(num);
		if (q->bytes > ch->size - off)
			return "the queues do not fit in the channel";
		q->gpa = ch->gpa + off;
		q->mem = ch->base + off;
		q->avail = q->mem + uv_vring_desc_bytes(num);
		q->used = q->mem + uv_vring_default_used_off(num);
		q->used_event = (__le16 *)(q->mem + uv_vring_desc_bytes(num) +
					   uv_vring_used_event_off(num));
		off += q->bytes;
	}
	return NULL;
}

static void uvcb_free(struct uvcb_channel *ch)
{
	if (ch->base) {
		/* the client's last word: not using the queues (unless listed again) */
		if (!ch->relisted)
			WRITE_ONCE(ch->hdr->client_state, cpu_to_le32(UV_CHANNEL_CLIENT_RESET));
		memunmap(ch->base);
	}
	kfree(ch);
}

void uvcb_release(struct device *dev)
{
	uvcb_free(to_uvcb(dev_to_virtio(dev)));
}

/* One discovery entry: checked, mapped, header checked; kept or refused. */
static void uvcb_add(const struct uv_channel_entry *e, struct uv_channel_header *copy)
{
	struct uvcb_channel *ch;
	const char *why;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return;
	why = uvcb_check_entry(ch, e);
	if (why)
		goto refuse;
	ch->base = memremap(ch->gpa, ch->size, MEMREMAP_WB);
	if (!ch->base) {
		why = "cannot be mapped write-back";
		goto refuse;
	}
	ch->hdr = ch->base;
	if (!PAGE_ALIGNED(ch->base)) {
		why = "mapping not page aligned";
		goto refuse;
	}
	memcpy(copy, ch->hdr, sizeof(*copy));
	why = uvcb_check_header(ch, copy, e);
	if (why)
		goto refuse;

	ch->entry = *e;
	ch->epoch_seen = le32_to_cpu(copy->server_epoch);
	ch->config_gen_seen = le32_to_cpu(copy->config_generation);
	uvcb_signal_init(ch);
	list_add_tail(&ch->node, &uvcb_channels);
	pr_info("channel %u (%s) at %#llx, %llu KiB, %u queues%s\n", ch->id,
		uvcb_types[ch->type_code].name, ch->gpa, ch->size >> 10, ch->num_queues,
		ch->virtio_id ? "" : ", no virtio device");
	return;

refuse:
	pr_err("channel %u at %#llx (+%#llx): refused: %s\n", ch->id, ch->gpa, ch->size, why);
	if (ch->base)
		memunmap(ch->base);
	kfree(ch);
}

/* UV_HC_CHANNEL_LIST once, every entry through uvcb_add(). */
static int uvcb_enumerate(void)
{
	struct uv_channel_header *copy;
	struct uv_channel_entry *buf;
	long n, i;

	static_assert(sizeof(struct uv_channel_entry) == UV_HC_CHANNEL_ENTRY_SIZE);
	static_assert(sizeof(struct uv_channel_header) == UV_CHANNEL_HEADER_SIZE);

	/* kmalloc memory is physically contiguous: one guest-physical buffer */
	buf = kcalloc(UV_HC_CHANNEL_LIST_MAX, sizeof(*buf), GFP_KERNEL);
	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!buf || !copy) {
		n = -ENOMEM;
		goto out;
	}
	n = uvcb_hypercall(UV_HC_CHANNEL_LIST, virt_to_phys(buf), UV_HC_CHANNEL_LIST_MAX);
	if (n < 0) {
		pr_err("channel discovery hypercall failed: %ld\n", n);
		n = n == -UV_HC_ENOSYS ? -ENODEV : -EIO;
		goto out;
	}
	if (n > UV_HC_CHANNEL_LIST_MAX) {
		pr_warn("the partition has %ld channels; using the first %d\n", n,
			UV_HC_CHANNEL_LIST_MAX);
		n = UV_HC_CHANNEL_LIST_MAX;
	}
	mutex_lock(&uvcb_lock);
	for (i = 0; i < n; i++)
		uvcb_add(&buf[i], copy);
	mutex_unlock(&uvcb_lock);
	pr_info("%ld channels listed\n", n);
	n = 0;
out:
	kfree(copy);
	kfree(buf);
	return n;
}

/* A server is attached (READY or beyond): only then are features and config valid. */
static void uvcb_try_register(struct uvcb_channel *ch)
{
	u32 st = uvcb_server_state(ch);
	int err;

	if (st != UV_CHANNEL_SERVER_READY && st != UV_CHANNEL_SERVER_RUNNING)
		return;
	ch->vdev.dev.parent = uvcb_root;
	ch->vdev.dev.release = uvcb_release;
	ch->vdev.id.device = ch->virtio_id;
	ch->vdev.id.vendor = UVCB_VIRTIO_VENDOR;
	ch->vdev.config = &uvcb_config_ops;
	ch->registered = true;
	err = register_virtio_device(&ch->vdev);
	if (err) {
		pr_err("channel %u: virtio device not registered: %d\n", ch->id, err);
		list_del(&ch->node);
		put_device(&ch->vdev.dev);	/* uvcb_release() frees it */
		return;
	}
	dev_info(&ch->vdev.dev, "channel %u (%s), server %s\n", ch->id,
		 uvcb_types[ch->type_code].name, uvcb_server_state_name(st));
}

/*
 * Hot removal: the server is gone (server_state NONE: it detached or died) or
 * marked the channel BROKEN. The device is broken first, so a driver spinning
 * on a queue (virtio_console's output) gives up, then unregistered: its driver
 * sees the device go away as on any hot unplug, and the reset at its removal
 * tells a BROKEN channel's server to go back to READY. The channel is then
 * listed again from its discovery entry, so a server that comes (back) gets a
 * new device. Lock held.
 */
static void uvcb_hot_remove(struct uvcb_channel *ch, u32 st)
{
	struct uv_channel_entry e = ch->entry;
	struct uv_channel_header *copy;

	if (st == UV_CHANNEL_SERVER_BROKEN)
		dev_err(&ch->vdev.dev,
			"the server marked the channel broken: reason %u, queue %d; removing the device\n",
			le32_to_cpu(READ_ONCE(ch->hdr->broken_reason)),
			(int)le32_to_cpu(READ_ONCE(ch->hdr->broken_queue)));
	else
		dev_info(&ch->vdev.dev, "the server is gone (%s): removing the device\n",
			 uvcb_server_state_name(st));
	virtio_break_device(&ch->vdev);
	list_del(&ch->node);
	ch->relisted = true;			/* its removal reset the channel */
	unregister_virtio_device(&ch->vdev);	/* release frees ch */
	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy) {
		pr_err("channel %u: not listed again (no memory)\n", le32_to_cpu(e.channel_id));
		return;
	}
	uvcb_add(&e, copy);
	kfree(copy);
}

/* A registered channel: server gone or restarted, BROKEN, config changes. */
static void uvcb_check_channel(struct uvcb_channel *ch)
{
	u32 st = uvcb_server_state(ch);
	u32 epoch = le32_to_cpu(READ_ONCE(ch->hdr->server_epoch));
	u32 gen = le32_to_cpu(READ_ONCE(ch->hdr->config_generation));

	if (st != UV_CHANNEL_SERVER_READY && st != UV_CHANNEL_SERVER_RUNNING) {
		uvcb_hot_remove(ch, st);
		return;
	}
	if (epoch != ch->epoch_seen) {
		dev_info(&ch->vdev.dev, "server attached (epoch %u), %s\n", epoch,
			 uvcb_server_state_name(st));
		ch->epoch_seen = epoch;
	}
	if (gen != ch->config_gen_seen) {
		ch->config_gen_seen = gen;
		if (ch->status & VIRTIO_CONFIG_S_DRIVER_OK)
			virtio_config_changed(&ch->vdev);
	}
}

static void uvcb_watch_fn(struct work_struct *work)
{
	struct uvcb_channel *ch, *n;

	mutex_lock(&uvcb_lock);
	list_for_each_entry_safe(ch, n, &uvcb_channels, node) {
		if (!ch->virtio_id)
			continue;
		if (ch->registered)
			uvcb_check_channel(ch);
		else
			uvcb_try_register(ch);
	}
	mutex_unlock(&uvcb_lock);
	schedule_delayed_work(&uvcb_watch, msecs_to_jiffies(watch_ms));
}

static void uvcb_remove_all(void)
{
	struct uvcb_channel *ch, *n;

	mutex_lock(&uvcb_lock);
	list_for_each_entry_safe(ch, n, &uvcb_channels, node) {
		list_del(&ch->node);
		if (ch->registered)
			unregister_virtio_device(&ch->vdev);	/* release frees */
		else
			uvcb_free(ch);
	}
	mutex_unlock(&uvcb_lock);
}

static int __init uvcb_init(void)
{
	int err;

	if (watch_ms < 10 || watch_ms > 10000) {
		pr_err("watch_ms=%u out of range 10-10000\n", watch_ms);
		return -EINVAL;
	}
	err = uvcb_signal_check_params();
	if (err)
		return err;
	err = uvcb_detect();
	if (err)
		return err;
	uvcb_root = root_device_register("uv_chanbus");
	if (IS_ERR(uvcb_root))
		return PTR_ERR(uvcb_root);
	err = uvcb_enumerate();
	if (err)
		goto fail;
	INIT_DELAYED_WORK(&uvcb_watch, uvcb_watch_fn);
	schedule_delayed_work(&uvcb_watch, 0);
	return 0;

fail:
	uvcb_remove_all();
	root_device_unregister(uvcb_root);
	return err;
}

static void __exit uvcb_exit(void)
{
	cancel_delayed_work_sync(&uvcb_watch);
	uvcb_remove_all();
	root_device_unregister(uvcb_root);
}

module_init(uvcb_init);
module_exit(uvcb_exit);

MODULE_DESCRIPTION("ultravisor channel bus: the partition's memory channels as virtio devices");
MODULE_LICENSE("GPL");
