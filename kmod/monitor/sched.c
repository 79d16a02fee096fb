// SPDX-License-Identifier: GPL-2.0
/*
 * The schedule executor (docs/schedule.md): each physical CPU that has a
 * schedule runs its 16 slots ([0134]-[0148], Figures 5 and 6). The caller
 * (the integration, from the database's processor descriptors) says which
 * partition owns each slot; the executor only carries it out.
 *
 * One pinned hrtimer per CPU marks the boundaries. It fires only where the
 * owner changes and at the wrap of the cycle, so a CPU whose 16 slots all
 * name one partition (dedicated) takes one timer interrupt per cycle and
 * no quantum interrupts. At a boundary the callback moves the slot index on,
 * accounts the run that ended and wakes the CPU's executor.
 *
 * The executor is one kernel thread per CPU, bound to it, that runs the
 * vCPU named by the current slot itself: pick the owner, enter its guest,
 * handle its exit, again. The old owner, if it is in the guest at a boundary,
 * is forced out by the timer interrupt itself (INTR is intercepted and host
 * interrupts are on during VMRUN), whatever the guest does with its own IF;
 * the executor then finds the slot is someone else's and enters that vCPU's
 * guest: a slot switch is an exit and an entry, no Linux thread switch. A
 * slot naming no partition (idle), or one whose vCPU cannot run (halted,
 * paused, not started), puts the executor to sleep until the next boundary
 * or a wake-up: Linux has the CPU.
 *
 * Only partitions created with cfg->scheduled run here; the others (the
 * monitor's own tests) keep a kernel thread each and run outside the
 * schedule, like any Linux task on that CPU (partition.c).
 *
 * A new schedule is kept aside and swapped in by the callback at the wrap
 * of the cycle (slot 0), so it replaces the old one indivisibly ([0147]).
 * Evicting a partition (stop, fault, destroy) replaces its slots by idle in
 * the running and the pending schedule at once ([0153]).
 *
 * Locking: uv_sched.lock (spinlock, irqsave; the callback runs in hard irq
 * context) protects everything in struct uv_sched and the scheduling fields
 * of the vCPUs its tables name (granted, slots_run, slots_missed, entered,
 * hist). A partition pointer is in a table only between uv_sched_set() and
 * uv_sched_evict(), which uv_partition_destroy() always calls, so neither
 * the callback nor the executor sees a freed partition. The executor picks
 * a vCPU under the lock and marks it in uv_sched.running; a lifecycle call
 * that must keep it out (pause, stop) sets a request bit, evicts if it
 * needs to, and waits in uv_sched_release() until running is no longer that
 * vCPU. Between entries the executor reads cur[slot] without the lock, only
 * to compare it with the vCPU it holds; it rechecks with interrupts off
 * before each entry (a boundary after that check finds its timer interrupt
 * pending at VMRUN, and the guest leaves at once).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "internal.h"

static DEFINE_MUTEX(uv_sched_thread_lock);	/* creating executors */

struct uv_sched {
	spinlock_t lock;		/* everything here, see the top of the file */
	struct hrtimer timer;
	int cpu;
	bool active;			/* a schedule runs, the timer is armed */
	bool pending;			/* next[] waits for the wrap */
	struct uv_partition *cur[UV_SCHED_SLOTS];
	struct uv_partition *next[UV_SCHED_SLOTS];
	u64 slot_ns, next_slot_ns;
	unsigned int slot;		/* first slot of the current run */
	unsigned int run_end;		/* slot after the current run (16: the wrap) */
	ktime_t cycle_start;
	ktime_t last_boundary;		/* expiry of the last firing */
	struct uv_partition *prev;	/* owner of the run before this one */
	u64 seq;			/* runs started */
	bool fresh;			/* no guest entered since the last firing */
	unsigned long fire_csw;		/* the executor's context switches then, or ~0 */
	u64 kick;			/* bumped at each boundary and wake-up */
	struct uv_sched_stats st;

	struct task_struct *thread;	/* the executor; created at the first start */
	wait_queue_head_t wq;		/* it sleeps here while nothing can run */
	wait_queue_head_t release_wq;	/* uv_sched_release() waits here */
	struct uv_vcpu *running;	/* the vCPU the executor holds now */
	bool svm_on;			/* the executor holds an SVM reference here */
};

static DEFINE_PER_CPU(struct uv_sched, uv_sched_pcpu);

static struct uv_sched *uv_sched_of(int cpu)
{
	return per_cpu_ptr(&uv_sched_pcpu, cpu);
}

/* Context switches of @t so far: the executor's, to see Linux ran between two points. */
static unsigned long uv_sched_csw(struct task_struct *t)
{
	return t->nvcsw + t->nivcsw;
}

static bool uv_sched_all_idle(struct uv_partition * const *t)
{
	unsigned int i;

	for (i = 0; i < UV_SCHED_SLOTS; i++)
		if (t[i])
			return false;
	return true;
}

/* Lock held: the run that starts at e->slot; returns its end as a time. */
static ktime_t uv_sched_begin_run(struct uv_sched *e)
{
	struct uv_partition *p = e->cur[e->slot];
	unsigned int j = e->slot + 1;
	struct uv_vcpu *v;

	while (j < UV_SCHED_SLOTS && e->cur[j] == p)
		j++;
	e->run_end = j;
	e->seq++;
	e->kick++;
	v = p ? uv_vcpu_on_cpu(p, e->cpu) : NULL;
	if (v)	/* still in the guest from the last run: it has entered this one too */
		v->entered = v->in_guest;
	wake_up(&e->wq);
	return ktime_add_ns(e->cycle_start, e->slot_ns * j);
}

/* Lock held, at the wrap: every vCPU of either table notes the swap. */
static void uv_sched_note_swap(struct uv_sched *e, struct uv_partition * const *t)
{
	unsigned int i;

	for (i = 0; i < UV_SCHED_SLOTS; i++) {
		struct uv_vcpu *v = t[i] ? uv_vcpu_on_cpu(t[i], e->cpu) : NULL;

		if (!v || v->hist_cycle[1] == e->st.cycles + 1)
			continue;
		v->hist_cycle[0] = v->hist_cycle[1];
		v->hist_granted[0] = v->hist_granted[1];
		v->hist_cycle[1] = e->st.cycles + 1;	/* stored +1: 0 means never */
		v->hist_granted[1] = v->granted;
	}
}

static enum hrtimer_restart uv_sched_fire(struct hrtimer *t)
{
	struct uv_sched *e = container_of(t, struct uv_sched, timer);
	enum hrtimer_restart ret = HRTIMER_RESTART;
	struct uv_partition *p;
	struct uv_vcpu *v;
	unsigned long flags;
	unsigned int n;
	ktime_t end;

	spin_lock_irqsave(&e->lock, flags);
	e->st.timer_fires++;
	e->last_boundary = hrtimer_get_expires(t);
	e->fresh = true;
	/* interrupted the executor: did it give the CPU away before the next entry? */
	e->fire_csw = current == e->thread ? uv_sched_csw(current) : ~0UL;
	/* account the run that ends here */
	p = e->cur[e->slot];
	e->prev = p;
	n = e->run_end - e->slot;
	v = p ? uv_vcpu_on_cpu(p, e->cpu) : NULL;
	if (v) {
		v->granted += n;
		if (v->entered)
			v->slots_run += n;
		else
			v->slots_missed += n;
	} else {
		e->st.idle_slots += n;
	}
	/* one store: the vCPU threads read e->slot without the lock */
	WRITE_ONCE(e->slot, e->run_end < UV_SCHED_SLOTS ? e->run_end : 0);
	if (e->run_end == UV_SCHED_SLOTS) {
		e->st.cycles++;
		e->cycle_start = ktime_add_ns(e->cycle_start, e->slot_ns * UV_SCHED_SLOTS);
		if (e->pending) {
			uv_sched_note_swap(e, e->cur);
			uv_sched_note_swap(e, e->next);
			memcpy(e->cur, e->next, sizeof(e->cur));
			e->slot_ns = e->next_slot_ns;
			e->pending = false;
			e->st.swaps++;
			e->st.last_swap_cycle = e->st.cycles;
		}
		if (uv_sched_all_idle(e->cur)) {
			e->active = false;
			e->kick++;
			wake_up(&e->wq);	/* the executor gives SVM back */
			ret = HRTIMER_NORESTART;
			goto out;
		}
	}
	end = uv_sched_begin_run(e);
	hrtimer_set_expires(t, end);
out:
	spin_unlock_irqrestore(&e->lock, flags);
	return ret;
}

/* On e->cpu (IPI): start executing e->next from slot 0 now. */
static void uv_sched_start_fn(void *info)
{
	struct uv_sched *e = info;
	unsigned long flags;
	ktime_t end;

	spin_lock_irqsave(&e->lock, flags);
	if (e->active || !e->pending) {
		spin_unlock_irqrestore(&e->lock, flags);
		return;
	}
	uv_sched_note_swap(e, e->next);
	memcpy(e->cur, e->next, sizeof(e->cur));
	e->slot_ns = e->next_slot_ns;
	e->pending = false;
	e->st.swaps++;
	e->st.last_swap_cycle = e->st.cycles;
	e->slot = 0;
	e->cycle_start = ktime_get();
	e->last_boundary = e->cycle_start;
	e->fresh = false;
	e->active = true;
	end = uv_sched_begin_run(e);
	hrtimer_start(&e->timer, end, HRTIMER_MODE_ABS_PINNED);
	spin_unlock_irqrestore(&e->lock, flags);
}

/**
 * uv_sched_set - give CPU @cpu a new schedule
 * @slot:	owner of each of the 16 slots; NULL is idle. A partition must
 *		have a vCPU on @cpu (others are treated as idle): that vCPU
 *		runs in its slots here.
 * @slot_ns:	slot length
 *
 * A CPU that executes a schedule takes the new one at the next wrap of its
 * cycle; an idle CPU starts it at once. The same schedule again changes
 * nothing. Process context; may send an IPI to @cpu.
 */
int uv_sched_set(int cpu, struct uv_partition * const *slot, u64 slot_ns)
{
	struct uv_partition *t[UV_SCHED_SLOTS];
	struct uv_sched *e;
	unsigned long flags;
	bool start;
	unsigned int i;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu) || !slot_ns)
		return -EINVAL;
	for (i = 0; i < UV_SCHED_SLOTS; i++)
		t[i] = slot[i] && uv_vcpu_on_cpu(slot[i], cpu) ? slot[i] : NULL;
	e = uv_sched_of(cpu);
	spin_lock_irqsave(&e->lock, flags);
	if (e->active && !memcmp(e->cur, t, sizeof(t)) && e->slot_ns == slot_ns) {
		e->pending = false;
		start = false;
	} else if (!e->active && uv_sched_all_idle(t)) {
		e->pending = false;
		start = false;
	} else {
		memcpy(e->next, t, sizeof(t));
		e->next_slot_ns = slot_ns;
		e->pending = true;
		start = !e->active;
	}
	spin_unlock_irqrestore(&e->lock, flags);
	if (start)
		smp_call_function_single(cpu, uv_sched_start_fn, e, 1);
	return 0;
}

/* Replace @p's slots by idle in the running and the pending schedule of @cpu. */
static void uv_sched_evict_cpu(struct uv_partition *p, int cpu)
{
	struct uv_sched *e;
	unsigned long flags;
	unsigned int i;

	if (cpu < 0 || cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(cpu);
	spin_lock_irqsave(&e->lock, flags);
	if (e->prev == p)
		e->prev = NULL;
	for (i = 0; i < UV_SCHED_SLOTS; i++) {
		if (e->cur[i] == p)
			e->cur[i] = NULL;
		if (e->next[i] == p)
			e->next[i] = NULL;
	}
	spin_unlock_irqrestore(&e->lock, flags);
}

/* Replace @p's slots by idle on every CPU of its vCPUs, now. */
void uv_sched_evict(struct uv_partition *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_vcpus; i++)
		uv_sched_evict_cpu(p, p->vcpus[i].cpu);
}

/* Lock held: the vCPU the current slot names, if the executor may run it now. */
static struct uv_vcpu *uv_sched_owner(struct uv_sched *e)
{
	struct uv_partition *p = e->active ? e->cur[e->slot] : NULL;
	struct uv_vcpu *v = p ? uv_vcpu_on_cpu(p, e->cpu) : NULL;

	if (!v || !READ_ONCE(v->started) || READ_ONCE(v->requests))
		return NULL;
	/* waiting for SIPI (lapic.c): nothing to run until a STARTUP or INIT comes */
	if (READ_ONCE(v->wait_sipi) && !READ_ONCE(v->sipi_ev) && !atomic_read(&v->sipi_start))
		return NULL;
	if (v->halted && v->halt_seq == e->seq)
		return NULL;	/* halted in this run: the rest of it is Linux's */
	return v;
}

/* Bumps the executor's wake count; lock held. */
static void uv_sched_kick_locked(struct uv_sched *e)
{
	e->kick++;
	wake_up(&e->wq);
}

/*
 * Enable SVM on this CPU for the executor (once; it keeps the reference
 * while the CPU executes a schedule). False if the CPU cannot run guests:
 * another hypervisor owns it, or the executor is not on its CPU any more.
 */
static bool uv_sched_svm_get(struct uv_sched *e)
{
	int ret;

	if (e->svm_on)
		return true;
	preempt_disable();
	ret = smp_processor_id() == e->cpu ? uv_vendor->cpu_enable() : -ENXIO;
	preempt_enable();
	if (ret) {
		pr_err("cannot use CPU %d for guests (%d)\n", e->cpu, ret);
		return false;
	}
	e->svm_on = true;
	return true;
}

static void uv_sched_svm_put(struct uv_sched *e)
{
	if (!e->svm_on)
		return;
	preempt_disable();
	if (smp_processor_id() == e->cpu)
		uv_vendor->cpu_disable();	/* else the CPU went away with its state */
	preempt_enable();
	e->svm_on = false;
}

/*
 * The executor of one CPU: run the current slot's vCPU, entry after entry,
 * until the slot is someone else's or the vCPU cannot go on; then pick
 * again, or sleep until the next boundary or wake-up.
 */
static int uv_sched_thread(void *data)
{
	struct uv_sched *e = data;

	while (!kthread_should_stop()) {
		struct uv_vcpu *v;
		unsigned long flags;
		u64 kick;

		spin_lock_irqsave(&e->lock, flags);
		kick = e->kick;
		v = uv_sched_owner(e);
		e->running = v;
		spin_unlock_irqrestore(&e->lock, flags);

		if (!v) {
			if (!READ_ONCE(e->active))
				uv_sched_svm_put(e);
			wait_event_interruptible(e->wq, READ_ONCE(e->kick) != kick ||
						 kthread_should_stop());
			continue;
		}
		if (uv_sched_svm_get(e)) {
			while (uv_vcpu_exec(v) && !kthread_should_stop())
				cond_resched();
		} else {
			uv_vcpu_host_fault(v);
		}
		spin_lock_irqsave(&e->lock, flags);
		e->running = NULL;
		spin_unlock_irqrestore(&e->lock, flags);
		wake_up_all(&e->release_wq);
		cond_resched();
	}
	uv_sched_svm_put(e);
	return 0;
}

/**
 * uv_sched_attach - make sure @v's CPU has an executor (uv_partition_start)
 *
 * The executor is created at the first start of a scheduled vCPU on a CPU
 * and lives until module unload. Process context.
 */
int uv_sched_attach(struct uv_vcpu *v)
{
	struct uv_sched *e;
	struct task_struct *t;
	int ret = 0;

	if (v->cpu < 0 || v->cpu >= nr_cpu_ids || !cpu_online(v->cpu))
		return -ENODEV;
	e = uv_sched_of(v->cpu);
	mutex_lock(&uv_sched_thread_lock);
	if (!e->thread) {
		t = kthread_create(uv_sched_thread, e, "uv/exec%d", v->cpu);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
		} else {
			kthread_bind(t, v->cpu);
			e->thread = t;
			wake_up_process(t);
		}
	}
	mutex_unlock(&uv_sched_thread_lock);
	return ret;
}

/*
 * Something @v waited for came (start, resume, an interrupt: uv_vcpu_wake()
 * has ended its halt): the executor looks at the slot again. Any context.
 */
void uv_sched_wake(struct uv_vcpu *v)
{
	struct uv_sched *e;
	unsigned long flags;

	if (v->cpu < 0 || v->cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(v->cpu);
	spin_lock_irqsave(&e->lock, flags);
	uv_sched_kick_locked(e);
	spin_unlock_irqrestore(&e->lock, flags);
}

/*
 * Wait until the executor does not hold @v. The caller has set a request
 * bit or evicted @v first, so the executor does not pick it again. Never
 * called from the executor itself (its own exit handling: nothing to wait for).
 */
void uv_sched_release(struct uv_vcpu *v)
{
	struct uv_sched *e;

	if (v->cpu < 0 || v->cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(v->cpu);
	if (e->thread == current)
		return;
	wait_event(e->release_wq, READ_ONCE(e->running) != v);
}

/* May the executor enter @v's guest now? IRQs off, unlocked (see the top). */
bool uv_sched_may_run(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);

	if (!READ_ONCE(e->active))
		return false;
	if (READ_ONCE(e->cur[READ_ONCE(e->slot)]) != v->part)
		return false;
	return !v->halted || READ_ONCE(e->seq) != v->halt_seq;
}

/* HLT of a scheduled vCPU: the rest of the run goes back to Linux. */
void uv_sched_halt(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);
	unsigned long flags;

	spin_lock_irqsave(&e->lock, flags);
	v->halt_seq = e->seq;
	v->halted = true;
	spin_unlock_irqrestore(&e->lock, flags);
}

/* IRQs off, just before VMRUN of a scheduled vCPU: returns the entry time. */
u64 uv_sched_enter(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);
	u64 now = ktime_get_ns(), b;

	spin_lock(&e->lock);
	v->halted = false;
	/*
	 * The first entry after a boundary: after another partition's run it is
	 * a slot switch; after the same partition's (the wrap of a dedicated
	 * CPU) it is the cost of the boundary alone (timer interrupt, exit,
	 * entry), the baseline a switch is compared with. Either is counted
	 * only if the boundary interrupted the executor and it kept the CPU
	 * until this entry; otherwise Linux ran something else in between
	 * (its time, not the switch's): counted in waited.
	 */
	b = ktime_to_ns(e->last_boundary);
	if (e->fresh && now > b && e->prev) {
		if (e->fire_csw != uv_sched_csw(current)) {
			e->st.waited++;
		} else if (e->prev != v->part) {
			e->st.switches++;
			e->st.switch_ns += now - b;
		} else if (e->prev == v->part) {
			e->st.resumes++;
			e->st.resume_ns += now - b;
		}
	}
	e->fresh = false;
	v->entered = true;
	v->in_guest = true;
	spin_unlock(&e->lock);
	return now;
}

/*
 * IRQs on again after the exit (the timer callback that ended the run, if
 * any, has run): account how far the guest ran past the boundary that
 * ended its run.
 */
void uv_sched_leave(struct uv_vcpu *v, u64 t_in, u64 t_out)
{
	struct uv_sched *e = uv_sched_of(v->cpu);
	unsigned long flags;
	u64 b;

	spin_lock_irqsave(&e->lock, flags);
	v->in_guest = false;
	b = ktime_to_ns(e->last_boundary);
	if (b > t_in && t_out > b && e->cur[e->slot] != v->part &&
	    t_out - b > e->st.overrun_max_ns)
		e->st.overrun_max_ns = t_out - b;
	spin_unlock_irqrestore(&e->lock, flags);
}

/**
 * uv_sched_get - what CPU @cpu executes, and its counters
 *
 * The partition pointers are for comparison only (the caller maps them to
 * its own names); they are valid while the caller keeps the partitions.
 */
void uv_sched_get(int cpu, struct uv_sched_info *info)
{
	struct uv_sched *e;
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	if (cpu < 0 || cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(cpu);
	spin_lock_irqsave(&e->lock, flags);
	info->active = e->active;
	info->pending = e->pending;
	info->slot = e->slot;
	info->slot_ns = e->slot_ns;
	memcpy(info->cur, e->cur, sizeof(info->cur));
	memcpy(info->next, e->pending ? e->next : e->cur, sizeof(info->next));
	info->stats = e->st;
	spin_unlock_irqrestore(&e->lock, flags);
}

/*
 * A partition's schedule counters on @cpu (its vCPU there; -1: vCPU 0's
 * CPU), consistent with that CPU's. All zero if no vCPU of @p runs there.
 */
void uv_sched_get_vcpu(struct uv_partition *p, int cpu, struct uv_sched_vcpu_stats *vs)
{
	struct uv_vcpu *v = cpu < 0 ? &p->vcpus[0] : uv_vcpu_on_cpu(p, cpu);
	struct uv_sched *e;
	unsigned long flags;

	memset(vs, 0, sizeof(*vs));
	if (!v || v->cpu < 0 || v->cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(v->cpu);
	spin_lock_irqsave(&e->lock, flags);
	vs->run_ns = READ_ONCE(v->run_ns);
	vs->granted = v->granted;
	vs->slots_run = v->slots_run;
	vs->slots_missed = v->slots_missed;
	vs->hist_cycle[0] = v->hist_cycle[0];
	vs->hist_cycle[1] = v->hist_cycle[1];
	vs->hist_granted[0] = v->hist_granted[0];
	vs->hist_granted[1] = v->hist_granted[1];
	vs->cycles = e->st.cycles;
	spin_unlock_irqrestore(&e->lock, flags);
}

void uv_sched_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct uv_sched *e = uv_sched_of(cpu);

		memset(e, 0, sizeof(*e));
		spin_lock_init(&e->lock);
		init_waitqueue_head(&e->wq);
		init_waitqueue_head(&e->release_wq);
		e->cpu = cpu;
		hrtimer_init(&e->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
		e->timer.function = uv_sched_fire;
	}
}

/*
 * Module unload: no partition is left, so every table is idle; stop the
 * timers and the executors (each gives its SVM reference back).
 */
void uv_sched_exit(void)
{
	unsigned long flags;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct uv_sched *e = uv_sched_of(cpu);

		spin_lock_irqsave(&e->lock, flags);
		memset(e->cur, 0, sizeof(e->cur));
		memset(e->next, 0, sizeof(e->next));
		e->pending = false;
		spin_unlock_irqrestore(&e->lock, flags);
		hrtimer_cancel(&e->timer);
		e->active = false;
		if (e->thread) {
			kthread_stop(e->thread);
			e->thread = NULL;
		}
	}
}
