/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor's interface to the rest of the module (docs/monitor.md).
 *
 * A partition is a set of guest-physical extents backed by host memory that
 * the caller owns (the resource database's pages), 1..UV_MAX_VCPUS virtual
 * processors, each pinned to its own physical CPU, and a console buffer. The
 * monitor never allocates or frees partition memory and makes no placement
 * decision: the caller chooses the extents and the CPUs, the monitor
 * confines the guest to them. vCPU 0 starts at the entry; the others wait
 * for an INIT/STARTUP from the guest (docs/guest-platform.md, SMP).
 *
 * Life of a partition:
 *
 *	uv_partition_create()		CREATED  (nested page tables built)
 *	uv_partition_load_multiboot()	LOADED   (image in memory, vCPU at entry)
 *	  or uv_partition_set_entry()	         (the image was written by the caller)
 *	uv_partition_start()		RUNNING  (kernel thread on the chosen CPU)
 *	uv_partition_pause/resume()	PAUSED <-> RUNNING
 *	guest writes the exit port,	STOPPED  (exit code set)
 *	  calls UV_HC_STOP, or
 *	  uv_partition_stop()
 *	nested page fault, triple	FAULTED  (struct uv_fault says why)
 *	  fault, bad state
 *	uv_partition_destroy()		gone: stops the vCPU first; the caller may
 *					then give the extents' memory back.
 *
 * Every state change calls the notify hook of the config, which is where the
 * integration raises its event: in process context with no spinlock held,
 * from the vCPU thread (guest exit, fault, pause taking effect) or from the
 * lifecycle call that caused it (that partition's mutex is then held, so the
 * hook must not make lifecycle calls on the same partition; it may read
 * status and console). Lifecycle calls on one partition are serialized by
 * the monitor; they sleep.
 */
#ifndef _UV_MONITOR_MONITOR_H
#define _UV_MONITOR_MONITOR_H

#include <linux/types.h>
#include <linux/ultravisor_hypercall.h>

struct uv_partition;

/* One piece of partition memory: [gpa, gpa + size) -> [hpa, hpa + size). */
struct uv_guest_extent {
	u64 gpa;
	u64 hpa;
	u64 size;
};

enum uv_part_state {
	UV_PART_CREATED,
	UV_PART_LOADED,
	UV_PART_RUNNING,
	UV_PART_PAUSED,
	UV_PART_STOPPED,
	UV_PART_FAULTED,
};

/* Why a partition is FAULTED (struct uv_fault.reason) */
enum uv_fault_reason {
	UV_FAULT_NONE,
	UV_FAULT_NPF,		/* access outside the partition's memory */
	UV_FAULT_SHUTDOWN,	/* triple fault */
	UV_FAULT_BAD_STATE,	/* the CPU refused the guest state (VMEXIT_INVALID) */
	UV_FAULT_UNSUPPORTED,	/* an instruction the monitor does not emulate */
	UV_FAULT_UNHANDLED,	/* an exit the monitor does not know */
	UV_FAULT_HOST,		/* host side: CPU unusable (offline, owned by another hypervisor) */
};

/* Access bits (struct uv_fault.access) */
#define UV_ACCESS_READ		0x1
#define UV_ACCESS_WRITE		0x2
#define UV_ACCESS_EXEC		0x4

/**
 * struct uv_fault - why a partition stopped in state FAULTED
 * @reason:	enum uv_fault_reason
 * @access:	UV_ACCESS_* (UV_FAULT_NPF)
 * @gpa:	guest-physical address touched (UV_FAULT_NPF)
 * @rip:	guest RIP at the exit
 * @exit_code:	the vendor's raw exit code (SVM EXITCODE)
 */
struct uv_fault {
	u32 reason;
	u32 access;
	u64 gpa;
	u64 rip;
	u64 exit_code;
};

/* Exit counters (struct uv_partition_status.exits) */
enum uv_exit_stat {
	UV_STAT_HOST,		/* host interrupt/NMI: nothing for the guest */
	UV_STAT_CPUID,
	UV_STAT_MSR,
	UV_STAT_IO,
	UV_STAT_HLT,
	UV_STAT_HYPERCALL,
	UV_STAT_OTHER,
	UV_STAT_IRQ_WINDOW,	/* the guest became able to take a pending interrupt */
	UV_STAT_NR
};

/**
 * struct uv_partition_status - a consistent snapshot (uv_partition_get_status)
 * @state:	enum uv_part_state
 * @cpu:	physical CPU of vCPU 0
 * @nr_vcpus:	virtual processors
 * @vcpus_started: of those, running guest code (vCPU 0 and every AP that
 *		took a STARTUP and no INIT since)
 * @ipi_fixed:	fixed-vector IPIs delivered between or to the vCPUs, since load
 * @ipi_init:	INITs taken, since load
 * @ipi_startup: STARTUPs that started a vCPU, since load
 * @ipi_ignored: ICR writes that delivered nothing: no such APIC ID, illegal
 *		vector, NMI/SMI/ExtINT/lowest-priority/reserved modes, INIT or
 *		STARTUP to itself, STARTUP to a vCPU not waiting for one
 * @exited:	STOPPED by the guest itself (exit port or UV_HC_STOP)
 * @exit_code:	the value the guest gave (when @exited)
 * @exit_how:	UV_PEXITED_*: the path it took (when @exited)
 * @pm_ignored:	power-management port writes that asked for nothing (acpi_pm.c)
 * @fault:	why, when FAULTED
 * @exits:	exits by kind, since start
 * @console_bytes: bytes the guest has written to its console in total
 * @npt_levels:	levels of the nested page tables (4, or 5 on an LA57 host)
 * @npt_pages:	pages the nested page tables take
 * @irq_raised:	uv_partition_raise_irq() calls that set a vector, since load
 * @irq_injected: interrupts delivered into the guest, since load (a vector
 *		raised again before its delivery is delivered once)
 * @ioapic_reads: guest loads from the I/O APIC page, since load
 * @ioapic_writes: guest stores to it, since load
 * @ioapic_raised: uv_partition_raise_gsi() edges on an existing pin, since load
 * @ioapic_delivered: of those, vectors raised in a vCPU (at once, or when the
 *		guest unmasked the pin)
 * @ioapic_dropped: of those, not deliverable as the guest programmed the pin
 * @ioapic_refused: accesses to the page the monitor could not emulate (each
 *		one faults the partition)
 */
struct uv_partition_status {
	u32 state;
	int cpu;
	u32 nr_vcpus;
	u32 vcpus_started;
	u64 ipi_fixed;
	u64 ipi_init;
	u64 ipi_startup;
	u64 ipi_ignored;
	bool exited;
	u32 exit_code;
	u32 exit_how;
	u64 pm_ignored;
	struct uv_fault fault;
	u64 exits[UV_STAT_NR];
	u64 console_bytes;
	u32 npt_levels;
	u32 npt_pages;
	u64 irq_raised;
	u64 irq_injected;
	u64 ioapic_reads;
	u64 ioapic_writes;
	u64 ioapic_raised;
	u64 ioapic_delivered;
	u64 ioapic_dropped;
	u64 ioapic_refused;
};

#define UV_MAX_VCPUS		8

/**
 * struct uv_partition_config - what uv_partition_create() needs
 * @name:	for logs (copied; truncated to 31 characters)
 * @extents:	partition memory (copied): page aligned, non-overlapping in
 *		guest-physical space, host memory the caller owns and keeps
 *		until uv_partition_destroy() returns
 * @nr_extents:	number of @extents (1..UV_MAX_EXTENTS)
 * @cpus:	physical CPU that runs each vCPU (distinct): vCPU i on @cpus[i]
 * @nr_vcpus:	number of vCPUs (1..UV_MAX_VCPUS; 0 counts as 1); more than
 *		one only with @scheduled
 * @scheduled:	each vCPU run by its CPU's schedule executor, in the slots
 *		uv_sched_set() gives the partition there (the integration);
 *		false: on a kernel thread of its own, outside any schedule (the
 *		monitor's tests)
 * @console_size: console ring size in bytes, rounded up to a power of two
 *		(0: 64 KiB)
 * @notify:	optional: called on each state change
 * @priv:	passed to @notify
 */
struct uv_partition_config {
	const char *name;
	const struct uv_guest_extent *extents;
	unsigned int nr_extents;
	int cpus[UV_MAX_VCPUS];
	unsigned int nr_vcpus;
	bool scheduled;
	size_t console_size;
	void (*notify)(struct uv_partition *p, enum uv_part_state state, void *priv);
	void *priv;
};

#define UV_MAX_EXTENTS		4096

/**
 * struct uv_monitor_counters - what all partitions hold now (leak checks)
 * @partitions:	partitions created and not destroyed
 * @threads:	vCPU threads alive
 * @npt_pages:	nested page table pages
 * @cpus_enabled: CPUs with virtualization turned on by the monitor
 */
struct uv_monitor_counters {
	u64 partitions;
	u64 threads;
	u64 npt_pages;
	u64 cpus_enabled;
};

void uv_monitor_get_counters(struct uv_monitor_counters *c);

/* Module load/unload: choose the vendor backend and set it up (no CPU is touched yet). */
int uv_monitor_init(void);
void uv_monitor_exit(void);

struct uv_partition *uv_partition_create(const struct uv_partition_config *cfg);
void uv_partition_destroy(struct uv_partition *p);
int uv_partition_load_multiboot(struct uv_partition *p, const void *image, size_t len,
				const char *cmdline);

/**
 * struct uv_entry_state - where an image someone else wrote starts (flat 32-bit)
 * @eip:	guest-physical entry point
 * @eax:	EAX at entry
 * @ebx:	EBX at entry
 * @esi:	ESI at entry (Linux: boot_params)
 */
struct uv_entry_state {
	u32 eip;
	u32 eax;
	u32 ebx;
	u32 esi;
};

int uv_partition_set_entry(struct uv_partition *p, const struct uv_entry_state *es);
int uv_partition_start(struct uv_partition *p);
int uv_partition_pause(struct uv_partition *p);
int uv_partition_resume(struct uv_partition *p);
int uv_partition_stop(struct uv_partition *p);
void uv_partition_get_status(struct uv_partition *p, struct uv_partition_status *st);
size_t uv_partition_console_read(struct uv_partition *p, u64 *pos, char *buf, size_t len);

/*
 * Interrupts (irq.c, docs/monitor.md "Interrupts"): make external interrupt
 * @vector pending in the partition's vCPU 0; the monitor delivers it as soon as
 * the guest can take it (RFLAGS.IF), waking a halted vCPU and forcing a
 * running one out of the guest to do so. Edge-like: no local APIC, no EOI; a
 * vector raised twice before its delivery is delivered once. Any context
 * (IRQs off too). 0, or -EINVAL for a vector outside 32..255.
 */
#define UV_NR_VECTORS		256
#define UV_FIRST_EXT_VECTOR	32
int uv_partition_raise_irq(struct uv_partition *p, unsigned int vector);

/*
 * The partition's I/O APIC (ioapic.c, docs/guest-platform.md section 12): an
 * edge on pin @gsi (0..UV_IOAPIC_NR_PINS - 1), delivered as the guest
 * programmed the pin's redirection entry. Any context. 0, or -EINVAL for no
 * such pin. UV_IOAPIC_BASE is the page's guest-physical address (the MADT's).
 */
#define UV_IOAPIC_BASE		((u64)UV_IOAPIC_GPA)
#define UV_IOAPIC_NR_PINS	UV_IOAPIC_PINS
int uv_partition_raise_gsi(struct uv_partition *p, unsigned int gsi);

/*
 * The schedule executor (sched.c, docs/schedule.md). Each CPU with a schedule
 * has one executor thread that runs the current slot's vCPU itself (the
 * vCPU of the slot's partition bound to that CPU); only partitions created
 * with cfg->scheduled run there. Other partitions run on
 * their own kernel threads, outside any schedule.
 */
#define UV_SCHED_SLOTS		16

/**
 * struct uv_sched_stats - one CPU's executor counters (since module load)
 * @cycles:	16-slot cycles completed
 * @swaps:	schedules taken (at a wrap, or the first one at once)
 * @last_swap_cycle: @cycles when the last one was taken
 * @idle_slots:	slots that named no partition (Linux had the CPU)
 * @timer_fires: slot-boundary timer interrupts
 * @overrun_max_ns: longest a guest stayed in past the boundary that ended its run
 * @switches:	runs whose partition entered after another partition's run, the
 *		executor running from the boundary to the entry
 * @switch_ns:	sum over those of boundary to guest entry (the slot-switch cost)
 * @resumes:	same, for runs whose partition entered again after its own run
 *		(the wrap of a dedicated CPU)
 * @resume_ns:	sum over those of boundary to guest entry (the boundary's own cost)
 * @waited:	boundaries after which Linux ran another task before the entry
 *		(in neither of the above)
 */
struct uv_sched_stats {
	u64 cycles;
	u64 swaps;
	u64 last_swap_cycle;
	u64 idle_slots;
	u64 timer_fires;
	u64 overrun_max_ns;
	u64 switches;
	u64 switch_ns;
	u64 resumes;
	u64 resume_ns;
	u64 waited;
};

/**
 * struct uv_sched_info - uv_sched_get()
 * @active:	the CPU executes a schedule
 * @pending:	@next waits for the wrap
 * @slot:	current slot
 * @slot_ns:	slot length
 * @cur:	owners of the slots now (NULL: idle)
 * @next:	owners from the next wrap on
 * @stats:	counters
 */
struct uv_sched_info {
	bool active;
	bool pending;
	u32 slot;
	u64 slot_ns;
	struct uv_partition *cur[UV_SCHED_SLOTS];
	struct uv_partition *next[UV_SCHED_SLOTS];
	struct uv_sched_stats stats;
};

/**
 * struct uv_sched_vcpu_stats - one partition's share of one CPU (uv_sched_get_vcpu)
 * @run_ns:	time in the guest (VMRUN to #VMEXIT), since load
 * @granted:	slots its schedule gave it
 * @slots_run:	of those, slots it entered the guest in
 * @slots_missed: slots it did not run in (paused, not started)
 * @hist_cycle:	its CPU's cycle number + 1 at the last two schedule swaps (0: none)
 * @hist_granted: @granted at those swaps
 * @cycles:	its CPU's cycles, read with the above
 */
struct uv_sched_vcpu_stats {
	u64 run_ns;
	u64 granted;
	u64 slots_run;
	u64 slots_missed;
	u64 hist_cycle[2];
	u64 hist_granted[2];
	u64 cycles;
};

int uv_sched_set(int cpu, struct uv_partition * const *slot, u64 slot_ns);
void uv_sched_evict(struct uv_partition *p);
void uv_sched_get(int cpu, struct uv_sched_info *info);
void uv_sched_get_vcpu(struct uv_partition *p, int cpu, struct uv_sched_vcpu_stats *vs);

const char *uv_part_state_name(enum uv_part_state state);
const char *uv_fault_reason_name(enum uv_fault_reason reason);
const char *uv_exit_how_name(u32 how);

#endif /* _UV_MONITOR_MONITOR_H */
