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

/**
 * uv_partition_create - a partition over the caller's memory extents
 *
 * Returns the partition in state CREATED, or an ERR_PTR: -EINVAL for bad
 * extents or CPU, -ENOMEM, -ENODEV if the monitor is not initialized.
 */
struct uv_partition *uv_partition_create(const struct uv_partition_config *cfg)
{
	struct uv_partition *p;
	struct uv_vcpu *v;
	int ret;

	if (!uv_vendor)
		return ERR_PTR(-ENODEV);
	if (!cfg || cfg->cpu < 0 || cfg->cpu >= nr_cpu_ids || !cpu_possible(cfg->cpu))
		return ERR_PTR(-EINVAL);
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
	v = &p->vcpu;
	v->part = p;
	v->cpu = cfg->cpu;
	v->scheduled = cfg->scheduled;
	init_waitqueue_head(&v->wq);
	uv_irq_init(v);
	uv_platform_init(v, 0);

	ret = uv_mem_setup(p, cfg->extents, cfg->nr_extents);
	if (ret)
		goto err_free;
	ret = uv_npt_build(&p->npt, p->mem, p->nr_mem);
	if (ret)
		goto err_mem;
	ret = uv_console_init(&p->console, cfg->console_size);
	if (ret)
		goto err_npt;
	v->hc_buf = kmalloc(UV_HC_CONSOLE_MAX, GFP_KERNEL);
	if (!v->hc_buf) {
		ret = -ENOMEM;
		goto err_console;
	}
	ret = uv_vendor->vcpu_create(v);
	if (ret)
		goto err_hc;
	atomic64_inc(&uv_nr_partitions);
	return p;

err_hc:
	kfree(v->hc_buf);
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

/* End the vCPU's run: its thread, or the executor's hold on it; lock held. */
static void uv_partition_reap(struct uv_partition *p)
{
	struct uv_vcpu *v = &p->vcpu;

	uv_sched_evict(p);
	if (!v->started)
		return;
	set_bit(UV_REQ_STOP, &v->requests);
	uv_vcpu_kick(v);
	WRITE_ONCE(v->started, false);
	if (!v->thread) {
		uv_sched_release(v);
		uv_platform_stop(v);	/* its deadline timer must not fire any more */
		return;
	}
	kthread_stop(v->thread);
	uv_platform_stop(v);
	put_task_struct(v->thread);
	v->thread = NULL;
	atomic64_dec(&uv_nr_threads);
}

/**
 * uv_partition_destroy - stop the partition and free everything the monitor holds
 *
 * Afterwards no CPU can reach the extents through this partition any more
 * (its thread is gone, its ASID is never reused without a TLB flush), and
 * the caller may reuse their memory.
 */
void uv_partition_destroy(struct uv_partition *p)
{
	if (IS_ERR_OR_NULL(p))
		return;
	mutex_lock(&p->lock);
	uv_partition_reap(p);
	mutex_unlock(&p->lock);
	uv_platform_stop(&p->vcpu);
	uv_vendor->vcpu_destroy(&p->vcpu);
	kfree(p->vcpu.hc_buf);
	uv_console_free(&p->console);
	uv_npt_free(&p->npt);
	uv_mem_teardown(p);
	kfree(p);
	atomic64_dec(&uv_nr_partitions);
}

/* Fresh vCPU at @boot (ESI = @esi), counters cleared, state LOADED. Lock held, no thread. */
static void uv_partition_enter_loaded(struct uv_partition *p, const struct uv_boot_state *boot,
				      u32 esi)
{
	struct uv_vcpu *v = &p->vcpu;
	unsigned long flags;

	memset(&v->regs, 0, sizeof(v->regs));
	memset(v->stats, 0, sizeof(v->stats));
	v->run_ns = 0;
	v->halted = false;
	v->mtrr_def_type = 0;
	uv_irq_reset(v);
	uv_platform_reset(v);
	uv_vendor->vcpu_reset(v, boot);
	v->regs.rsi = esi;
	uv_uart_reset(&p->uart);
	uv_ioapic_reset(&p->ioapic);
	WRITE_ONCE(p->pm_ignored, 0);
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
 * Allowed when no vCPU thread runs (CREATED, LOADED, STOPPED, FAULTED after
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
	if (p->vcpu.started)
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
 * daemon, through a Boot channel). Allowed when the vCPU does not run; the
 * caller has checked @es->eip against the partition's memory (a bad one only
 * faults the guest). -EBUSY if the vCPU runs (started).
 */
int uv_partition_set_entry(struct uv_partition *p, const struct uv_entry_state *es)
{
	struct uv_boot_state boot = { .eip = es->eip, .eax = es->eax, .ebx = es->ebx };
	int ret = -EBUSY;

	mutex_lock(&p->lock);
	if (!p->vcpu.started) {
		uv_partition_enter_loaded(p, &boot, es->esi);
		ret = 0;
	}
	mutex_unlock(&p->lock);
	return ret;
}

/*
 * LOADED -> RUNNING: hand the vCPU to its CPU's executor (it runs in the
 * slots the schedule gives it), or start its own thread.
 */
int uv_partition_start(struct uv_partition *p)
{
	struct uv_vcpu *v = &p->vcpu;
	struct task_struct *t;
	int ret = 0;

	mutex_lock(&p->lock);
	if (uv_state(p) != UV_PART_LOADED || v->started) {
		ret = -EINVAL;
		goto out;
	}
	if (!cpu_online(v->cpu)) {
		ret = -ENODEV;
		goto out;
	}
	v->requests = 0;
	if (v->scheduled) {
		ret = uv_sched_attach(v);
		if (ret)
			goto out;
		WRITE_ONCE(v->started, true);
		uv_set_state(p, BIT(UV_PART_LOADED), UV_PART_RUNNING);
		uv_sched_wake(v);
		uv_notify(p, UV_PART_RUNNING);
		goto out;
	}
	t = kthread_create(uv_vcpu_thread, v, "uv/%s", p->name);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	get_task_struct(t);
	kthread_bind(t, v->cpu);
	v->thread = t;
	v->started = true;
	atomic64_inc(&uv_nr_threads);
	uv_set_state(p, BIT(UV_PART_LOADED), UV_PART_RUNNING);
	wake_up_process(t);
	uv_notify(p, UV_PART_RUNNING);
out:
	mutex_unlock(&p->lock);
	return ret;
}

/*
 * RUNNING -> PAUSED. Returns when the vCPU is out of the guest and waiting
 * (normally within one world switch), or -ETIMEDOUT after a second.
 */
int uv_partition_pause(struct uv_partition *p)
{
	struct uv_vcpu *v = &p->vcpu;
	int ret = 0;

	mutex_lock(&p->lock);
	if (uv_state(p) == UV_PART_PAUSED)
		goto out;
	if (uv_state(p) != UV_PART_RUNNING) {
		ret = -EINVAL;
		goto out;
	}
	set_bit(UV_REQ_PAUSE, &v->requests);
	uv_vcpu_kick(v);
	if (v->scheduled) {
		/* the executor does not pick it with the bit set */
		uv_sched_release(v);
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
	struct uv_vcpu *v = &p->vcpu;
	int ret = 0;

	mutex_lock(&p->lock);
	if (!(UV_LIVE & BIT(uv_state(p)))) {
		ret = -EINVAL;
		goto out;
	}
	clear_bit(UV_REQ_PAUSE, &v->requests);
	if (uv_set_state(p, BIT(UV_PART_PAUSED), UV_PART_RUNNING))
		uv_notify(p, UV_PART_RUNNING);
	wake_up_all(&v->wq);
	if (v->scheduled)
		uv_sched_wake(v);
out:
	mutex_unlock(&p->lock);
	return ret;
}

/*
 * RUNNING or PAUSED -> STOPPED; the vCPU thread is gone when this returns.
 * On a partition that already stopped or faulted by itself, it only ends the
 * thread (state and exit code stay).
 */
int uv_partition_stop(struct uv_partition *p)
{
	int ret = 0;

	mutex_lock(&p->lock);
	if (!p->vcpu.started) {
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
	unsigned int i;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&p->state_lock, flags);
	st->state = p->state;
	st->exited = p->exited;
	st->exit_code = p->exit_code;
	st->exit_how = p->exit_how;
	st->fault = p->fault;
	spin_unlock_irqrestore(&p->state_lock, flags);
	st->cpu = p->vcpu.cpu;
	for (i = 0; i < UV_STAT_NR; i++)
		st->exits[i] = READ_ONCE(p->vcpu.stats[i]);
	st->console_bytes = uv_console_bytes(&p->console);
	st->npt_levels = p->npt.levels;
	st->npt_pages = p->npt.nr_pages;
	st->irq_raised = atomic64_read(&p->vcpu.irq_raised);
	st->irq_injected = READ_ONCE(p->vcpu.irq_injected);
	st->pm_ignored = READ_ONCE(p->pm_ignored);
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
