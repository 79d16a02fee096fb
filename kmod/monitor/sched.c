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
 * accounts the run that ended and wakes the new owner's vCPU thread. The old
 * owner, if it is in the guest, is forced out by the timer interrupt itself
 * (INTR is intercepted and host interrupts are on during VMRUN), whatever the
 * guest does with its own IF; its thread then finds the slot is not its own
 * and sleeps. A slot naming no partition (idle) has no runnable vCPU thread:
 * Linux has the CPU. A vCPU that halts sleeps until its next run of slots.
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
 * uv_sched_evict(), which uv_partition_destroy() always calls, so the
 * callback never sees a freed partition. The vCPU thread reads cur[slot]
 * without the lock, only to compare it with its own partition; it rechecks
 * with interrupts off before each entry (a boundary after that check finds
 * its timer interrupt pending at VMRUN, and the guest leaves at once).
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
	struct uv_sched_stats st;
};

static DEFINE_PER_CPU(struct uv_sched, uv_sched_pcpu);

static struct uv_sched *uv_sched_of(int cpu)
{
	return per_cpu_ptr(&uv_sched_pcpu, cpu);
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

	while (j < UV_SCHED_SLOTS && e->cur[j] == p)
		j++;
	e->run_end = j;
	e->seq++;
	if (p) {
		/* still in the guest from the last run: it has entered this one too */
		p->vcpu.entered = p->vcpu.in_guest;
		wake_up_all(&p->vcpu.wq);
	}
	return ktime_add_ns(e->cycle_start, e->slot_ns * j);
}

/* Lock held, at the wrap: every vCPU of either table notes the swap. */
static void uv_sched_note_swap(struct uv_sched *e, struct uv_partition * const *t)
{
	unsigned int i;

	for (i = 0; i < UV_SCHED_SLOTS; i++) {
		struct uv_vcpu *v = t[i] ? &t[i]->vcpu : NULL;

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
	unsigned long flags;
	unsigned int n;
	ktime_t end;

	spin_lock_irqsave(&e->lock, flags);
	e->st.timer_fires++;
	e->last_boundary = hrtimer_get_expires(t);
	/* account the run that ends here */
	p = e->cur[e->slot];
	e->prev = p;
	n = e->run_end - e->slot;
	if (p) {
		p->vcpu.granted += n;
		if (p->vcpu.entered)
			p->vcpu.slots_run += n;
		else
			p->vcpu.slots_missed += n;
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
	e->active = true;
	end = uv_sched_begin_run(e);
	hrtimer_start(&e->timer, end, HRTIMER_MODE_ABS_PINNED);
	spin_unlock_irqrestore(&e->lock, flags);
}

/**
 * uv_sched_set - give CPU @cpu a new schedule
 * @slot:	owner of each of the 16 slots; NULL is idle. A partition must
 *		have its vCPU on @cpu (others are treated as idle).
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
		t[i] = slot[i] && slot[i]->vcpu.cpu == cpu ? slot[i] : NULL;
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

/* Replace @p's slots by idle in the running and the pending schedule, now. */
void uv_sched_evict(struct uv_partition *p)
{
	struct uv_sched *e;
	unsigned long flags;
	unsigned int i;

	if (p->vcpu.cpu < 0 || p->vcpu.cpu >= nr_cpu_ids)
		return;
	e = uv_sched_of(p->vcpu.cpu);
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

/* May @v enter its guest now? (Unlocked: see the top of the file.) */
bool uv_sched_may_run(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);

	if (!READ_ONCE(e->active))
		return true;
	if (READ_ONCE(e->cur[READ_ONCE(e->slot)]) != v->part)
		return false;
	return !v->halted || READ_ONCE(e->seq) != v->halt_seq;
}

/* Sleep until the schedule lets @v run, or a request or stop comes. */
void uv_sched_wait(struct uv_vcpu *v)
{
	wait_event_interruptible(v->wq, uv_sched_may_run(v) || READ_ONCE(v->requests) ||
				 kthread_should_stop());
}

/*
 * HLT under a schedule: the rest of the run goes back to Linux; the vCPU
 * runs again at its next run of slots. False if its CPU has no schedule.
 */
bool uv_sched_halt(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);

	if (!READ_ONCE(e->active))
		return false;
	v->halt_seq = READ_ONCE(e->seq);
	v->halted = true;
	return true;
}

/* IRQs off, just before VMRUN: returns the entry time. */
u64 uv_sched_enter(struct uv_vcpu *v)
{
	struct uv_sched *e = uv_sched_of(v->cpu);
	u64 now = ktime_get_ns(), b;

	v->halted = false;
	if (READ_ONCE(e->active)) {
		spin_lock(&e->lock);
		/* first entry of a run that another partition's run ended: a slot switch */
		b = ktime_to_ns(e->last_boundary);
		if (!v->entered && e->prev && e->prev != v->part && now > b) {
			e->st.switches++;
			e->st.switch_ns += now - b;
		}
		v->entered = true;
		v->in_guest = true;
		spin_unlock(&e->lock);
	}
	return now;
}

/*
 * IRQs on again after the exit (the timer callback that ended the run, if
 * any, has run): account the time in the guest and how far it ran past the
 * boundary that ended its run.
 */
void uv_sched_leave(struct uv_vcpu *v, u64 t_in, u64 t_out)
{
	struct uv_sched *e = uv_sched_of(v->cpu);
	unsigned long flags;
	u64 b;

	v->run_ns += t_out - t_in;
	if (!READ_ONCE(e->active) && !v->in_guest)
		return;
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

/* A partition's schedule counters, consistent with its CPU's. */
void uv_sched_get_vcpu(struct uv_partition *p, struct uv_sched_vcpu_stats *vs)
{
	struct uv_vcpu *v = &p->vcpu;
	struct uv_sched *e;
	unsigned long flags;

	memset(vs, 0, sizeof(*vs));
	if (v->cpu < 0 || v->cpu >= nr_cpu_ids)
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
		e->cpu = cpu;
		hrtimer_init(&e->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
		e->timer.function = uv_sched_fire;
	}
}

/* Module unload: no partition is left, so every table is idle; stop the timers. */
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
	}
}
