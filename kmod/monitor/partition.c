// SPDX-License-Identifier: GPL-2.0
/*
 * Partitions and the run loop (docs/monitor.md).
 *
 * A scheduled vCPU (cfg->scheduled: the partitions of the resource database)
 * is run by its CPU's schedule executor (sched.c), which calls
 * uv_vcpu_exec() entry after entry while the vCPU owns the slot; its pause
 * and stop take effect in the lifecycle call, once the executor has let go
 * of it. Any other vCPU runs on its own kernel thread bound to one physical
 * CPU, outside any schedule (uv_vcpu_thread()).
 *
 * A partition has 1..UV_MAX_VCPUS vCPUs (p->vcpus[], allocated at create),
 * each bound to its own CPU; with more than one they are all scheduled.
 * Lifecycle calls act on every vCPU; a stop or fault of the guest from any
 * vCPU ends the partition: its slots go idle on every CPU (uv_sched_evict)
 * and the other vCPUs are kicked out of the guest and marked done.
 *
 * Either way the guest is entered with interrupts disabled and host interrupts
 * intercepted: a timer tick, an IPI or an NMI forces the guest out at once
 * and the host handles it as soon as the thread re-enables interrupts, so a
 * guest spinning with its interrupts off never holds up the host's timer,
 * RCU or softirqs. Between two entries the thread calls cond_resched() and
 * looks at its requests. A lifecycle call (pause, stop) sets a request bit
 * and sends the vCPU's CPU an empty IPI: the guest exits within one world
 * switch, and the thread sees the bit before entering again. The bit is read
 * with interrupts already off, so a request made after that check still
 * finds its IPI pending when the guest is entered, and the guest leaves
 * immediately.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>
#include <uv/cpu_features.h>

#include "internal.h"

const struct uv_vendor_ops *uv_vendor;
atomic64_t uv_nr_partitions, uv_nr_threads, uv_nr_npt_pages, uv_nr_cpus_enabled;

void uv_monitor_get_counters(struct uv_monitor_counters *c)
{
	c->partitions = atomic64_read(&uv_nr_partitions);
	c->threads = atomic64_read(&uv_nr_threads);
	c->npt_pages = atomic64_read(&uv_nr_npt_pages);
	c->cpus_enabled = atomic64_read(&uv_nr_cpus_enabled);
}

static const char * const uv_state_names[] = {
	[UV_PART_CREATED] = "created",
	[UV_PART_LOADED] = "loaded",
	[UV_PART_RUNNING] = "running",
	[UV_PART_PAUSED] = "paused",
	[UV_PART_STOPPED] = "stopped",
	[UV_PART_FAULTED] = "faulted",
};

static const char * const uv_fault_names[] = {
	[UV_FAULT_NONE] = "none",
	[UV_FAULT_NPF] = "nested-page-fault",
	[UV_FAULT_SHUTDOWN] = "triple-fault",
	[UV_FAULT_BAD_STATE] = "invalid-guest-state",
	[UV_FAULT_UNSUPPORTED] = "unsupported-instruction",
	[UV_FAULT_UNHANDLED] = "unhandled-exit",
	[UV_FAULT_HOST] = "host-cpu-unusable",
};

const char *uv_part_state_name(enum uv_part_state state)
{
	return (unsigned int)state < ARRAY_SIZE(uv_state_names) ? uv_state_names[state] : "?";
}

const char *uv_fault_reason_name(enum uv_fault_reason reason)
{
	return (unsigned int)reason < ARRAY_SIZE(uv_fault_names) ? uv_fault_names[reason] : "?";
}

/* UV_PEXITED_*: how the guest ended itself, for logs and events */
const char *uv_exit_how_name(u32 how)
{
	static const char * const names[] = {
		[UV_PEXITED_NONE] = "stopped",
		[UV_PEXITED_PORT] = "exit port",
		[UV_PEXITED_HYPERCALL] = "stop hypercall",
		[UV_PEXITED_POWEROFF] = "ACPI S5 power-off",
		[UV_PEXITED_RESET] = "reset",
	};

	return how < ARRAY_SIZE(names) ? names[how] : "?";
}

/*
 * Move to @to if the state is one of @from (a mask of 1 << state). Returns
 * true if it changed; the caller then calls uv_notify().
 */
static bool uv_set_state(struct uv_partition *p, unsigned int from, enum uv_part_state to)
{
	unsigned long flags;
	bool changed = false;

	spin_lock_irqsave(&p->state_lock, flags);
	if ((from & (1u << p->state)) && p->state != to) {
		p->state = to;
		changed = true;
	}
	spin_unlock_irqrestore(&p->state_lock, flags);
	return changed;
}

static void uv_notify(struct uv_partition *p, enum uv_part_state state)
{
	wake_up_all(&p->state_wq);
	if (p->notify)
		p->notify(p, state, p->priv);
}

static enum uv_part_state uv_state(struct uv_partition *p)
{
	unsigned long flags;
	enum uv_part_state s;

	spin_lock_irqsave(&p->state_lock, flags);
	s = p->state;
	spin_unlock_irqrestore(&p->state_lock, flags);
	return s;
}

#define UV_LIVE		(BIT(UV_PART_RUNNING) | BIT(UV_PART_PAUSED))

static void uv_vcpu_kick(struct uv_vcpu *v);

/*
 * The partition ended itself from one vCPU: every other scheduled vCPU
 * stops entering the guest (UV_REQ_DONE) and leaves it now if it is in.
 */
static void uv_partition_end_vcpus(struct uv_partition *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		if (!v->scheduled)
			continue;	/* its own thread ends on its own exit */
		set_bit(UV_REQ_DONE, &v->requests);
		uv_vcpu_kick(v);
	}
}

/* The guest stopped itself with @code (exit port, UV_HC_STOP). vCPU thread. */
void uv_partition_exited(struct uv_partition *p, u32 code, u32 how)
{
	unsigned long flags;
	bool changed = false;

	spin_lock_irqsave(&p->state_lock, flags);
	if (UV_LIVE & BIT(p->state)) {
		p->state = UV_PART_STOPPED;
		p->exited = true;
		p->exit_code = code;
		p->exit_how = how;
		changed = true;
	}
	spin_unlock_irqrestore(&p->state_lock, flags);
	if (changed) {
		uv_sched_evict(p);
		uv_partition_end_vcpus(p);
		pr_info("partition %s stopped: exit code %u (%s)\n", p->name, code,
			uv_exit_how_name(how));
		uv_notify(p, UV_PART_STOPPED);
	}
}

/* The guest did something it may not; it stops here. vCPU thread. */
void uv_partition_faulted(struct uv_partition *p, const struct uv_fault *f)
{
	unsigned long flags;
	bool changed = false;

	spin_lock_irqsave(&p->state_lock, flags);
	if (UV_LIVE & BIT(p->state)) {
		p->state = UV_PART_FAULTED;
		p->fault = *f;
		changed = true;
	}
	spin_unlock_irqrestore(&p->state_lock, flags);
	if (!changed)
		return;
	uv_sched_evict(p);
	uv_partition_end_vcpus(p);
	if (f->reason == UV_FAULT_NPF)
		pr_info("partition %s faulted: %s: %s%s%s access to gpa %#llx outside its memory at rip %#llx\n",
			p->name, uv_fault_reason_name(f->reason),
			f->access & UV_ACCESS_READ ? "read" : "",
			f->access & UV_ACCESS_WRITE ? "write" : "",
			f->access & UV_ACCESS_EXEC ? "exec" : "", f->gpa, f->rip);
	else
		pr_info("partition %s faulted: %s at rip %#llx (exit code %#llx)\n", p->name,
			uv_fault_reason_name(f->reason), f->rip, f->exit_code);
	uv_notify(p, UV_PART_FAULTED);
}

static void uv_kick_fn(void *info)
{
	/* nothing: the interrupt itself makes the guest exit */
}

/* Make the vCPU leave guest mode and look at its requests. */
static void uv_vcpu_kick(struct uv_vcpu *v)
{
	wake_up_all(&v->wq);
	if (cpu_online(v->cpu))
		smp_call_function_single(v->cpu, uv_kick_fn, NULL, 0);
}

static void uv_cpu_disable_fn(void *info)
{
	uv_vendor->cpu_disable();
}

static void uv_vcpu_park(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

void uv_vcpu_host_fault(struct uv_vcpu *v)
{
	struct uv_fault f = { .reason = UV_FAULT_HOST, .rip = v->rip };

	uv_partition_faulted(v->part, &f);
}

/* The vCPU of @p that @cpu runs, or NULL. Any context (the array is fixed). */
struct uv_vcpu *uv_vcpu_on_cpu(struct uv_partition *p, int cpu)
{
	unsigned int i;

	for (i = 0; i < p->nr_vcpus; i++)
		if (p->vcpus[i].cpu == cpu)
			return &p->vcpus[i];
	return NULL;
}

static int uv_vcpu_thread(void *data)
{
	struct uv_vcpu *v = data;
	struct uv_partition *p = v->part;
	u64 t_in, t_out;
	int ret;

	preempt_disable();
	ret = smp_processor_id() == v->cpu ? uv_vendor->cpu_enable() : -ENXIO;
	preempt_enable();
	if (ret) {
		pr_err("partition %s: cannot use CPU %d for guests (%d)\n", p->name, v->cpu, ret);
		uv_vcpu_host_fault(v);
		goto park;
	}

	while (!kthread_should_stop() && !test_bit(UV_REQ_STOP, &v->requests)) {
		if (test_bit(UV_REQ_PAUSE, &v->requests)) {
			if (uv_set_state(p, BIT(UV_PART_RUNNING), UV_PART_PAUSED))
				uv_notify(p, UV_PART_PAUSED);
			wait_event_interruptible(v->wq, !test_bit(UV_REQ_PAUSE, &v->requests) ||
						 test_bit(UV_REQ_STOP, &v->requests) ||
						 kthread_should_stop());
			if (!test_bit(UV_REQ_PAUSE, &v->requests) &&
			    uv_set_state(p, BIT(UV_PART_PAUSED), UV_PART_RUNNING))
				uv_notify(p, UV_PART_RUNNING);
			continue;
		}
		cond_resched();
		uv_lapic_take_sipi(v);

		local_irq_disable();
		if (READ_ONCE(v->requests) || need_resched() || kthread_should_stop()) {
			local_irq_enable();
			continue;
		}
		if (smp_processor_id() != v->cpu) {
			/* the CPU went offline and the scheduler moved us */
			local_irq_enable();
			uv_vcpu_host_fault(v);
			break;
		}
		t_in = ktime_get_ns();
		uv_vendor->vcpu_run(v);
		t_out = ktime_get_ns();
		local_irq_enable();
		v->run_ns += t_out - t_in;

		if (uv_handle_exit(v))
			break;
	}
	/* on the CPU that enabled it; if that CPU is gone, so is its state */
	smp_call_function_single(v->cpu, uv_cpu_disable_fn, NULL, 1);
park:
	uv_vcpu_park();
	return 0;
}

/*
 * The executor (sched.c) runs scheduled @v once: one entry and exit on this
 * CPU, if the slot is still @v's and nothing was requested. Returns true if
 * it may go on with @v, false when it should pick again (slot over, halted,
 * a request, need_resched, the guest done).
 */
bool uv_vcpu_exec(struct uv_vcpu *v)
{
	u64 t_in, t_out;

	uv_lapic_take_sipi(v);
	if (READ_ONCE(v->wait_sipi))
		return false;	/* the executor leaves it alone until a STARTUP */
	local_irq_disable();
	if (READ_ONCE(v->requests) || need_resched() || !uv_sched_may_run(v)) {
		local_irq_enable();
		return false;
	}
	if (smp_processor_id() != v->cpu) {
		/* the CPU went offline and the scheduler moved the executor */
		local_irq_enable();
		set_bit(UV_REQ_DONE, &v->requests);
		uv_vcpu_host_fault(v);
		return false;
	}
	t_in = uv_sched_enter(v);
	uv_vendor->vcpu_run(v);
	t_out = ktime_get_ns();
	local_irq_enable();
	v->run_ns += t_out - t_in;
	uv_sched_leave(v, t_in, t_out);

	if (uv_handle_exit(v)) {
		set_bit(UV_REQ_DONE, &v->requests);
		return false;
	}
	return true;
}

/* The CPUs of @cfg: each possible, no two the same; the number of vCPUs, or -EINVAL. */
static int uv_config_vcpus(const struct uv_partition_config *cfg)
{
	unsigned int n = cfg->nr_vcpus ? cfg->nr_vcpus : 1, i, j;

	if (n > UV_MAX_VCPUS || (n > 1 && !cfg->scheduled))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int cpu = cfg->cpus[i];

		if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (cfg->cpus[j] == cpu)
				return -EINVAL;
	}
	return n;
}

static void uv_vcpus_free(struct uv_partition *p, unsigned int created)
{
	unsigned int i;

	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		uv_platform_stop(v);
		if (i < created)
			uv_vendor->vcpu_destroy(v);
		kfree(v->hc_buf);
	}
	kfree(p->vcpus);
	p->vcpus = NULL;
}

static int uv_vcpus_create(struct uv_partition *p, const struct uv_partition_config *cfg,
			   unsigned int n)
{
	unsigned int i;
	int ret;

	p->vcpus = kcalloc(n, sizeof(*p->vcpus), GFP_KERNEL);
	if (!p->vcpus)
		return -ENOMEM;
	p->nr_vcpus = n;
	for (i = 0; i < n; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		v->part = p;
		v->idx = i;
		v->cpu = cfg->cpus[i];
		v->scheduled = cfg->scheduled;
		init_waitqueue_head(&v->wq);
		uv_irq_init(v);
		uv_platform_init(v, i);
	}
	for (i = 0; i < n; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		v->hc_buf = kmalloc(UV_HC_CONSOLE_MAX, GFP_KERNEL);
		ret = v->hc_buf ? uv_vendor->vcpu_create(v) : -ENOMEM;
		if (ret) {
			uv_vcpus_free(p, i);
			return ret;
		}
	}
	return 0;
}

/**
 * uv_partition_create - a partition over the caller's memory extents
 *
 * Returns the partition in state CREATED, or an ERR_PTR: -EINVAL for bad
 * extents or CPUs, -ENOMEM, -ENODEV if the monitor is not initialized.
 */
struct uv_partition *uv_partition_create(const struct uv_partition_config *cfg)
{
	struct uv_partition *p;
	int ret, n;

	if (!uv_vendor)
		return ERR_PTR(-ENODEV);
	if (!cfg)
		return ERR_PTR(-EINVAL);
	n = uv_config_vcpus(cfg);
	if (n < 0)
		return ERR_PTR(n);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	strscpy(p->name, cfg->name ? cfg->name : "?", sizeof(p->name));
	mutex_init(&p->lock);
	spin_lock_init(&p->state_lock);
	init_waitqueue_head(&p->state_wq);
	p->state = UV_PART_CREATED;
	p->notify = cfg->notify;
	p->priv = cfg->priv;
	uv_uart_reset(&p->uart);
	uv_ioapic_init(&p->ioapic);

	ret = uv_mem_setup(p, cfg->extents, cfg->nr_extents);
	if (ret)
		goto err_free;
	ret = uv_npt_build(&p->npt, p->mem, p->nr_mem);
	if (ret)
		goto err_mem;
	ret = uv_console_init(&p->console, cfg->console_size);
	if (ret)
		goto err_npt;
	ret = uv_vcpus_create(p, cfg, n);
	if (ret)
		goto err_console;
	atomic64_inc(&uv_nr_partitions);
	return p;

err_console:
	uv_console_free(&p->console);
err_npt:
	uv_npt_free(&p->npt);
err_mem:
	uv_mem_teardown(p);
err_free:
	kfree(p);
	return ERR_PTR(ret);
}

/* Between start and stop (every vCPU is, or none). */
static bool uv_started(struct uv_partition *p)
{
	return p->vcpus[0].started;
}

/* End the vCPUs' runs: their threads, or the executors' hold on them; lock held. */
static void uv_partition_reap(struct uv_partition *p)
{
	unsigned int i;

	uv_sched_evict(p);
	if (!uv_started(p))
		return;
	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		set_bit(UV_REQ_STOP, &v->requests);
		uv_vcpu_kick(v);
		WRITE_ONCE(v->started, false);
	}
	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		if (!v->thread) {
			uv_sched_release(v);
			uv_platform_stop(v);	/* its deadline timer must not fire any more */
			continue;
		}
		kthread_stop(v->thread);
		uv_platform_stop(v);
		put_task_struct(v->thread);
		v->thread = NULL;
		atomic64_dec(&uv_nr_threads);
	}
}

/**
 * uv_partition_destroy - stop the partition and free everything the monitor holds
 *
 * Afterwards no CPU can reach the extents through this partition any more
 * (its threads are gone, its ASIDs are never reused without a TLB flush),
 * and the caller may reuse their memory.
 */
void uv_partition_destroy(struct uv_partition *p)
{
	if (IS_ERR_OR_NULL(p))
		return;
	mutex_lock(&p->lock);
	uv_partition_reap(p);
	mutex_unlock(&p->lock);
	uv_vcpus_free(p, p->nr_vcpus);
	uv_console_free(&p->console);
	uv_npt_free(&p->npt);
	uv_mem_teardown(p);
	kfree(p);
	atomic64_dec(&uv_nr_partitions);
}

/*
 * Fresh vCPUs, counters cleared, state LOADED: vCPU 0 at @boot (ESI =
 * @esi), the others waiting for an INIT and STARTUP. Lock held, not started.
 */
static void uv_partition_enter_loaded(struct uv_partition *p, const struct uv_boot_state *boot,
				      u32 esi)
{
	unsigned long flags;
	unsigned int i, j;

	p->boot_ns = ktime_get_ns();
	p->boot_tsc = rdtsc();
	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		memset(&v->regs, 0, sizeof(v->regs));
		memset(v->stats, 0, sizeof(v->stats));
		for (j = 0; j < UV_IPI_NR; j++)
			atomic64_set(&v->ipi_stats[j], 0);
		v->run_ns = 0;
		v->halted = false;
		v->mtrr_def_type = 0;
		v->sipi_ev = 0;
		atomic_set(&v->sipi_start, 0);
		v->wait_sipi = i > 0;
		uv_irq_reset(v);
		uv_platform_reset(v);
		uv_vendor->vcpu_reset(v, boot);
		if (i == 0)
			v->regs.rsi = esi;
	}
	uv_uart_reset(&p->uart);
	uv_ioapic_reset(&p->ioapic);
	atomic64_set(&p->pm_ignored, 0);
	spin_lock_irqsave(&p->state_lock, flags);
	p->state = UV_PART_LOADED;
	p->exited = false;
	p->exit_code = 0;
	p->exit_how = UV_PEXITED_NONE;
	memset(&p->fault, 0, sizeof(p->fault));
	spin_unlock_irqrestore(&p->state_lock, flags);
	uv_notify(p, UV_PART_LOADED);
}

/**
 * uv_partition_load_multiboot - load a Multiboot ELF image; state becomes LOADED
 *
 * Allowed when no vCPU runs (CREATED, LOADED, STOPPED, FAULTED after
 * uv_partition_stop()). The image is only read. Errors: -EBUSY (running),
 * -ENOEXEC (not an ELF Multiboot image), -EOPNOTSUPP (asks for what we don't
 * offer), -EFAULT (a segment or the boot information outside partition
 * memory), -E2BIG (command line), -ENOMEM.
 */
int uv_partition_load_multiboot(struct uv_partition *p, const void *image, size_t len,
				const char *cmdline)
{
	struct uv_boot_state boot;
	int ret;

	mutex_lock(&p->lock);
	ret = -EBUSY;
	if (uv_started(p))
		goto out;
	ret = uv_multiboot_load(p, image, len, cmdline, &boot);
	if (ret)
		goto out;
	uv_partition_enter_loaded(p, &boot, 0);
out:
	mutex_unlock(&p->lock);
	return ret;
}

/**
 * uv_partition_set_entry - the image is in memory already: set the entry; LOADED
 *
 * For an image the caller wrote into partition memory itself (the command
 * daemon, through a Boot channel). Allowed when the vCPUs do not run; the
 * caller has checked @es->eip against the partition's memory (a bad one only
 * faults the guest). -EBUSY if they run (started).
 */
int uv_partition_set_entry(struct uv_partition *p, const struct uv_entry_state *es)
{
	struct uv_boot_state boot = { .eip = es->eip, .eax = es->eax, .ebx = es->ebx };
	int ret = -EBUSY;

	mutex_lock(&p->lock);
	if (!uv_started(p)) {
		uv_partition_enter_loaded(p, &boot, es->esi);
		ret = 0;
	}
	mutex_unlock(&p->lock);
	return ret;
}

/* Start @v on its own kernel thread (not scheduled). Lock held. */
static int uv_vcpu_start_thread(struct uv_vcpu *v)
{
	struct task_struct *t;

	t = kthread_create(uv_vcpu_thread, v, "uv/%s", v->part->name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	kthread_bind(t, v->cpu);
	v->thread = t;
	v->started = true;
	atomic64_inc(&uv_nr_threads);
	wake_up_process(t);
	return 0;
}

/*
 * LOADED -> RUNNING: hand each vCPU to its CPU's executor (it runs in the
 * slots the schedule gives the partition there), or start its own thread.
 */
int uv_partition_start(struct uv_partition *p)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&p->lock);
	if (uv_state(p) != UV_PART_LOADED || uv_started(p)) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < p->nr_vcpus; i++) {
		if (!cpu_online(p->vcpus[i].cpu)) {
			ret = -ENODEV;
			goto out;
		}
		p->vcpus[i].requests = 0;
	}
	if (!p->vcpus[0].scheduled) {	/* one vCPU (uv_config_vcpus) */
		ret = uv_vcpu_start_thread(&p->vcpus[0]);
		if (ret)
			goto out;
		uv_set_state(p, BIT(UV_PART_LOADED), UV_PART_RUNNING);
		uv_notify(p, UV_PART_RUNNING);
		goto out;
	}
	for (i = 0; i < p->nr_vcpus; i++) {
		ret = uv_sched_attach(&p->vcpus[i]);
		if (ret)
			goto out;
	}
	for (i = 0; i < p->nr_vcpus; i++)
		WRITE_ONCE(p->vcpus[i].started, true);
	uv_set_state(p, BIT(UV_PART_LOADED), UV_PART_RUNNING);
	for (i = 0; i < p->nr_vcpus; i++)
		uv_sched_wake(&p->vcpus[i]);
	uv_notify(p, UV_PART_RUNNING);
out:
	mutex_unlock(&p->lock);
	return ret;
}

/*
 * RUNNING -> PAUSED. Returns when every vCPU is out of the guest and
 * waiting (normally within one world switch), or -ETIMEDOUT after a second.
 */
int uv_partition_pause(struct uv_partition *p)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&p->lock);
	if (uv_state(p) == UV_PART_PAUSED)
		goto out;
	if (uv_state(p) != UV_PART_RUNNING) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < p->nr_vcpus; i++) {
		set_bit(UV_REQ_PAUSE, &p->vcpus[i].requests);
		uv_vcpu_kick(&p->vcpus[i]);
	}
	if (p->vcpus[0].scheduled) {
		/* the executors do not pick them with the bit set */
		for (i = 0; i < p->nr_vcpus; i++)
			uv_sched_release(&p->vcpus[i]);
		if (uv_set_state(p, BIT(UV_PART_RUNNING), UV_PART_PAUSED))
			uv_notify(p, UV_PART_PAUSED);
		goto out;
	}
	if (!wait_event_timeout(p->state_wq, uv_state(p) != UV_PART_RUNNING, HZ))
		ret = -ETIMEDOUT;
out:
	mutex_unlock(&p->lock);
	return ret;
}

/* PAUSED -> RUNNING */
int uv_partition_resume(struct uv_partition *p)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&p->lock);
	if (!(UV_LIVE & BIT(uv_state(p)))) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < p->nr_vcpus; i++)
		clear_bit(UV_REQ_PAUSE, &p->vcpus[i].requests);
	if (uv_set_state(p, BIT(UV_PART_PAUSED), UV_PART_RUNNING))
		uv_notify(p, UV_PART_RUNNING);
	for (i = 0; i < p->nr_vcpus; i++) {
		struct uv_vcpu *v = &p->vcpus[i];

		wake_up_all(&v->wq);
		if (v->scheduled)
			uv_sched_wake(v);
	}
out:
	mutex_unlock(&p->lock);
	return ret;
}

/*
 * RUNNING or PAUSED -> STOPPED; no vCPU runs when this returns. On a
 * partition that already stopped or faulted by itself, it only ends the
 * vCPUs' runs (state and exit code stay).
 */
int uv_partition_stop(struct uv_partition *p)
{
	int ret = 0;

	mutex_lock(&p->lock);
	if (!uv_started(p)) {
		ret = -EINVAL;
		goto out;
	}
	uv_partition_reap(p);
	if (uv_set_state(p, UV_LIVE, UV_PART_STOPPED))
		uv_notify(p, UV_PART_STOPPED);
out:
	mutex_unlock(&p->lock);
	return ret;
}

void uv_partition_get_status(struct uv_partition *p, struct uv_partition_status *st)
{
	unsigned long flags;
	unsigned int i, j;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&p->state_lock, flags);
	st->state = p->state;
	st->exited = p->exited;
	st->exit_code = p->exit_code;
	st->exit_how = p->exit_how;
	st->fault = p->fault;
	spin_unlock_irqrestore(&p->state_lock, flags);
	st->cpu = p->vcpus[0].cpu;
	st->nr_vcpus = p->nr_vcpus;
	for (j = 0; j < p->nr_vcpus; j++) {
		struct uv_vcpu *v = &p->vcpus[j];

		if (!READ_ONCE(v->wait_sipi))
			st->vcpus_started++;
		for (i = 0; i < UV_STAT_NR; i++)
			st->exits[i] += READ_ONCE(v->stats[i]);
		st->irq_raised += atomic64_read(&v->irq_raised);
		st->irq_injected += READ_ONCE(v->irq_injected);
		st->ipi_fixed += atomic64_read(&v->ipi_stats[UV_IPI_FIXED]);
		st->ipi_init += atomic64_read(&v->ipi_stats[UV_IPI_INIT]);
		st->ipi_startup += atomic64_read(&v->ipi_stats[UV_IPI_STARTUP]);
		st->ipi_ignored += atomic64_read(&v->ipi_stats[UV_IPI_IGNORED]);
	}
	st->console_bytes = uv_console_bytes(&p->console);
	st->npt_levels = p->npt.levels;
	st->npt_pages = p->npt.nr_pages;
	st->pm_ignored = atomic64_read(&p->pm_ignored);
	spin_lock_irqsave(&p->ioapic.lock, flags);
	st->ioapic_reads = p->ioapic.reads;
	st->ioapic_writes = p->ioapic.writes;
	st->ioapic_raised = p->ioapic.raised;
	st->ioapic_delivered = p->ioapic.delivered;
	st->ioapic_dropped = p->ioapic.dropped;
	st->ioapic_refused = p->ioapic.refused;
	spin_unlock_irqrestore(&p->ioapic.lock, flags);
}

/**
 * uv_partition_console_read - copy console output from position *@pos on
 *
 * Returns the number of bytes copied (0: nothing new) and advances *@pos.
 * A reader further behind than the ring holds skips the lost bytes.
 */
size_t uv_partition_console_read(struct uv_partition *p, u64 *pos, char *buf, size_t len)
{
	return uv_console_read(&p->console, pos, buf, len);
}

int uv_monitor_init(void)
{
	int ret;

	if (uv_cpu_features.virt != UV_VIRT_SVM)
		return -EOPNOTSUPP;	/* the VMX backend comes later */
	ret = uv_svm_ops.init();
	if (ret)
		return ret;
	uv_sched_init();
	uv_irq_setup();
	uv_vendor = &uv_svm_ops;
	return 0;
}

void uv_monitor_exit(void)
{
	if (!uv_vendor)
		return;
	uv_sched_exit();
	uv_irq_teardown();
	uv_vendor->exit();
	uv_vendor = NULL;
}
