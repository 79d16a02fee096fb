// SPDX-License-Identifier: GPL-2.0
/*
 * Images into partitions through a Boot channel (¶[0126]): "the command
 * partition is the server for the boot channel, and it reads the appropriate
 * firmware image from storage directly into the new partition's boot channel
 * ... Once the virtual partition firmware is booted the channel is destroyed."
 *
 * For a partition the daemon created (updater only):
 *
 *   1. the module builds its instance without an image (UV_PART_LOAD_F_NOIMAGE:
 *      memory zeroed, state CREATED, not startable);
 *   2. a transaction gives it a one-page Boot channel over the top page of its
 *      guest memory (placement.c);
 *   3. the daemon opens it as its server (the module's attach transaction),
 *      serving as the built-in "boot" partition: in this hosted variant the
 *      command partition is a process with no descriptor of its own, and the
 *      database wants a partition in the server slot;
 *   4. through the mapping of the client's memory a userspace loader
 *      (userspace/lib/boot_*.c) writes the image and its boot information
 *      below the channel, the module gets the entry state (UV_IOC_PART_ENTRY),
 *      and the header's config says COMPLETE;
 *   5. the daemon closes the channel fd (the module detaches it); the channel
 *      itself stays, with its record, until the partition starts, when
 *      cmdd_boot_drop() destroys it.
 *
 * Nothing here survives the process: a daemon killed half-way leaves a Boot
 * channel (the module detached it when the fd died) and an instance that is
 * CREATED. The next daemon destroys every Boot channel it finds before it
 * serves, and the journal's roll-forward of the create loads it again.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "boot_linux.h"
#include "commandd.h"
#include "resdb/text.h"

#define INITRD_MAX	(512u << 20)	/* more than any partition we build would hold */

/* What to write besides the image: a Linux kernel's initramfs and command line. */
struct boot_extra {
	const void *initrd;
	size_t initrd_len;
	const char *cmdline;
};

/* The whole file at path, 1 byte to max (args.initrd). */
static int read_file(const char *path, size_t max, void **buf, size_t *len, struct ultra_err *e)
{
	struct stat sb;
	size_t got = 0;
	char *b = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return ultra_err_set(e, errno, "args.initrd: %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 1 || (u64)sb.st_size > max) {
		close(fd);
		return ultra_err_set(e, EINVAL, "args.initrd: %s: not a regular file of 1 byte to %zu MiB",
				     path, max >> 20);
	}
	b = malloc((size_t)sb.st_size);
	while (b && got < (size_t)sb.st_size) {
		ssize_t n = read(fd, b + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!b || got != (size_t)sb.st_size) {
		free(b);
		return ultra_err_set(e, b ? EIO : ENOMEM, "args.initrd: %s: %s", path,
				     b ? "short read" : "out of memory");
	}
	*buf = b;
	*len = got;
	return 0;
}

/* A Linux bzImage ("HdrS" setup header); anything else goes to the Multiboot loader. */
static bool is_bzimage(const void *image, size_t len)
{
	return len > 0x206 && !memcmp((const char *)image + 0x202, "HdrS", 4);
}

struct boot_arg {
	u32 number;
	u32 channel;
	const struct cmdd_create_spec *linux_chans;	/* NULL: not Linux */
};

/* A Linux partition's channels (its memory was just zeroed), then the Boot channel. */
static int boot_channel_fn(struct cmdd_plan *pl, void *arg)
{
	struct boot_arg *b = arg;
	int ret = 0;

	if (b->linux_chans)
		ret = cmdd_place_linux_channels(pl, b->number, b->linux_chans);
	return ret ? ret : cmdd_place_boot_channel(pl, b->number, &b->channel);
}

/*
 * A Linux partition's channels live in its channel area (reserved in its
 * e820 map), and it gets a Console channel if it asked for none: its hvc0.
 */
static void linux_channels(struct cmdd_create_spec *c, const struct cmdd_create_spec *asked)
{
	u32 i;

	memset(c, 0, sizeof(*c));
	if (asked)
		*c = *asked;
	c->chan_area = true;
	for (i = 0; i < c->nr_channels; i++)
		if (c->channels[i].type == UV_CHANNEL_TYPE_CONSOLE)
			return;
	if (c->nr_channels == CMDD_MAX_CHANNELS)
		return;
	memset(&c->channels[c->nr_channels], 0, sizeof(c->channels[0]));
	c->channels[c->nr_channels].type = UV_CHANNEL_TYPE_CONSOLE;
	c->channels[c->nr_channels].pages = CMDD_LINUX_CONSOLE_PAGES;
	c->nr_channels++;
}

/* ---- finding Boot channels in the replica -------------------------------------------- */

#define BOOT_MAX	256	/* per sweep; more would be a bug somewhere */

struct boot_list {
	const struct resdb *db;
	u32 client;		/* UV_NONE: any */
	bool others;		/* the client's channels other than Boot channels */
	u32 n;
	u32 ch[BOOT_MAX];
};

static int boot_list_cb(void *ctx, const struct cmdd_ipage *p)
{
	struct boot_list *l = ctx;
	u32 i;

	if (p->scale != 1)
		return 0;
	for (i = 0; i < RESDB_ENTRIES && l->n < BOOT_MAX; i++) {
		u32 n = cmdd_pfn_gmk(l->db, cmdd_entry_pfn(1, p->frame, i));
		const struct resdb_channel *ch;

		/* channel descriptors are 4 KiB pages of the ultravisor's control memory */
		if (p->e[i] != (l->db->ultra | UV_ENTRY_CTRL))
			continue;
		ch = resdb_channel(l->db, n);
		if (ch && (ch->type == UV_CHANNEL_TYPE_BOOT) != l->others &&
		    (l->client == UV_NONE || ch->client == l->client))
			l->ch[l->n++] = n;
	}
	return 0;
}

/* Has @client channels other than Boot channels (a reload: they exist already)? */
static bool has_channels(struct cmdd_service *svc, u32 client)
{
	struct boot_list *l = calloc(1, sizeof(*l));
	bool ret;

	if (!l)
		return false;
	l->db = cmdd_replica_standby(cmdd_service_replica(svc));
	l->client = client;
	l->others = true;
	ret = !cmdd_map_visit(l->db, boot_list_cb, l) && l->n;
	free(l);
	return ret;
}

static int drop_fn(struct cmdd_plan *pl, void *arg)
{
	const struct boot_list *l = arg;
	u32 i;
	int ret = 0;

	for (i = 0; !ret && i < l->n; i++)
		ret = cmdd_place_channel_destroy(pl, l->ch[i]);
	return ret;
}

int cmdd_boot_drop(struct cmdd_service *svc, u32 client, u32 *count, struct ultra_err *e)
{
	struct boot_list *l = calloc(1, sizeof(*l));
	char num[40];
	u32 i;
	int ret;

	if (count)
		*count = 0;
	if (!l)
		return ultra_err_set(e, ENOMEM, "out of memory");
	l->db = cmdd_replica_standby(cmdd_service_replica(svc));
	l->client = client;
	ret = cmdd_map_visit(l->db, boot_list_cb, l);
	if (ret) {
		ret = ultra_err_set(e, EIO, "cannot read the replica's map: %s", resdb_strerror(ret));
		goto out;
	}
	if (!l->n)
		goto out;
	ret = cmdd_service_txn(svc, drop_fn, l, e);
	if (ret)
		goto out;
	for (i = 0; i < l->n; i++) {
		resdb_text_print_number(l->ch[i], num, sizeof(num));
		cmdd_log(CMDD_LOG_INFO, "Boot channel %s destroyed", num);
	}
	if (count)
		*count = l->n;
out:
	free(l);
	return ret;
}

/* ---- serving one -------------------------------------------------------------------- */

/* The server's part of the header: config, then READY (the header's own rules). */
static void publish(struct uv_channel_header *h, const struct uv_boot_config *cfg)
{
	u32 gen = le32toh(__atomic_load_n(&h->config_generation, __ATOMIC_RELAXED));

	/* odd while it changes, as VIRTIO's config generation */
	__atomic_store_n(&h->config_generation, htole32(gen | 1), __ATOMIC_RELEASE);
	memcpy(h->config, cfg, sizeof(*cfg));
	__atomic_store_n(&h->config_size, htole32((u32)sizeof(*cfg)), __ATOMIC_RELAXED);
	__atomic_store_n(&h->config_generation, htole32((gen | 1) + 1), __ATOMIC_RELEASE);
	__atomic_store_n(&h->server_state, htole32(UV_CHANNEL_SERVER_READY), __ATOMIC_RELEASE);
}

/* What the module wrote at create: a Boot channel of this client, where we mapped it. */
static int header_ok(const struct uv_channel_header *h, const struct cmdd_chan_map *m,
		     u32 number, struct ultra_err *e)
{
	static const struct uv_guid boot = UV_CHANNEL_GUID_BOOT;
	struct uv_channel_header copy;

	memcpy(&copy, h, sizeof(copy));
	if (le64toh(copy.signature) != UV_CHANNEL_SIGNATURE ||
	    memcmp(&copy.type, &boot, sizeof(boot)) != 0 ||
	    le32toh(copy.client_partition) != number ||
	    le64toh(copy.channel_gpa) != m->channel_gpa)
		return ultra_err_set(e, EPROTO,
				     "the Boot channel's header at %#llx is not what the module writes",
				     (unsigned long long)m->channel_gpa);
	return 0;
}

/*
 * Test hook (tests/vm/commandd-boot.sh): ULTRA_COMMANDD_TEST_BOOT_PAUSE_MS holds the
 * daemon inside a Boot channel, image written and entry not yet set, so a test can
 * kill it there.
 */
static void test_pause(u32 number)
{
	const char *v = getenv("ULTRA_COMMANDD_TEST_BOOT_PAUSE_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	struct timespec t;

	if (ms <= 0)
		return;
	cmdd_log(CMDD_LOG_WARNING, "test hook: pausing %ld ms inside the Boot channel of [%#x]",
		 ms, number);
	t.tv_sec = ms / 1000;
	t.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/*
 * The partition's vCPUs as the module counts them at load (docs/schedule.md):
 * one per CPU whose slots name it. The MADT lists that many.
 */
static u32 vcpu_count(const struct resdb *db, u32 number)
{
	u32 cpu, i, n = 0;

	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *p = resdb_processor(db, cpu);

		for (i = 0; p && i < UV_SLOTS; i++) {
			if (p->slot[i].partition == number) {
				n++;
				break;
			}
		}
	}
	return n ? n : 1;
}

/* Write the image through an open Boot channel and set the entry state. */
static int serve(struct cmdd_service *svc, u32 number, const struct cmdd_chan_map *m,
		 const void *image, size_t len, const struct boot_extra *x,
		 struct ultra_boot_entry *en, struct ultra_err *e)
{
	struct ultra_linux_boot lb = {
		.kernel = image, .kernel_len = len, .initrd = x->initrd,
		.initrd_len = x->initrd_len, .cmdline = x->cmdline,
		.nr_cpus = vcpu_count(cmdd_replica_standby(cmdd_service_replica(svc)), number),
	};
	bool linux_image = is_bzimage(image, len);
	struct cmdd_backend *be = cmdd_service_backend(svc);
	struct uv_channel_header *h = (void *)(m->base + m->channel_gpa);
	struct ultra_guest_window w = { .base = m->base, .gpa = 0, .size = m->channel_gpa };
	struct uv_boot_config cfg;
	int ret;

	ret = header_ok(h, m, number, e);
	if (ret)
		return ret;
	memset(&cfg, 0, sizeof(cfg));
	cfg.state = htole32(UV_BOOT_LOADING);
	cfg.format = htole32(linux_image ? UV_BOOT_FORMAT_LINUX : UV_BOOT_FORMAT_MULTIBOOT);
	cfg.image_bytes = htole64(len);
	publish(h, &cfg);
	/* the window: the guest's memory below its Boot channel (the top page) */
	if (linux_image) {
		/*
		 * The top 4 MiB of the partition (its last 4 MiB page) is its
		 * channel area: the Console channel goes there, so Linux must
		 * see it reserved, never RAM (docs/guest-platform.md).
		 */
		lb.chan_bytes = m->channel_gpa - ((m->channel_gpa - 1) & ~(ULTRA_LINUX_CHAN_AREA - 1));
		ret = ultra_boot_linux(&w, &lb, en, NULL, e);
	} else {
		ret = ultra_boot_multiboot(&w, image, len, x->cmdline, en, e);
	}
	if (!ret) {
		test_pause(number);
		ret = be->ops->entry(be, number, en, e);
	}
	cfg.state = htole32(ret ? UV_BOOT_FAILED : UV_BOOT_COMPLETE);
	if (!ret) {
		cfg.load_low = htole64(en->low);
		cfg.load_high = htole64(en->high);
		cfg.entry_mode = htole32(en->mode);
		cfg.entry_eip = htole32(en->eip);
		cfg.entry_eax = htole32(en->eax);
		cfg.entry_ebx = htole32(en->ebx);
		cfg.entry_esi = htole32(en->esi);
	}
	publish(h, &cfg);
	return ret;
}

bool cmdd_boot_is_linux(const void *image, size_t len)
{
	return is_bzimage(image, len);
}

int cmdd_boot_image(struct cmdd_service *svc, u32 number, const char *path, const void *image,
		    size_t len, const char *initrd, const char *cmdline,
		    const struct cmdd_create_spec *spec, u32 *cpu, u32 *channel,
		    struct ultra_err *e)
{
	struct cmdd_create_spec chans;
	struct boot_extra x = { .cmdline = cmdline && cmdline[0] ? cmdline : NULL };
	void *initrd_buf = NULL;
	struct cmdd_backend *be = cmdd_service_backend(svc);
	struct cmdd_replica *rep = cmdd_service_replica(svc);
	struct boot_arg arg = { .number = number, .channel = UV_NONE };
	struct boot_list one = { .n = 1 };
	struct ultra_boot_entry en;
	struct cmdd_chan_map m;
	struct ultra_err e2;
	char num[40], name[UV_NAME_LEN + 1];
	const struct resdb_partition *p;
	u64 mem = 0;
	int ret;

	if (!be->ops->build || !be->ops->entry || !be->ops->chan_open || !be->ops->chan_close)
		return ultra_err_set(e, EOPNOTSUPP, "the %s backend cannot load images",
				     be->ops->name);
	p = resdb_partition(cmdd_replica_standby(rep), number);
	snprintf(name, sizeof(name), "%.*s", UV_NAME_LEN, p ? p->name : "?");
	if (initrd) {
		if (!is_bzimage(image, len))
			return ultra_err_set(e, EINVAL,
					     "args.initrd: %s is not a Linux bzImage: only Linux takes an initramfs",
					     path);
		ret = read_file(initrd, INITRD_MAX, &initrd_buf, &x.initrd_len, e);
		if (ret)
			return ret;
		x.initrd = initrd_buf;
	}
	/* a Boot channel left by an interrupted load holds the page the new one takes */
	ret = cmdd_boot_drop(svc, number, NULL, e);
	if (!ret)
		ret = be->ops->build(be, number, cpu, &mem, e);
	/*
	 * A reload keeps the channels it has; the build zeroed their headers
	 * (left as is: docs/guest-platform.md, "What is left").
	 */
	if (is_bzimage(image, len) && !has_channels(svc, number)) {
		linux_channels(&chans, spec);
		arg.linux_chans = &chans;
	}
	if (!ret)
		ret = cmdd_service_txn(svc, boot_channel_fn, &arg, e);
	if (ret) {
		free(initrd_buf);
		return ret;
	}
	resdb_text_print_number(arg.channel, num, sizeof(num));
	ret = be->ops->chan_open(be, arg.channel, cmdd_replica_standby(rep)->boot, &m, e);
	/* attaching and detaching are the module's transactions: the replica follows */
	if (cmdd_replica_catch_up(rep, &e2))
		cmdd_log(CMDD_LOG_ERR, "replica catch-up failed: %s", e2.msg);
	if (!ret) {
		ret = serve(svc, number, &m, image, len, &x, &en, e);
		be->ops->chan_close(be, &m);
		if (cmdd_replica_catch_up(rep, &e2))
			cmdd_log(CMDD_LOG_ERR, "replica catch-up failed: %s", e2.msg);
	}
	if (ret) {
		one.ch[0] = arg.channel;
		if (cmdd_service_txn(svc, drop_fn, &one, &e2))
			cmdd_log(CMDD_LOG_ERR, "destroying Boot channel %s: %s", num, e2.msg);
		cmdd_log(CMDD_LOG_WARNING, "Boot channel %s of '%s': loading %s failed: %s", num,
			 name, path, e->msg);
		free(initrd_buf);
		return ret;
	}
	free(initrd_buf);
	*channel = arg.channel;
	cmdd_log(CMDD_LOG_INFO,
		 "served Boot channel %s of '%s' (gpa %#llx): %s, %zu bytes, %s%s%s, written to [%#llx, %#llx) of %llu MiB; entry %#x, CPU %u",
		 num, name, (unsigned long long)m.channel_gpa, path, len,
		 is_bzimage(image, len) ? "Linux" : "Multiboot", initrd ? " + initramfs " : "",
		 initrd ? initrd : "",
		 (unsigned long long)en.low, (unsigned long long)en.high,
		 (unsigned long long)(mem >> 20), en.eip, *cpu);
	return 0;
}
