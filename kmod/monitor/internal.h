/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitor internals shared by the core files and the vendor backends.
 *
 * Locking:
 *  - uv_partition.lock (mutex) serializes the lifecycle calls of one
 *    partition (load, start, pause, resume, stop, destroy).
 *  - uv_partition.state_lock (spinlock) protects state, exited, exit_code
 *    and fault: written by the vCPU thread and by lifecycle calls, read by
 *    uv_partition_get_status(). Never held across a call out of the file.
 *  - uv_vcpu.requests is an atomic bit field the lifecycle calls set and the
 *    vCPU thread reads before every guest entry (with IRQs off: a request
 *    made later comes with an IPI that forces the guest out again).
 *  - uv_vcpu.irq_pending is a bitmap anyone sets atomically (irq.c); only
 *    the vCPU's runner (its thread or executor) clears bits, when it injects
 *    them. in_run and the
 *    bitmap are ordered by full barriers on both sides (irq.c).
 *  - The console ring has its own spinlock (console.c).
 *  - uv_partition.vcpus is allocated at create and fixed until destroy: any
 *    context may index it. INIT/STARTUP for a vCPU are posted by other vCPUs
 *    in its sipi_ev/sipi_start (atomics) and taken only by its own runner
 *    (lapic.c), which alone writes wait_sipi; fixed IPIs only set IRR bits.
 *  - Everything else in uv_vcpu (regs, rip, stats, vendor state) belongs to
 *    whoever runs the vCPU while it is started - its own thread, or its
 *    CPU's schedule executor (sched.c) while that holds it - and to the
 *    lifecycle calls otherwise (they wait for the executor to let go:
 *    uv_sched_release()).
 *  - The I/O APIC has its own spinlock (ioapic.c), taken with IRQs off; it
 *    is dropped before a vector is raised in a vCPU.
 * Lock order: lock -> state_lock; console and I/O APIC locks are leaves.
 */
#ifndef _UV_MONITOR_INTERNAL_H
#define _UV_MONITOR_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "monitor.h"
#include "platform.h"
#include "vendor.h"

struct task_struct;

/* Guest general-purpose registers the vendor's world switch loads and saves. */
struct uv_regs {
	u64 rax;
	u64 rbx;
	u64 rcx;
	u64 rdx;
	u64 rsi;
	u64 rdi;
	u64 rbp;
	u64 rsp;
	u64 r8;
	u64 r9;
	u64 r10;
	u64 r11;
	u64 r12;
	u64 r13;
	u64 r14;
	u64 r15;
};

/* uv_vcpu.requests bits */
#define UV_REQ_PAUSE		0
#define UV_REQ_STOP		1
#define UV_REQ_DONE		2	/* the partition stopped or faulted by itself: not again */

/* uv_vcpu.sipi_ev bit: an INIT another vCPU sent (lapic.c) */
#define UV_SIPI_EV_INIT		0
/* uv_vcpu.sipi_start: UV_SIPI_PENDING | vector of a STARTUP not taken yet, or 0 */
#define UV_SIPI_PENDING		0x100

/* IPI counters of one vCPU (lapic.c), summed in struct uv_partition_status */
enum uv_ipi_stat {
	UV_IPI_FIXED,		/* fixed vectors delivered to a vCPU */
	UV_IPI_INIT,		/* INITs taken */
	UV_IPI_STARTUP,		/* STARTUPs that started a vCPU */
	UV_IPI_IGNORED,		/* no such target, illegal vector, NMI, other modes, repeats */
	UV_IPI_NR
};

struct uv_vcpu {
	struct uv_partition *part;
	unsigned int idx;		/* its place in part->vcpus[], also its APIC ID */
	int cpu;
	bool scheduled;			/* run by the executor (cfg->scheduled) */
	bool started;			/* between start and stop */
	struct task_struct *thread;	/* not scheduled: its own run loop */
	unsigned long requests;
	wait_queue_head_t wq;		/* the thread waits here while paused */

	struct uv_regs regs;
	u64 rip;
	void *vendor;			/* struct uv_svm_vcpu */
	u64 mtrr_def_type;		/* MSR 0x2ff, read back only */
	char *hc_buf;			/* UV_HC_CONSOLE_MAX bytes: hypercall copies */
	struct uv_platform plat;	/* x2APIC, kvmclock (platform.h) */

	/*
	 * Wait-for-SIPI (lapic.c): set by the runner at load (APs) and when it
	 * takes an INIT, cleared when it takes a STARTUP; the executor reads it
	 * to leave the vCPU alone meanwhile. sipi_ev/sipi_start: set by the
	 * sender, taken by the runner before an entry; while a STARTUP is
	 * pending, later ones are dropped (the first one counts).
	 */
	bool wait_sipi;
	unsigned long sipi_ev;
	atomic_t sipi_start;
	atomic64_t ipi_stats[UV_IPI_NR];

	u64 stats[UV_STAT_NR];

	/* interrupts (irq.c) */
	unsigned long irq_pending[BITS_TO_LONGS(UV_NR_VECTORS)];
	bool in_run;			/* between uv_irq_enter() and uv_irq_leave() */
	atomic64_t irq_raised;
	u64 irq_injected;		/* vCPU thread */

	/* schedule (sched.c): run_ns belongs to the runner, the rest to the executor lock */
	u64 run_ns;
	bool halted;
	u64 halt_seq;
	bool in_guest;
	bool entered;
	u64 granted;
	u64 slots_run;
	u64 slots_missed;
	u64 hist_cycle[2];
	u64 hist_granted[2];
};

/* Nested page tables: root and every table page, for freeing. */
struct uv_npt {
	u64 root_pa;
	unsigned int levels;		/* 4 or 5, as the host pages */
	struct list_head pages;
	unsigned int nr_pages;
};

/* A partition extent as the monitor keeps it: with its kernel mapping. */
struct uv_mem {
	u64 gpa;
	u64 size;
	u64 hpa;
	void *kva;
};

/* 16550 registers the guest can read back */
struct uv_uart {
	u8 ier;
	u8 fcr;				/* FIFO enable only */
	bool thri;			/* transmitter-empty condition pending in IIR */
	u8 lcr;
	u8 mcr;
	u8 scr;
	u8 dll;
	u8 dlm;
};

struct uv_console {
	spinlock_t lock;		/* protects buf contents and head */
	char *buf;
	size_t size;			/* power of two */
	u64 head;			/* bytes ever written */
};

/* The I/O APIC (ioapic.c); lock protects all of it. */
struct uv_ioapic {
	spinlock_t lock;		/* all of it; IRQs off, a leaf */
	u32 id;				/* ID register, bits 27:24 */
	u32 regsel;			/* IOREGSEL */
	u32 pending;			/* edges that came while their pin was masked */
	u64 redir[UV_IOAPIC_PINS];
	u64 raised;			/* uv_partition_raise_gsi() calls */
	u64 delivered;			/* of those, vectors raised in a vCPU */
	u64 dropped;			/* not deliverable as the guest programmed the pin */
	u64 reads;			/* guest loads from the page (IOREGSEL, IOWIN, other) */
	u64 writes;			/* guest stores to it */
	u64 refused;			/* accesses not emulated: the partition faulted */
};

struct uv_partition {
	char name[32];
	struct mutex lock;		/* serializes lifecycle calls */
	spinlock_t state_lock;		/* state, exited, exit_code, exit_how, fault */
	wait_queue_head_t state_wq;	/* lifecycle calls wait for the thread here */
	enum uv_part_state state;
	bool exited;
	u32 exit_code;
	u32 exit_how;			/* UV_PEXITED_* */
	struct uv_fault fault;
	atomic64_t pm_ignored;		/* acpi_pm.c */
	u64 boot_ns;			/* host monotonic ns at kvmclock's 0 (load) */
	u64 boot_tsc;			/* host TSC then: every vCPU's kvmclock reference */

	struct uv_mem *mem;		/* sorted by gpa */
	unsigned int nr_mem;
	u64 mem_end;			/* highest gpa + 1 */
	struct uv_npt npt;

	struct uv_vcpu *vcpus;		/* nr_vcpus of them; vCPU 0 boots, the rest wait for SIPI */
	unsigned int nr_vcpus;
	struct uv_uart uart;		/* any vCPU: a racing guest only confuses itself */
	struct uv_ioapic ioapic;
	struct uv_console console;

	void (*notify)(struct uv_partition *p, enum uv_part_state state, void *priv);
	void *priv;
};

extern const struct uv_vendor_ops *uv_vendor;

/* partition.c: live objects, for uv_monitor_get_counters() */
extern atomic64_t uv_nr_partitions, uv_nr_threads, uv_nr_npt_pages, uv_nr_cpus_enabled;

/* guest_mem.c: the only way to guest memory */
void *uv_gpa_to_kva(struct uv_partition *p, u64 gpa, u64 len);
int uv_guest_read(struct uv_partition *p, u64 gpa, void *dst, size_t len);
int uv_guest_write(struct uv_partition *p, u64 gpa, const void *src, size_t len);
int uv_guest_zero(struct uv_partition *p, u64 gpa, u64 len);
int uv_mem_setup(struct uv_partition *p, const struct uv_guest_extent *ext, unsigned int n);
void uv_mem_teardown(struct uv_partition *p);

/* npt.c */
int uv_npt_build(struct uv_npt *npt, const struct uv_mem *mem, unsigned int n);
void uv_npt_free(struct uv_npt *npt);

/* console.c */
int uv_console_init(struct uv_console *c, size_t size);
void uv_console_free(struct uv_console *c);
void uv_console_write(struct uv_console *c, const char *s, size_t n);
size_t uv_console_read(struct uv_console *c, u64 *pos, char *dst, size_t len);
u64 uv_console_bytes(struct uv_console *c);

/* ioapic.c, mmio.c: the I/O APIC page, the only MMIO the monitor emulates */
void uv_ioapic_init(struct uv_ioapic *io);
void uv_ioapic_reset(struct uv_ioapic *io);
bool uv_ioapic_owns(u64 gpa);
bool uv_ioapic_npf(struct uv_vcpu *v, const struct uv_exit *e);
int uv_mmio_emulate(struct uv_vcpu *v, const struct uv_exit *e, u64 gpa,
		    void (*dev)(struct uv_vcpu *v, u64 gpa, bool write, u32 *val),
		    const char **why);

/* serial.c */
void uv_uart_reset(struct uv_uart *u);
bool uv_uart_io(struct uv_partition *p, u16 port, bool in, u32 *val);

/* multiboot.c */
int uv_multiboot_load(struct uv_partition *p, const void *image, size_t len,
		      const char *cmdline, struct uv_boot_state *boot);

/* exits.c: returns true when the guest is done (stopped or faulted) */
bool uv_handle_exit(struct uv_vcpu *v);

/* sched.c */
void uv_sched_init(void);
void uv_sched_exit(void);
int uv_sched_attach(struct uv_vcpu *v);
void uv_sched_wake(struct uv_vcpu *v);
void uv_sched_release(struct uv_vcpu *v);
bool uv_sched_may_run(struct uv_vcpu *v);
void uv_sched_halt(struct uv_vcpu *v);
u64 uv_sched_enter(struct uv_vcpu *v);
void uv_sched_leave(struct uv_vcpu *v, u64 t_in, u64 t_out);

/* irq.c */
void uv_irq_setup(void);
void uv_irq_teardown(void);
void uv_irq_init(struct uv_vcpu *v);
void uv_irq_reset(struct uv_vcpu *v);
void uv_irq_reset_pending(struct uv_vcpu *v);
void uv_irq_enter(struct uv_vcpu *v);
void uv_irq_leave(struct uv_vcpu *v);
bool uv_irq_pending(struct uv_vcpu *v);
bool uv_irq_deliverable(struct uv_vcpu *v);
void uv_vcpu_wake(struct uv_vcpu *v);

/* partition.c: the executor's side of the run loop */
bool uv_vcpu_exec(struct uv_vcpu *v);
void uv_vcpu_host_fault(struct uv_vcpu *v);
struct uv_vcpu *uv_vcpu_on_cpu(struct uv_partition *p, int cpu);
void uv_vcpu_raise_irq(struct uv_vcpu *v, unsigned int vector);

/* lapic.c: INIT and STARTUP another vCPU sent; the runner, before an entry */
void uv_lapic_take_sipi(struct uv_vcpu *v);

/* hypercall.c */
bool uv_hypercall(struct uv_vcpu *v, const struct uv_exit *e);

/* partition.c: the guest ends itself (@how: UV_PEXITED_*) or faults */
void uv_partition_exited(struct uv_partition *p, u32 code, u32 how);

/*
 * acpi_pm.c: power-off and reset ports. -ENOENT: @port is not one of them;
 * 1: the access ended the partition; 0: handled.
 */
int uv_acpi_pm_io(struct uv_vcpu *v, u16 port, bool in, u32 *val);
void uv_partition_faulted(struct uv_partition *p, const struct uv_fault *f);

#endif /* _UV_MONITOR_INTERNAL_H */
