// SPDX-License-Identifier: GPL-2.0
/*
 * uv_montest: drive the monitor (kmod/monitor) from in-VM tests, before the
 * module core's lifecycle ioctls exist. Test-only, never part of the product.
 *
 * It plays the part the resource database and the module core will play:
 * it allocates partition memory itself (2 MiB chunks where it can, 4 KiB
 * pages where it can't), describes it as extents from gpa 0 up, and frees it
 * when the partition is destroyed.
 *
 * debugfs (mount -t debugfs none /sys/kernel/debug):
 *   uv_montest/pN/ctl      write one command:
 *                            create MB CPU   memory (MiB) and physical CPU
 *                            load [CMDLINE]  load the image written to "image"
 *                            start | pause | resume | stop | destroy
 *   uv_montest/pN/image    write the ELF file (cat guest.elf > image)
 *   uv_montest/pN/state    created, loaded, running, paused, stopped, faulted
 *   uv_montest/pN/status   key=value lines: exit code, fault, exit counts
 *   uv_montest/pN/console  the console, from the start
 *   uv_montest/hostpage    physical address of a page the module owns and
 *                          filled with a pattern (a target for "escape")
 *   uv_montest/hostcheck   "intact" while the pattern is unchanged
 *   uv_montest/counters    the monitor's live objects (uv_monitor_get_counters)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/io.h>

#include <uv/cpu_features.h>

#include "monitor/monitor.h"

#define MONTEST_SLOTS		4
#define MONTEST_IMAGE_MAX		SZ_4M
#define MONTEST_MEM_MAX_MB		512
#define MONTEST_CHUNK_ORDER		9	/* 2 MiB */
#define MONTEST_CMD_MAX		1100
#define MONTEST_PATTERN		0x5a

struct montest_chunk {
	struct page *page;
	unsigned int order;
};

struct montest_slot {
	struct mutex lock;		/* everything in the slot */
	char name[8];
	struct uv_partition *part;
	struct montest_chunk *chunks;
	unsigned int nr_chunks;
	struct uv_guest_extent *ext;
	unsigned int nr_ext;
	u8 *image;
	size_t image_len;
};

static struct montest_slot montest_slots[MONTEST_SLOTS];
static struct dentry *montest_dir;
static struct page *montest_hostpage;

static void montest_free_mem(struct montest_slot *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_chunks; i++)
		__free_pages(s->chunks[i].page, s->chunks[i].order);
	kvfree(s->chunks);
	kvfree(s->ext);
	s->chunks = NULL;
	s->ext = NULL;
	s->nr_chunks = 0;
	s->nr_ext = 0;
}

static int montest_add_chunk(struct montest_slot *s, struct page *pg, unsigned int order, u64 *gpa)
{
	u64 size = PAGE_SIZE << order, hpa = page_to_phys(pg);
	struct uv_guest_extent *last = s->nr_ext ? &s->ext[s->nr_ext - 1] : NULL;

	s->chunks[s->nr_chunks].page = pg;
	s->chunks[s->nr_chunks].order = order;
	s->nr_chunks++;
	if (last && last->hpa + last->size == hpa) {
		last->size += size;	/* host-contiguous: one extent */
	} else {
		s->ext[s->nr_ext].gpa = *gpa;
		s->ext[s->nr_ext].hpa = hpa;
		s->ext[s->nr_ext].size = size;
		s->nr_ext++;
	}
	*gpa += size;
	return 0;
}

/* @mb MiB from gpa 0: 2 MiB chunks, or 4 KiB pages where no chunk is free. */
static int montest_alloc_mem(struct montest_slot *s, unsigned int mb)
{
	unsigned int nr_2m = mb / 2, max = nr_2m << MONTEST_CHUNK_ORDER, i, j;
	u64 gpa = 0;

	s->chunks = kvcalloc(max, sizeof(*s->chunks), GFP_KERNEL);
	s->ext = kvcalloc(max, sizeof(*s->ext), GFP_KERNEL);
	if (!s->chunks || !s->ext)
		goto nomem;
	for (i = 0; i < nr_2m; i++) {
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
					      __GFP_NORETRY, MONTEST_CHUNK_ORDER);

		if (pg) {
			montest_add_chunk(s, pg, MONTEST_CHUNK_ORDER, &gpa);
			continue;
		}
		for (j = 0; j < 1u << MONTEST_CHUNK_ORDER; j++) {
			pg = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
			if (!pg)
				goto nomem;
			montest_add_chunk(s, pg, 0, &gpa);
		}
	}
	return 0;
nomem:
	montest_free_mem(s);
	return -ENOMEM;
}

static void montest_notify(struct uv_partition *p, enum uv_part_state state, void *priv)
{
	struct montest_slot *s = priv;

	pr_debug("%s: state %s\n", s->name, uv_part_state_name(state));
}

static int montest_create(struct montest_slot *s, unsigned int mb, int cpu)
{
	struct uv_partition_config cfg = {
		.name = s->name,
		.cpus = { cpu },
		.nr_vcpus = 1,
		.notify = montest_notify,
		.priv = s,
	};
	struct uv_partition *p;
	int ret;

	if (s->part)
		return -EEXIST;
	if (mb < 2 || mb > MONTEST_MEM_MAX_MB || mb % 2)
		return -EINVAL;
	ret = montest_alloc_mem(s, mb);
	if (ret)
		return ret;
	cfg.extents = s->ext;
	cfg.nr_extents = s->nr_ext;
	p = uv_partition_create(&cfg);
	if (IS_ERR(p)) {
		montest_free_mem(s);
		return PTR_ERR(p);
	}
	s->part = p;
	pr_info("%s: %u MiB in %u extents (%u chunks), CPU %d\n", s->name, mb, s->nr_ext,
		s->nr_chunks, cpu);
	return 0;
}

static void montest_destroy(struct montest_slot *s)
{
	if (s->part)
		uv_partition_destroy(s->part);
	s->part = NULL;
	montest_free_mem(s);
	vfree(s->image);
	s->image = NULL;
	s->image_len = 0;
}

static int montest_command(struct montest_slot *s, char *cmd)
{
	char *arg = strchr(cmd, ' ');
	unsigned int mb;
	int cpu;

	if (arg)
		*arg++ = '\0';
	if (!strcmp(cmd, "create")) {
		if (!arg || sscanf(arg, "%u %d", &mb, &cpu) != 2)
			return -EINVAL;
		return montest_create(s, mb, cpu);
	}
	if (!strcmp(cmd, "destroy")) {
		montest_destroy(s);
		return 0;
	}
	if (!s->part)
		return -ENOENT;
	if (!strcmp(cmd, "load"))
		return uv_partition_load_multiboot(s->part, s->image, s->image_len, arg);
	if (!strcmp(cmd, "start"))
		return uv_partition_start(s->part);
	if (!strcmp(cmd, "pause"))
		return uv_partition_pause(s->part);
	if (!strcmp(cmd, "resume"))
		return uv_partition_resume(s->part);
	if (!strcmp(cmd, "stop"))
		return uv_partition_stop(s->part);
	return -EINVAL;
}

static ssize_t montest_ctl_write(struct file *f, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct montest_slot *s = file_inode(f)->i_private;
	char *cmd;
	int ret;

	if (len > MONTEST_CMD_MAX)
		return -E2BIG;
	cmd = memdup_user_nul(ubuf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	strim(cmd);
	mutex_lock(&s->lock);
	ret = montest_command(s, cmd);
	mutex_unlock(&s->lock);
	kfree(cmd);
	return ret ? ret : len;
}

static ssize_t montest_image_write(struct file *f, const char __user *ubuf, size_t len,
				   loff_t *ppos)
{
	struct montest_slot *s = file_inode(f)->i_private;
	ssize_t ret = len;

	if (*ppos < 0 || *ppos > MONTEST_IMAGE_MAX || len > MONTEST_IMAGE_MAX - *ppos)
		return -EFBIG;
	mutex_lock(&s->lock);
	if (!s->image) {
		s->image = vzalloc(MONTEST_IMAGE_MAX);
		if (!s->image) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (*ppos == 0)
		s->image_len = 0;
	if (copy_from_user(s->image + *ppos, ubuf, len)) {
		ret = -EFAULT;
		goto out;
	}
	*ppos += len;
	s->image_len = max_t(size_t, s->image_len, *ppos);
out:
	mutex_unlock(&s->lock);
	return ret;
}

static ssize_t montest_text_read(char __user *ubuf, size_t len, loff_t *ppos, const char *text)
{
	return simple_read_from_buffer(ubuf, len, ppos, text, strlen(text));
}

static ssize_t montest_state_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct montest_slot *s = file_inode(f)->i_private;
	struct uv_partition_status st;
	char buf[32];

	mutex_lock(&s->lock);
	if (s->part) {
		uv_partition_get_status(s->part, &st);
		snprintf(buf, sizeof(buf), "%s\n", uv_part_state_name(st.state));
	} else {
		strscpy(buf, "none\n", sizeof(buf));
	}
	mutex_unlock(&s->lock);
	return montest_text_read(ubuf, len, ppos, buf);
}

static ssize_t montest_status_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct montest_slot *s = file_inode(f)->i_private;
	struct uv_partition_status st;
	const struct uv_fault *ft = &st.fault;
	ssize_t ret;
	char *buf;

	buf = kzalloc(1024, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&s->lock);
	if (s->part) {
		uv_partition_get_status(s->part, &st);
		scnprintf(buf, 1024,
			  "state=%s\nexited=%d\nexit_code=%u\nfault=%s\nfault_gpa=%#llx\nfault_access=%s%s%s\nfault_rip=%#llx\nfault_exit=%#llx\ncpu=%d\nexits_host=%llu\nexits_cpuid=%llu\nexits_msr=%llu\nexits_io=%llu\nexits_hlt=%llu\nexits_hypercall=%llu\nexits_other=%llu\nconsole_bytes=%llu\nextents=%u\nnpt_levels=%u\nnpt_pages=%u\nexit_how=%u\npm_ignored=%llu\nioapic_writes=%llu\nioapic_refused=%llu\n",
			  uv_part_state_name(st.state), st.exited, st.exit_code,
			  uv_fault_reason_name(ft->reason), ft->gpa,
			  ft->access & UV_ACCESS_READ ? "r" : "",
			  ft->access & UV_ACCESS_WRITE ? "w" : "",
			  ft->access & UV_ACCESS_EXEC ? "x" : "", ft->rip, ft->exit_code, st.cpu,
			  st.exits[UV_STAT_HOST], st.exits[UV_STAT_CPUID], st.exits[UV_STAT_MSR],
			  st.exits[UV_STAT_IO], st.exits[UV_STAT_HLT],
			  st.exits[UV_STAT_HYPERCALL], st.exits[UV_STAT_OTHER],
			  st.console_bytes, s->nr_ext, st.npt_levels, st.npt_pages,
			  st.exit_how, st.pm_ignored, st.ioapic_writes, st.ioapic_refused);
	} else {
		strscpy(buf, "state=none\n", 1024);
	}
	mutex_unlock(&s->lock);
	ret = montest_text_read(ubuf, len, ppos, buf);
	kfree(buf);
	return ret;
}

static ssize_t montest_console_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct montest_slot *s = file_inode(f)->i_private;
	u64 pos = *ppos;
	size_t n = 0;
	char *buf;

	if (*ppos < 0)
		return -EINVAL;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&s->lock);
	if (s->part)
		n = uv_partition_console_read(s->part, &pos, buf, min_t(size_t, len, PAGE_SIZE));
	mutex_unlock(&s->lock);
	if (n && copy_to_user(ubuf, buf, n)) {
		kfree(buf);
		return -EFAULT;
	}
	kfree(buf);
	*ppos = pos;
	return n;
}

static ssize_t montest_hostpage_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%#llx\n", (u64)page_to_phys(montest_hostpage));
	return montest_text_read(ubuf, len, ppos, buf);
}

static ssize_t montest_hostcheck_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	const u8 *p = page_address(montest_hostpage);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i] != MONTEST_PATTERN)
			return montest_text_read(ubuf, len, ppos, "changed\n");
	return montest_text_read(ubuf, len, ppos, "intact\n");
}

static ssize_t montest_counters_read(struct file *f, char __user *ubuf, size_t len,
				     loff_t *ppos)
{
	struct uv_monitor_counters c;
	char buf[128];

	uv_monitor_get_counters(&c);
	snprintf(buf, sizeof(buf),
		 "partitions=%llu\nthreads=%llu\nnpt_pages=%llu\ncpus_enabled=%llu\n",
		 c.partitions, c.threads, c.npt_pages, c.cpus_enabled);
	return montest_text_read(ubuf, len, ppos, buf);
}

static const struct file_operations montest_counters_fops = {
	.owner = THIS_MODULE,
	.read = montest_counters_read,
};

static const struct file_operations montest_ctl_fops = {
	.owner = THIS_MODULE,
	.write = montest_ctl_write,
};

static const struct file_operations montest_image_fops = {
	.owner = THIS_MODULE,
	.write = montest_image_write,
};

static const struct file_operations montest_state_fops = {
	.owner = THIS_MODULE,
	.read = montest_state_read,
};

static const struct file_operations montest_status_fops = {
	.owner = THIS_MODULE,
	.read = montest_status_read,
};

static const struct file_operations montest_console_fops = {
	.owner = THIS_MODULE,
	.read = montest_console_read,
};

static const struct file_operations montest_hostpage_fops = {
	.owner = THIS_MODULE,
	.read = montest_hostpage_read,
};

static const struct file_operations montest_hostcheck_fops = {
	.owner = THIS_MODULE,
	.read = montest_hostcheck_read,
};

/* A page above any test partition's guest-physical range (>= 64 MiB). */
static struct page *montest_alloc_hostpage(void)
{
	struct page *pg = NULL, *lp, *tmp;
	unsigned int tries;
	LIST_HEAD(low);

	for (tries = 0; tries < 16384; tries++) {
		pg = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!pg || page_to_phys(pg) >= SZ_64M)
			break;
		list_add(&pg->lru, &low);
		pg = NULL;
	}
	list_for_each_entry_safe(lp, tmp, &low, lru) {
		list_del(&lp->lru);
		__free_page(lp);
	}
	if (pg)
		memset(page_address(pg), MONTEST_PATTERN, PAGE_SIZE);
	return pg;
}

static int __init montest_init(void)
{
	unsigned int i;
	int ret;

	ret = uv_cpu_features_probe();
	if (ret)
		return ret;
	ret = uv_monitor_init();
	if (ret)
		return ret;
	montest_hostpage = montest_alloc_hostpage();
	if (!montest_hostpage) {
		uv_monitor_exit();
		return -ENOMEM;
	}
	montest_dir = debugfs_create_dir("uv_montest", NULL);
	debugfs_create_file("hostpage", 0444, montest_dir, NULL, &montest_hostpage_fops);
	debugfs_create_file("hostcheck", 0444, montest_dir, NULL, &montest_hostcheck_fops);
	debugfs_create_file("counters", 0444, montest_dir, NULL, &montest_counters_fops);
	for (i = 0; i < MONTEST_SLOTS; i++) {
		struct montest_slot *s = &montest_slots[i];
		struct dentry *d;

		mutex_init(&s->lock);
		snprintf(s->name, sizeof(s->name), "p%u", i);
		d = debugfs_create_dir(s->name, montest_dir);
		debugfs_create_file("ctl", 0200, d, s, &montest_ctl_fops);
		debugfs_create_file("image", 0200, d, s, &montest_image_fops);
		debugfs_create_file("state", 0444, d, s, &montest_state_fops);
		debugfs_create_file("status", 0444, d, s, &montest_status_fops);
		debugfs_create_file("console", 0444, d, s, &montest_console_fops);
	}
	pr_info("ready: %u partition slots under debugfs uv_montest/\n", MONTEST_SLOTS);
	return 0;
}

static void __exit montest_exit(void)
{
	unsigned int i;

	debugfs_remove_recursive(montest_dir);
	for (i = 0; i < MONTEST_SLOTS; i++)
		montest_destroy(&montest_slots[i]);
	uv_monitor_exit();
	__free_page(montest_hostpage);
	pr_info("unloaded\n");
}

module_init(montest_init);
module_exit(montest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ultravisor monitor test driver (test-only)");
