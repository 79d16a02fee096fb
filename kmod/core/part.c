// SPDX-License-Identifier: GPL-2.0
/*
 * Running partitions: the monitor instance of a partition the database
 * defines (docs/monitor.md, "Integration"), and the ioctls that drive it
 * (uapi/linux/ultravisor.h, ABI 1.2).
 *
 * The database says what a partition has; this file only reads it. LOAD
 * builds an instance from the partition's memory (its extents, mapped at
 * guest-physical 0 upwards in frame order, its descriptor page left out)
 * and from the processor schedule (vCPU i on the i-th CPU, ascending, whose
 * slots name it: as many vCPUs as such CPUs), then loads a Multiboot image -
 * or, with UV_PART_LOAD_F_NOIMAGE, zeroes the memory and leaves the
 * instance CREATED: the command daemon then writes the image through the
 * partition's Boot channel and sets the entry state with UV_IOC_PART_ENTRY,
 * so the module parses nothing. The monitor keeps the guest inside that
 * memory; a transaction may take it away only from a partition whose
 * instance has stopped or faulted (uv_inst_txn_check), and unloads that
 * instance when it commits.
 *
 * Locking: uv_inst_lock (mutex) protects uv_insts and every instance's
 * existence: it is held by every ioctl that uses an instance and by the
 * transaction hooks (with uv_db.lock held for writing). Order: uv_db.lock ->
 * uv_inst_lock -> the monitor partition's mutex. The monitor's notify hook
 * runs in the vCPU thread or under the partition's mutex and takes only the
 * instance's ev_lock (a mutex: events are sent under it, so they leave in
 * the order the states were reached); nothing is taken inside ev_lock.
 *
 * State changes of an instance only ever go from {CREATED, LOADED, RUNNING,
 * PAUSED} to {STOPPED, FAULTED} or NONE without uv_db.lock; back the other
 * way needs LOAD, which takes uv_db.lock for reading. So what the
 * transaction check sees cannot become false before the commit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_genl.h>

#include "channel/channel.h"
#include "core.h"
#include "db.h"
#include "events.h"
#include "monitor/monitor.h"
#include "part.h"
#include "resdb/text.h"

static_assert(sizeof(struct uv_part_load) == UV_PART_LOAD_SIZE_VER0);
static_assert(sizeof(struct uv_part_entry) == UV_PART_ENTRY_SIZE_VER0);
static_assert(sizeof(struct uv_part_ctl) == UV_PART_CTL_SIZE_VER0);
static_assert(sizeof(struct uv_part_status) == UV_PART_STATUS_SIZE_VER1);
static_assert(sizeof(struct uv_console_read) == UV_CONSOLE_READ_SIZE_VER0);
static_assert(sizeof(struct uv_cpu_stats) == UV_CPU_STATS_SIZE_VER0);
static_assert(sizeof(struct uv_part_sched) == UV_PART_SCHED_SIZE_VER0);
static_assert(UV_SCHED_SLOTS == UV_SLOTS);
static_assert(UV_PART_CREATED + 1 == UV_PSTATE_CREATED);
static_assert(UV_PART_FAULTED + 1 == UV_PSTATE_FAULTED);
static_assert(UV_PFAULT_NPF == UV_FAULT_NPF && UV_PFAULT_HOST == UV_FAULT_HOST);
static_assert(UV_PACCESS_READ == UV_ACCESS_READ && UV_PACCESS_WRITE == UV_ACCESS_WRITE &&
	      UV_PACCESS_EXEC == UV_ACCESS_EXEC);
static_assert(UV_PEXIT_OTHER == UV_STAT_OTHER && UV_STAT_NR <= UV_PEXIT_NR);
static_assert(UV_PEXIT_IRQ_WINDOW == UV_STAT_IRQ_WINDOW);

/**
 * struct uv_inst - the monitor instance of one database partition
 * @number:	the partition's number
 * @name:	its name in the database (for logs and the vCPU thread)
 * @mon:	the monitor's partition
 * @cpu:	physical CPU of its vCPU 0
 * @cpus:	physical CPU of each vCPU (ascending)
 * @nr_vcpus:	its vCPUs
 * @nr_ext:	extents mapped
 * @mem_bytes:	guest memory
 * @ev_lock:	serializes @reported and the events sent
 * @reported:	the last state reported in an event (UV_PSTATE_*)
 */
struct uv_inst {
	u32 number;
	char name[UV_NAME_LEN];
	struct uv_partition *mon;
	int cpu;
	int cpus[UV_MAX_VCPUS];
	u32 nr_vcpus;
	u32 nr_ext;
	u64 mem_bytes;
	struct mutex ev_lock;		/* @reported, and the events' order */
	u32 reported;
};

static DEFINE_MUTEX(uv_inst_lock);
static DEFINE_XARRAY(uv_insts);
static bool uv_monitor_ready;

/*
 * Schedule accounting as events (UV_EVENT_SCHED_STATS): every stats_event_ms
 * milliseconds for each CPU that runs a schedule (0: off), and on demand
 * (UV_CPU_STATS_F_EVENT).
 */
static unsigned int uv_stats_event_ms;
module_param_named(stats_event_ms, uv_stats_event_ms, uint, 0444);
MODULE_PARM_DESC(stats_event_ms, "period of schedule accounting events in ms (0: off)");
static void uv_stats_work_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(uv_stats_work, uv_stats_work_fn);

static void uv_part_number(u32 v, char *buf, size_t len)
{
	if (resdb_text_print_number(v, buf, len) < 0)
		snprintf(buf, len, "%#x", v);
}

static u32 uv_pstate(enum uv_part_state s)
{
	return (u32)s + 1;
}

static const char *uv_pstate_name(u32 s)
{
	return s == UV_PSTATE_NONE ? "not loaded" : uv_part_state_name(s - 1);
}

static u32 uv_inst_state(struct uv_inst *in)
{
	struct uv_partition_status st;

	uv_partition_get_status(in->mon, &st);
	return uv_pstate(st.state);
}

static void uv_access_str(u32 access, char *buf, size_t len)
{
	scnprintf(buf, len, "%s%s%s", access & UV_ACCESS_READ ? "read" : "",
		  access & UV_ACCESS_WRITE ? "write" : "", access & UV_ACCESS_EXEC ? "exec" : "");
}

/* Send the partition-state event for a change to @state, once per change. */
static void uv_inst_report(struct uv_inst *in, u32 state, const char *why)
{
	char reason[160], num[24], acc[24];
	struct uv_partition_status st = { 0 };
	const struct uv_fault *f = &st.fault;
	u32 old;

	mutex_lock(&in->ev_lock);
	old = in->reported;
	if (state != UV_PSTATE_NONE) {
		uv_partition_get_status(in->mon, &st);
		/* a state already left again: the newer notification reports it */
		if (uv_pstate(st.state) != state || state == old) {
			mutex_unlock(&in->ev_lock);
			return;
		}
	}
	in->reported = state;
	if (why) {
		strscpy(reason, why, sizeof(reason));
	} else if (state == UV_PSTATE_STOPPED && st.exited) {
		scnprintf(reason, sizeof(reason), "exit code %u (%s)", st.exit_code,
			  uv_exit_how_name(st.exit_how));
	} else if (state == UV_PSTATE_FAULTED) {
		uv_access_str(f->access, acc, sizeof(acc));
		if (f->reason == UV_FAULT_NPF)
			scnprintf(reason, sizeof(reason), "%s: %s at gpa %#llx rip %#llx",
				  uv_fault_reason_name(f->reason), acc, f->gpa, f->rip);
		else
			scnprintf(reason, sizeof(reason), "%s at rip %#llx (exit %#llx)",
				  uv_fault_reason_name(f->reason), f->rip, f->exit_code);
	} else if (state == UV_PSTATE_RUNNING) {
		strscpy(reason, old == UV_PSTATE_PAUSED ? "resumed" : "started", sizeof(reason));
	} else {
		strscpy(reason, uv_pstate_name(state), sizeof(reason));
	}
	uv_event_partition_state(in->number, old, state, reason);
	if (state == UV_PSTATE_FAULTED && !why) {
		uv_part_number(in->number, num, sizeof(num));
		uv_event_error(in->number, -EFAULT, "partition %s \"%s\" faulted: %s", num,
			       in->name, reason);
	}
	mutex_unlock(&in->ev_lock);
}

/* The monitor's notify hook: process context, no spinlock held. */
static void uv_inst_notify(struct uv_partition *p, enum uv_part_state state, void *priv)
{
	uv_inst_report(priv, uv_pstate(state), NULL);
}

/* Free an instance; uv_inst_lock held, it is already out of uv_insts. */
static void uv_inst_free(struct uv_inst *in, const char *why)
{
	uv_partition_destroy(in->mon);
	uv_inst_report(in, UV_PSTATE_NONE, why);
	mutex_destroy(&in->ev_lock);
	kfree(in);
}

static void uv_inst_unload(struct uv_inst *in, const char *why)
{
	lockdep_assert_held(&uv_inst_lock);
	xa_erase(&uv_insts, in->number);
	uv_inst_free(in, why);
}

int uv_inst_raise_irq(u32 number, unsigned int vector)
{
	struct uv_inst *in;
	int ret = -ESRCH;

	mutex_lock(&uv_inst_lock);
	in = xa_load(&uv_insts, number);
	if (in && in->mon)
		ret = uv_partition_raise_irq(in->mon, vector);
	mutex_unlock(&uv_inst_lock);
	return ret;
}

int uv_inst_raise_gsi(u32 number, unsigned int gsi)
{
	struct uv_inst *in;
	int ret = -ESRCH;

	mutex_lock(&uv_inst_lock);
	in = xa_load(&uv_insts, number);
	if (in && in->mon)
		ret = uv_partition_raise_gsi(in->mon, gsi);
	mutex_unlock(&uv_inst_lock);
	return ret;
}

/* ---- building an instance from the database ---- */

struct uv_ext_ctx {
	u32 number;
	u64 desc_pfn;
	struct uv_guest_extent *ext;
	u32 n, max;
	u64 gpa;
	bool foreign;
};

static void uv_ext_push(struct uv_ext_ctx *x, u64 pfn, u64 nr)
{
	struct uv_guest_extent *last = x->n ? &x->ext[x->n - 1] : NULL;
	u64 hpa = pfn << PAGE_SHIFT, size = nr << PAGE_SHIFT;

	if (!nr)
		return;
	if (last && last->hpa + last->size == hpa) {
		last->size += size;
	} else if (x->n < x->max) {
		x->ext[x->n].gpa = x->gpa;
		x->ext[x->n].hpa = hpa;
		x->ext[x->n].size = size;
		x->n++;
	} else {
		x->n = x->max + 1;	/* too fragmented */
		return;
	}
	x->gpa += size;
}

static int uv_ext_add(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct uv_ext_ctx *x = ctx;
	u64 i;

	if (entry != x->number || x->n > x->max)
		return 0;
	/* only memory the module owns: the pool's 4 MiB pages and the boot region */
	for (i = 0; i < nr; i = (i | (UV_CHUNK_PAGES - 1)) + 1)
		if (!uv_db_page_is_ours(pfn + i))
			x->foreign = true;
	/* the descriptor page is the database's, never the guest's */
	if (x->desc_pfn >= pfn && x->desc_pfn < pfn + nr) {
		uv_ext_push(x, pfn, x->desc_pfn - pfn);
		uv_ext_push(x, x->desc_pfn + 1, pfn + nr - x->desc_pfn - 1);
	} else {
		uv_ext_push(x, pfn, nr);
	}
	return 0;
}

/*
 * Hand every CPU's schedule to the executor: each slot's partition if it has
 * an instance whose vCPU is on that CPU and that may run (created, loaded,
 * running, paused), idle otherwise. uv_db.lock (either way) and uv_inst_lock
 * held. The executor takes a changed schedule at its next wrap.
 */
/* Does a vCPU of @in run on @cpu? */
static bool uv_inst_on_cpu(const struct uv_inst *in, unsigned int cpu)
{
	u32 i;

	for (i = 0; i < in->nr_vcpus; i++)
		if (in->cpus[i] == (int)cpu)
			return true;
	return false;
}

static void uv_inst_sched_push(void)
{
	struct uv_partition *t[UV_SCHED_SLOTS];
	unsigned int cpu, s;

	lockdep_assert_held(&uv_inst_lock);
	for (cpu = 0; cpu < nr_cpu_ids && cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *pd = resdb_processor(&uv_db.db, cpu);
		bool any = false;

		if (!cpu_online(cpu))
			continue;
		for (s = 0; s < UV_SCHED_SLOTS; s++) {
			struct uv_inst *in = pd ? xa_load(&uv_insts, pd->slot[s].partition) : NULL;
			u32 st = in ? uv_inst_state(in) : UV_PSTATE_NONE;

			t[s] = NULL;
			if (in && uv_inst_on_cpu(in, cpu) && st >= UV_PSTATE_CREATED &&
			    st <= UV_PSTATE_PAUSED) {
				t[s] = in->mon;
				any = true;
			}
		}
		if (any || pd)
			uv_sched_set(cpu, t, (u64)(pd ? resdb_processor_slot_us(pd) :
						   UV_SLOT_US_DEFAULT) * NSEC_PER_USEC);
	}
}

/*
 * The CPUs whose schedules have a slot for @number, ascending, into @cpus
 * (UV_MAX_VCPUS of them at most); returns how many there are (may be more).
 */
static unsigned int uv_sched_cpus(u32 number, int *cpus)
{
	unsigned int cpu, s, n = 0;

	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *pd = resdb_processor(&uv_db.db, cpu);

		if (!pd)
			continue;
		for (s = 0; s < UV_SLOTS; s++) {
			if (pd->slot[s].partition != number)
				continue;
			if (n < UV_MAX_VCPUS)
				cpus[n] = cpu;
			n++;
			break;
		}
	}
	return n;
}

static const char *uv_load_err(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "not a Multiboot v1 ELF image (or a malformed one)";
	case -EOPNOTSUPP:
		return "the image asks for what the monitor does not offer (video mode, a.out)";
	case -EFAULT:
		return "a segment or the boot information lies outside the partition's memory";
	case -E2BIG:
		return "command line too long";
	case -ENOMEM:
		return "out of memory";
	default:
		return "load failed";
	}
}

/*
 * Zero the guest memory of an instance built without an image: what the Boot
 * channel's server writes then lands on nothing left from before (a reload
 * of a stopped partition). The pages are the pool's or the boot region's
 * (uv_ext_add refused others), so they are in the direct map.
 */
static void uv_ext_zero(const struct uv_guest_extent *ext, u32 n)
{
	u64 pfn, end;
	u32 i;

	for (i = 0; i < n; i++) {
		end = (ext[i].hpa + ext[i].size) >> PAGE_SHIFT;
		for (pfn = ext[i].hpa >> PAGE_SHIFT; pfn < end; pfn++) {
			clear_page(pfn_to_kaddr(pfn));
			if (!(pfn & (UV_CHUNK_PAGES - 1)))
				cond_resched();
		}
	}
}

/*
 * With uv_db.lock held for reading: create and load; *msg on failure. @image
 * NULL: no image (UV_PART_LOAD_F_NOIMAGE): memory zeroed, state CREATED.
 */
static int uv_inst_build(struct uv_part_load *a, const void *image, const char *cmdline)
{
	struct uv_ext_ctx x = { .number = a->partition };
	struct uv_partition_config cfg = { 0 };
	const struct resdb_partition *pd;
	struct uv_inst *in, *old;
	char num[24];
	unsigned int i, n;
	int ret, cpu;

	uv_part_number(a->partition, num, sizeof(num));
	pd = resdb_partition(&uv_db.db, a->partition);
	if (!pd || uv_db_is_builtin(a->partition)) {
		scnprintf(a->message, sizeof(a->message), "%s: no such partition%s", num,
			  pd ? " (it is a built-in one)" : "");
		return -ENOENT;
	}
	in = kzalloc(sizeof(*in), GFP_KERNEL);
	x.max = UV_MAX_EXTENTS;
	x.ext = kvcalloc(x.max, sizeof(*x.ext), GFP_KERNEL);
	if (!in || !x.ext) {
		ret = -ENOMEM;
		goto out;
	}
	in->number = a->partition;
	memcpy(in->name, pd->name, sizeof(in->name));
	in->name[sizeof(in->name) - 1] = '\0';
	mutex_init(&in->ev_lock);

	x.desc_pfn = uv_db.db.base_pfn + a->partition;
	ret = resdb_partition_extents(&uv_db.db, a->partition, uv_ext_add, &x);
	if (ret) {
		ret = uv_resdb_errno(-ret);
		goto out;
	}
	ret = -EINVAL;
	if (!x.n) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\" owns no memory: give it some with Change Owner",
			  num, in->name);
		goto out;
	}
	if (x.n > x.max) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\": memory in more than %u pieces", num, in->name,
			  UV_MAX_EXTENTS);
		goto out;
	}
	if (x.foreign) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\" owns memory outside the module's pool: refusing to map it",
			  num, in->name);
		goto out;
	}
	n = uv_sched_cpus(a->partition, in->cpus);
	if (!n) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\" has no processor slot: give it one with Change Schedule",
			  num, in->name);
		goto out;
	}
	if (n > UV_MAX_VCPUS) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\" has slots on %u CPUs: one vCPU per CPU, at most %u",
			  num, in->name, n, UV_MAX_VCPUS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		cpu = in->cpus[i];
		if (cpu < nr_cpu_ids && cpu_online(cpu))
			continue;
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\": its processor slot is on CPU %d, which is offline",
			  num, in->name, cpu);
		goto out;
	}
	in->nr_vcpus = n;
	cpu = in->cpus[0];
	in->cpu = cpu;
	in->nr_ext = x.n;
	in->mem_bytes = x.gpa;

	if (mutex_lock_killable(&uv_inst_lock)) {
		ret = -EINTR;
		goto out;
	}
	old = xa_load(&uv_insts, a->partition);
	if (old) {
		u32 s = uv_inst_state(old);

		if (s == UV_PSTATE_RUNNING || s == UV_PSTATE_PAUSED) {
			scnprintf(a->message, sizeof(a->message),
				  "partition %s \"%s\" is %s: stop it first", num, in->name,
				  uv_pstate_name(s));
			ret = -EBUSY;
			goto unlock;
		}
		uv_inst_unload(old, "reloading");
	}
	cfg.name = in->name[0] ? in->name : num;
	cfg.extents = x.ext;
	cfg.nr_extents = x.n;
	memcpy(cfg.cpus, in->cpus, sizeof(cfg.cpus));
	cfg.nr_vcpus = n;
	cfg.scheduled = true;
	cfg.notify = uv_inst_notify;
	cfg.priv = in;
	in->mon = uv_partition_create(&cfg);
	if (IS_ERR(in->mon)) {
		ret = PTR_ERR(in->mon);
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\": the monitor cannot build it (error %d)", num,
			  in->name, ret);
		goto unlock;
	}
	ret = 0;
	if (image)
		ret = uv_partition_load_multiboot(in->mon, image, a->image_len, cmdline);
	else
		uv_ext_zero(x.ext, x.n);
	if (!image)	/* a reload: its channels' headers were zeroed with the rest */
		uv_chan_client_rebuilt(a->partition);
	if (ret) {
		scnprintf(a->message, sizeof(a->message), "partition %s \"%s\": %s", num,
			  in->name, uv_load_err(ret));
		uv_partition_destroy(in->mon);
		goto unlock;
	}
	ret = xa_err(xa_store(&uv_insts, a->partition, in, GFP_KERNEL));
	if (ret) {
		uv_partition_destroy(in->mon);
		goto unlock;
	}
	uv_inst_sched_push();
	a->cpu = cpu;
	a->state = uv_inst_state(in);
	a->extents = x.n;
	a->mem_bytes = x.gpa;
	if (!image)
		uv_inst_report(in, UV_PSTATE_CREATED, "built without an image: no entry yet");
	pr_info("partition %s \"%s\" %s: %llu KiB in %u extent(s), %u vCPU(s) from CPU %d\n",
		num, in->name, image ? "loaded" : "built without an image (zeroed)", x.gpa >> 10,
		x.n, n, cpu);
	in = NULL;
unlock:
	mutex_unlock(&uv_inst_lock);
out:
	kvfree(x.ext);
	kfree(in);
	return ret;
}

/*
 * The argument of an ioctl that answers in it: on the heap (it carries a
 * message buffer), copied in and checked by uv_copy_in. An ERR_PTR on
 * failure; the caller kfree()s it.
 */
static void *uv_arg_in(size_t ksize, size_t min_size, size_t in_end, void __user *uarg,
		       u32 *usize)
{
	void *a = kzalloc(ksize, GFP_KERNEL);
	int ret;

	if (!a)
		return ERR_PTR(-ENOMEM);
	ret = uv_copy_in(a, ksize, min_size, in_end, uarg, usize);
	if (ret) {
		kfree(a);
		return ERR_PTR(ret);
	}
	return a;
}

/*
 * The instance of partition @number, returned with uv_inst_lock held; or
 * ERR_PTR(-EINTR) (killed while waiting) or ERR_PTR(-ENOENT) (no instance),
 * the lock not held.
 */
static struct uv_inst *uv_inst_lock_get(u32 number)
{
	struct uv_inst *in;

	if (mutex_lock_killable(&uv_inst_lock))
		return ERR_PTR(-EINTR);
	in = xa_load(&uv_insts, number);
	if (!in) {
		mutex_unlock(&uv_inst_lock);
		return ERR_PTR(-ENOENT);
	}
	return in;
}

int uv_ioctl_part_load(void __user *uarg)
{
	struct uv_part_load *a;
	char *cmdline = NULL;
	void *image = NULL;
	u32 usize;
	int ret;

	a = uv_arg_in(sizeof(*a), UV_PART_LOAD_SIZE_VER0, offsetof(struct uv_part_load, cpu),
		      uarg, &usize);
	if (IS_ERR(a))
		return PTR_ERR(a);
	if (a->flags & ~UV_PART_LOAD_F_NOIMAGE) {
		ret = -EINVAL;
		goto out;
	}
	ret = -EINVAL;
	if ((a->flags & UV_PART_LOAD_F_NOIMAGE) &&
	    (a->image || a->image_len || a->cmdline || a->cmdline_len)) {
		strscpy(a->message, "UV_PART_LOAD_F_NOIMAGE: image and command line must be 0",
			sizeof(a->message));
		goto reply;
	}
	if (!(a->flags & UV_PART_LOAD_F_NOIMAGE) &&
	    (!a->image_len || a->image_len > UV_IMAGE_MAX)) {
		scnprintf(a->message, sizeof(a->message),
			  "image of %llu bytes: it must be 1 to %u bytes", a->image_len,
			  UV_IMAGE_MAX);
		goto reply;
	}
	if (a->cmdline_len > UV_CMDLINE_MAX) {
		scnprintf(a->message, sizeof(a->message),
			  "command line of %u bytes: at most %u", a->cmdline_len, UV_CMDLINE_MAX);
		goto reply;
	}
	if (!uv_monitor_ready) {
		strscpy(a->message, "no monitor for this CPU (only AMD SVM so far)",
			sizeof(a->message));
		ret = -EOPNOTSUPP;
		goto reply;
	}
	if (!(a->flags & UV_PART_LOAD_F_NOIMAGE)) {
		image = kvmalloc(a->image_len, GFP_KERNEL);
		cmdline = kzalloc(a->cmdline_len + 1, GFP_KERNEL);
		if (!image || !cmdline) {
			ret = -ENOMEM;
			goto out;
		}
		if (copy_from_user(image, u64_to_user_ptr(a->image), a->image_len) ||
		    (a->cmdline_len &&
		     copy_from_user(cmdline, u64_to_user_ptr(a->cmdline), a->cmdline_len))) {
			ret = -EFAULT;
			goto out;
		}
	}
	if (down_read_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto out;
	}
	ret = uv_inst_build(a, image, cmdline);
	up_read(&uv_db.lock);
reply:
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
out:
	kvfree(image);
	kfree(cmdline);
	kfree(a);
	return ret;
}

static const char * const uv_op_names[] = {
	[UV_PART_START] = "start",
	[UV_PART_PAUSE] = "pause",
	[UV_PART_RESUME] = "resume",
	[UV_PART_STOP] = "stop",
	[UV_PART_UNLOAD] = "unload",
};

int uv_ioctl_part_ctl(void __user *uarg)
{
	struct uv_part_ctl *a;
	struct uv_inst *in;
	char num[24];
	u32 usize, s;
	int ret;

	a = uv_arg_in(sizeof(*a), UV_PART_CTL_SIZE_VER0, offsetof(struct uv_part_ctl, state),
		      uarg, &usize);
	if (IS_ERR(a))
		return PTR_ERR(a);
	if (a->flags || !a->op || a->op >= ARRAY_SIZE(uv_op_names)) {
		ret = -EINVAL;
		goto out;
	}
	uv_part_number(a->partition, num, sizeof(num));
	in = uv_inst_lock_get(a->partition);
	if (IS_ERR(in)) {
		ret = PTR_ERR(in);
		if (ret == -EINTR)
			goto out;
		scnprintf(a->message, sizeof(a->message),
			  "partition %s has no monitor instance: load an image first", num);
		goto reply;
	}
	s = uv_inst_state(in);
	switch (a->op) {
	case UV_PART_START:
		if (s == UV_PSTATE_CREATED) {
			scnprintf(a->message, sizeof(a->message),
				  "partition %s has no entry state: its image was not loaded (UV_IOC_PART_ENTRY)",
				  num);
			a->state = s;
			ret = -EINVAL;
			goto unlock;
		}
		ret = uv_partition_start(in->mon);
		break;
	case UV_PART_PAUSE:
		ret = uv_partition_pause(in->mon);
		break;
	case UV_PART_RESUME:
		ret = uv_partition_resume(in->mon);
		break;
	case UV_PART_STOP:
		ret = uv_partition_stop(in->mon);
		if (ret == -EINVAL && (s == UV_PSTATE_STOPPED || s == UV_PSTATE_FAULTED))
			ret = 0;	/* nothing left to stop */
		break;
	default:
		if (s == UV_PSTATE_RUNNING || s == UV_PSTATE_PAUSED) {
			ret = -EBUSY;
			break;
		}
		uv_inst_unload(in, "unloaded");
		in = NULL;
		ret = 0;
		break;
	}
	a->state = in ? uv_inst_state(in) : UV_PSTATE_NONE;
	if (ret == -ETIMEDOUT)
		scnprintf(a->message, sizeof(a->message),
			  "partition %s: pause did not take effect within 1 s", num);
	else if (ret == -ENODEV)
		scnprintf(a->message, sizeof(a->message),
			  "partition %s: its CPU %d is offline", num, in ? in->cpu : -1);
	else if (ret)
		scnprintf(a->message, sizeof(a->message), "partition %s is %s: cannot %s it%s",
			  num, uv_pstate_name(s), uv_op_names[a->op],
			  ret == -EBUSY ? " (stop it first)" : "");
unlock:
	mutex_unlock(&uv_inst_lock);
reply:
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
out:
	kfree(a);
	return ret;
}

/* -ENOENT unless @number is a user partition in the database. */
static int uv_part_exists(u32 number)
{
	int ret = 0;

	if (down_read_killable(&uv_db.lock))
		return -EINTR;
	if (!resdb_partition(&uv_db.db, number) || uv_db_is_builtin(number))
		ret = -ENOENT;
	up_read(&uv_db.lock);
	return ret;
}

/*
 * UV_IOC_PART_ENTRY: the image of a CREATED (or LOADED) instance was written
 * into its memory by the server of its Boot channel; start it here.
 */
int uv_ioctl_part_entry(void __user *uarg)
{
	struct uv_entry_state es;
	struct uv_part_entry *a;
	struct uv_inst *in;
	char num[24];
	u32 usize, s;
	int ret;

	a = uv_arg_in(sizeof(*a), UV_PART_ENTRY_SIZE_VER0, offsetof(struct uv_part_entry, message),
		      uarg, &usize);
	if (IS_ERR(a))
		return PTR_ERR(a);
	uv_part_number(a->partition, num, sizeof(num));
	ret = -EINVAL;
	if (a->flags || a->mode != UV_ENTRY_FLAT32) {
		scnprintf(a->message, sizeof(a->message),
			  "flags %#x, mode %u: flags must be 0 and mode UV_ENTRY_FLAT32 (%u)",
			  a->flags, a->mode, UV_ENTRY_FLAT32);
		goto reply;
	}
	ret = uv_part_exists(a->partition);
	if (ret) {
		if (ret == -ENOENT)
			scnprintf(a->message, sizeof(a->message), "%s: no such partition", num);
		goto reply;
	}
	in = uv_inst_lock_get(a->partition);
	if (IS_ERR(in)) {
		ret = PTR_ERR(in);
		if (ret == -ENOENT)
			scnprintf(a->message, sizeof(a->message),
				  "partition %s has no monitor instance: build it with UV_IOC_PART_LOAD first",
				  num);
		goto reply;
	}
	s = uv_inst_state(in);
	if (s != UV_PSTATE_CREATED && s != UV_PSTATE_LOADED) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\" is %s: %s", num, in->name, uv_pstate_name(s),
			  s == UV_PSTATE_RUNNING || s == UV_PSTATE_PAUSED ? "stop it first" :
			  "build it again (UV_IOC_PART_LOAD) first");
		ret = s == UV_PSTATE_RUNNING || s == UV_PSTATE_PAUSED ? -EBUSY : -EINVAL;
		goto unlock;
	}
	if (a->eip >= in->mem_bytes) {
		scnprintf(a->message, sizeof(a->message),
			  "partition %s \"%s\": entry point %#x is outside its memory [0, %#llx)",
			  num, in->name, a->eip, in->mem_bytes);
		ret = -EINVAL;
		goto unlock;
	}
	es.eip = a->eip;
	es.eax = a->eax;
	es.ebx = a->ebx;
	es.esi = a->esi;
	ret = uv_partition_set_entry(in->mon, &es);
	if (ret)
		scnprintf(a->message, sizeof(a->message), "partition %s \"%s\" is running", num,
			  in->name);
	else
		pr_info("partition %s \"%s\": entry at %#x set by the Boot channel's server\n",
			num, in->name, a->eip);
unlock:
	mutex_unlock(&uv_inst_lock);
reply:
	if (uv_copy_out(uarg, a, sizeof(*a), usize))
		ret = -EFAULT;
	kfree(a);
	return ret;
}

int uv_ioctl_part_status(void __user *uarg)
{
	struct uv_partition_status st;
	struct uv_part_status a;
	struct uv_inst *in;
	u32 usize;
	int ret, i;

	ret = uv_copy_in(&a, sizeof(a), UV_PART_STATUS_SIZE_VER0,
			 offsetof(struct uv_part_status, state), uarg, &usize);
	if (ret)
		return ret;
	ret = uv_part_exists(a.partition);
	if (ret)
		return ret;
	if (mutex_lock_killable(&uv_inst_lock))
		return -EINTR;
	in = xa_load(&uv_insts, a.partition);
	if (in) {
		uv_partition_get_status(in->mon, &st);
		a.state = uv_pstate(st.state);
		a.cpu = st.cpu;
		a.exited = st.exited;
		a.exit_code = st.exit_code;
		a.fault_reason = st.fault.reason;
		a.fault_access = st.fault.access;
		a.fault_gpa = st.fault.gpa;
		a.fault_rip = st.fault.rip;
		a.fault_exit_code = st.fault.exit_code;
		for (i = 0; i < UV_STAT_NR; i++)
			a.exits[i] = st.exits[i];
		a.console_bytes = st.console_bytes;
		a.mem_bytes = in->mem_bytes;
		a.extents = in->nr_ext;
		a.npt_levels = st.npt_levels;
		a.npt_pages = st.npt_pages;
		a.irq_raised = st.irq_raised;
		a.irq_injected = st.irq_injected;
		a.exit_how = st.exit_how;
		a.pm_ignored = st.pm_ignored;
		a.nr_vcpus = st.nr_vcpus;
		a.vcpus_started = st.vcpus_started;
		a.ipi_fixed = st.ipi_fixed;
		a.ipi_init = st.ipi_init;
		a.ipi_startup = st.ipi_startup;
		a.ipi_ignored = st.ipi_ignored;
		a.ioapic_reads = st.ioapic_reads;
		a.ioapic_writes = st.ioapic_writes;
		a.ioapic_raised = st.ioapic_raised;
		a.ioapic_delivered = st.ioapic_delivered;
		a.ioapic_dropped = st.ioapic_dropped;
		a.ioapic_refused = st.ioapic_refused;
	}
	mutex_unlock(&uv_inst_lock);
	return uv_copy_out(uarg, &a, sizeof(a), usize);
}

int uv_ioctl_console_read(void __user *uarg)
{
	struct uv_partition_status st;
	struct uv_console_read a;
	struct uv_inst *in;
	size_t room, n = 0;
	char *kbuf;
	u64 pos;
	u32 usize;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_CONSOLE_READ_SIZE_VER0,
			 offsetof(struct uv_console_read, len), uarg, &usize);
	if (ret)
		return ret;
	room = min_t(u64, a.buf_len, UV_CONSOLE_READ_MAX);
	kbuf = kvmalloc(max_t(size_t, room, 1), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	in = uv_inst_lock_get(a.partition);
	if (IS_ERR(in)) {
		ret = PTR_ERR(in);
		goto out;
	}
	pos = a.pos;
	if (room)
		n = uv_partition_console_read(in->mon, &pos, kbuf, room);
	uv_partition_get_status(in->mon, &st);
	mutex_unlock(&uv_inst_lock);
	a.total = st.console_bytes;
	a.state = uv_pstate(st.state);
	a.len = n;
	a.next_pos = pos;
	/* the ring had dropped the bytes from a.pos on: the read started later */
	a.lost = pos - n > a.pos ? pos - n - a.pos : 0;
	if (n && copy_to_user(u64_to_user_ptr(a.buf), kbuf, n)) {
		ret = -EFAULT;
		goto out;
	}
	ret = uv_copy_out(uarg, &a, sizeof(a), usize);
out:
	kvfree(kbuf);
	return ret;
}

/* ---- the executor's state and accounting (docs/schedule.md) ---- */

/* The partition number of the instance @mon; UV_NONE for NULL. uv_inst_lock held. */
static u32 uv_inst_number_of(struct uv_partition *mon)
{
	struct uv_inst *in;
	unsigned long idx;

	if (!mon)
		return UV_NONE;
	xa_for_each(&uv_insts, idx, in)
		if (in->mon == mon)
			return in->number;
	return UV_NONE;
}

/* Events for @cpu's executor and every instance on that CPU; uv_inst_lock held. */
static void uv_sched_report(unsigned int cpu, const struct uv_sched_info *info)
{
	struct uv_sched_vcpu_stats vs;
	struct uv_partition_status st;
	const struct uv_sched_stats *c = &info->stats;
	struct uv_inst *in;
	unsigned long idx;
	char text[UV_GENL_MESSAGE_MAX];

	lockdep_assert_held(&uv_inst_lock);
	scnprintf(text, sizeof(text),
		  "cpu=%u active=%d cycles=%llu swaps=%llu last_swap_cycle=%llu idle_slots=%llu timer_fires=%llu overrun_max_ns=%llu switches=%llu switch_ns=%llu resumes=%llu resume_ns=%llu waited=%llu",
		  cpu, info->active, c->cycles, c->swaps, c->last_swap_cycle, c->idle_slots,
		  c->timer_fires, c->overrun_max_ns, c->switches, c->switch_ns, c->resumes,
		  c->resume_ns, c->waited);
	uv_event_sched_stats(UV_NONE, text);
	xa_for_each(&uv_insts, idx, in) {
		if (!uv_inst_on_cpu(in, cpu))
			continue;
		uv_partition_get_status(in->mon, &st);
		uv_sched_get_vcpu(in->mon, cpu, &vs);
		scnprintf(text, sizeof(text),
			  "cpu=%u run_ns=%llu granted=%llu slots_run=%llu slots_missed=%llu cycles=%llu host=%llu cpuid=%llu msr=%llu io=%llu hlt=%llu hypercall=%llu other=%llu",
			  cpu, vs.run_ns, vs.granted, vs.slots_run, vs.slots_missed, vs.cycles,
			  st.exits[UV_STAT_HOST], st.exits[UV_STAT_CPUID], st.exits[UV_STAT_MSR],
			  st.exits[UV_STAT_IO], st.exits[UV_STAT_HLT], st.exits[UV_STAT_HYPERCALL],
			  st.exits[UV_STAT_OTHER]);
		uv_event_sched_stats(in->number, text);
		/* partition-wide interrupt-controller counters: two lines that fit any value */
		scnprintf(text, sizeof(text),
			  "cpu=%u ipi_fixed=%llu ipi_init=%llu ipi_startup=%llu ipi_ignored=%llu",
			  cpu, st.ipi_fixed, st.ipi_init, st.ipi_startup, st.ipi_ignored);
		uv_event_sched_stats(in->number, text);
		scnprintf(text, sizeof(text),
			  "cpu=%u ioapic_reads=%llu ioapic_writes=%llu ioapic_raised=%llu ioapic_delivered=%llu ioapic_dropped=%llu ioapic_refused=%llu",
			  cpu, st.ioapic_reads, st.ioapic_writes, st.ioapic_raised,
			  st.ioapic_delivered, st.ioapic_dropped, st.ioapic_refused);
		uv_event_sched_stats(in->number, text);
	}
}

static void uv_stats_work_fn(struct work_struct *w)
{
	struct uv_sched_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	unsigned int cpu;

	if (info) {
		mutex_lock(&uv_inst_lock);
		for_each_online_cpu(cpu) {
			uv_sched_get(cpu, info);
			if (info->active)
				uv_sched_report(cpu, info);
		}
		mutex_unlock(&uv_inst_lock);
		kfree(info);
	}
	schedule_delayed_work(&uv_stats_work, msecs_to_jiffies(uv_stats_event_ms));
}

int uv_ioctl_cpu_stats(void __user *uarg)
{
	struct uv_sched_info *info;
	struct uv_cpu_stats a;
	u32 usize;
	int ret, i;

	ret = uv_copy_in(&a, sizeof(a), UV_CPU_STATS_SIZE_VER0,
			 offsetof(struct uv_cpu_stats, active), uarg, &usize);
	if (ret)
		return ret;
	if ((a.flags & ~UV_CPU_STATS_F_EVENT) || a.cpu >= nr_cpu_ids || !cpu_possible(a.cpu))
		return -EINVAL;
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	if (mutex_lock_killable(&uv_inst_lock)) {
		kfree(info);
		return -EINTR;
	}
	if (uv_monitor_ready)
		uv_sched_get(a.cpu, info);
	for (i = 0; i < UV_SLOTS; i++) {
		a.slot[i] = uv_inst_number_of(info->cur[i]);
		a.next_slot[i] = uv_inst_number_of(info->next[i]);
	}
	if (a.flags & UV_CPU_STATS_F_EVENT)
		uv_sched_report(a.cpu, info);
	mutex_unlock(&uv_inst_lock);
	a.active = info->active;
	a.pending = info->pending;
	a.cur_slot = info->slot;
	/* a CPU that never ran a schedule: the default until one comes */
	a.slot_ns = info->slot_ns ? info->slot_ns : (u64)UV_SLOT_US_DEFAULT * NSEC_PER_USEC;
	a.cycles = info->stats.cycles;
	a.swaps = info->stats.swaps;
	a.last_swap_cycle = info->stats.last_swap_cycle;
	a.idle_slots = info->stats.idle_slots;
	a.timer_fires = info->stats.timer_fires;
	a.overrun_max_ns = info->stats.overrun_max_ns;
	a.switches = info->stats.switches;
	a.switch_ns = info->stats.switch_ns;
	a.resumes = info->stats.resumes;
	a.resume_ns = info->stats.resume_ns;
	a.waited = info->stats.waited;
	kfree(info);
	return uv_copy_out(uarg, &a, sizeof(a), usize);
}

int uv_ioctl_part_sched(void __user *uarg)
{
	struct uv_sched_vcpu_stats vs;
	struct uv_partition_status st;
	struct uv_part_sched a;
	struct uv_inst *in;
	u32 usize;
	int ret, i;

	ret = uv_copy_in(&a, sizeof(a), UV_PART_SCHED_SIZE_VER0,
			 offsetof(struct uv_part_sched, cpu), uarg, &usize);
	if (ret)
		return ret;
	in = uv_inst_lock_get(a.partition);
	if (IS_ERR(in))
		return PTR_ERR(in);
	uv_partition_get_status(in->mon, &st);
	uv_sched_get_vcpu(in->mon, -1, &vs);
	mutex_unlock(&uv_inst_lock);
	a.cpu = st.cpu;
	a.state = uv_pstate(st.state);
	a.run_ns = vs.run_ns;
	a.granted = vs.granted;
	a.slots_run = vs.slots_run;
	a.slots_missed = vs.slots_missed;
	for (i = 0; i < UV_STAT_NR; i++)
		a.exits[i] = st.exits[i];
	for (i = 0; i < 2; i++) {
		a.swap_cycle[i] = vs.hist_cycle[i];
		a.swap_granted[i] = vs.hist_granted[i];
	}
	a.cycles = vs.cycles;
	return uv_copy_out(uarg, &a, sizeof(a), usize);
}

/* ---- transactions and instances ---- */

/* The partition a step takes something from or destroys, or UV_NONE. */
static u32 uv_step_victim(const struct uv_txn_step *s)
{
	switch (s->op) {
	case UV_TXN_CHANGE_OWNER:
		return s->change_owner.from;
	case UV_TXN_CHANGE_SCHEDULE:
		return s->schedule.from.partition;
	case UV_TXN_DESTROY_PARTITION:
		return s->destroy.number;
	default:
		return UV_NONE;
	}
}

/*
 * Slots @in keeps on @cpu after @steps (a schedule change may move a live
 * partition's slots, as long as it keeps one where each vCPU runs).
 */
static int uv_inst_slots_after(struct uv_inst *in, int cpu, const struct uv_txn_step *steps,
			       u32 nr)
{
	const struct resdb_processor *pd = resdb_processor(&uv_db.db, cpu);
	int n = 0;
	u32 i;

	if (!pd)
		return 0;
	for (i = 0; i < UV_SLOTS; i++)
		n += pd->slot[i].partition == in->number;
	for (i = 0; i < nr; i++) {
		const struct uv_txn_schedule *cs = &steps[i].schedule;

		if (steps[i].op != UV_TXN_CHANGE_SCHEDULE || cs->number != pd->hdr.me ||
		    cs->last < cs->first)
			continue;
		if (cs->from.partition == in->number)
			n -= cs->last - cs->first + 1;
		if (cs->to.partition == in->number)
			n += cs->last - cs->first + 1;
	}
	return n;
}

int uv_inst_txn_check(const struct uv_txn_step *steps, u32 nr, char *msg, size_t len)
{
	struct uv_inst *in;
	char num[24];
	int ret = 0, cpu;
	u32 i, s, v;

	lockdep_assert_held_write(&uv_db.lock);
	if (xa_empty(&uv_insts))
		return 0;
	mutex_lock(&uv_inst_lock);
	for (i = 0; i < nr && !ret; i++) {
		in = xa_load(&uv_insts, uv_step_victim(&steps[i]));
		if (!in)
			continue;
		s = uv_inst_state(in);
		if (s == UV_PSTATE_STOPPED || s == UV_PSTATE_FAULTED)
			continue;
		cpu = in->cpu;
		if (steps[i].op == UV_TXN_CHANGE_SCHEDULE) {
			for (v = 0; v < in->nr_vcpus; v++) {
				cpu = in->cpus[v];
				if (uv_inst_slots_after(in, cpu, steps, nr) <= 0)
					break;
			}
			if (v == in->nr_vcpus)
				continue;
		}
		uv_part_number(in->number, num, sizeof(num));
		scnprintf(msg, len,
			  "step %u: partition %s \"%s\" is %s: stop it before taking its memory or its last processor slots on CPU %d, or destroying it",
			  i, num, in->name, uv_pstate_name(s), cpu);
		ret = -EBUSY;
	}
	mutex_unlock(&uv_inst_lock);
	return ret;
}

void uv_inst_txn_committed(const struct uv_txn_step *steps, u32 nr)
{
	struct uv_inst *in;
	u32 pass, i;

	lockdep_assert_held_write(&uv_db.lock);
	mutex_lock(&uv_inst_lock);
	/* destroyed partitions first, so their event says so */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nr; i++) {
			if (steps[i].op != (pass ? UV_TXN_CHANGE_OWNER : UV_TXN_DESTROY_PARTITION))
				continue;
			in = xa_load(&uv_insts, uv_step_victim(&steps[i]));
			if (in)
				uv_inst_unload(in, pass ? "memory taken by a transaction" :
						   "partition destroyed");
		}
	}
	/* a new schedule: the executor takes it at the wrap ([0147]) */
	if (uv_monitor_ready && !xa_empty(&uv_insts))
		uv_inst_sched_push();
	mutex_unlock(&uv_inst_lock);
}

int uv_part_init(void)
{
	int ret = uv_monitor_init();

	if (ret == -EOPNOTSUPP) {
		pr_info("no monitor for this CPU vendor yet: partitions cannot run\n");
		return 0;
	}
	if (ret) {
		pr_err("monitor initialization failed (error %d): not loading\n", ret);
		return ret;
	}
	uv_monitor_ready = true;
	if (uv_stats_event_ms)
		schedule_delayed_work(&uv_stats_work, msecs_to_jiffies(uv_stats_event_ms));
	return 0;
}

void uv_part_exit(void)
{
	struct uv_inst *in;
	unsigned long idx;

	cancel_delayed_work_sync(&uv_stats_work);
	/* none can be left (partitions pin the module); but never leak a running vCPU */
	mutex_lock(&uv_inst_lock);
	xa_for_each(&uv_insts, idx, in)
		uv_inst_unload(in, "module unloaded");
	mutex_unlock(&uv_inst_lock);
	if (uv_monitor_ready)
		uv_monitor_exit();
	uv_monitor_ready = false;
}
