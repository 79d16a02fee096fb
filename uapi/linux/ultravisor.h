/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the /dev/ultravisor ioctl ABI.
 *
 * Rules every structure here follows (docs/uapi.md has the full text):
 *  - fixed-width types only, explicit padding, 8-byte aligned sizes;
 *  - the first field is __u32 size: the caller stores sizeof() of the struct it
 *    was compiled with, the module answers with the size it knows;
 *  - on input, every byte except size must be zero (-EINVAL otherwise): the
 *    reserved fields of today are the input fields of tomorrow;
 *  - a struct only grows at its end, so an old binary keeps working on a new
 *    module and a new binary learns from the size what an old module filled in.
 *
 * The ioctl numbers keep the size of the first published version of their
 * struct for good: growth is signalled by the size field, never by a new number.
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_H
#define _UAPI_LINUX_ULTRAVISOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The character device the module creates (misc device, mode 0600). */
#define UV_DEVICE_NAME		"ultravisor"
#define UV_DEVICE_PATH		"/dev/ultravisor"

/*
 * ABI version. The major number changes when an existing ioctl changes
 * meaning (never so far); the minor number when ioctls or fields are added.
 */
#define UV_ABI_MAJOR		1
#define UV_ABI_MINOR		8
#define UV_ABI_VERSION		((UV_ABI_MAJOR << 16) | UV_ABI_MINOR)

/*
 * ioctl type byte. 0xB9 is not listed in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst (0xB8 is mrvl_cn10k_dpi,
 * 0xAE is KVM); ultravisor uses sequence numbers 0x00-0x3F.
 */
#define UV_IOCTL_MAGIC		0xB9

/* Largest struct size an ioctl accepts; larger sizes are -EINVAL. */
#define UV_STRUCT_SIZE_MAX	4096

/* Hardware virtualization the module drives (uv_version.virt). */
#define UV_VIRT_NONE		0
#define UV_VIRT_SVM		1	/* AMD SVM (AMD-V) with nested paging */
#define UV_VIRT_VMX		2	/* Intel VMX with EPT */

#define UV_MODULE_VERSION_LEN	32

/**
 * struct uv_version - UV_IOC_VERSION: module and ABI version
 * @size:	in: sizeof(struct uv_version) as the caller knows it (at least
 *		UV_VERSION_SIZE_VER0); out: the size the module knows. The module
 *		writes min(in, out) bytes.
 * @abi_major:	out: UV_ABI_MAJOR of the module.
 * @abi_minor:	out: UV_ABI_MINOR of the module.
 * @flags:	out: UV_VERSION_F_* (none defined yet, always 0).
 * @module_version: out: the module's release, NUL-terminated (e.g. "0.1.0").
 * @virt:	out: UV_VIRT_SVM or UV_VIRT_VMX.
 * @nr_cpus:	out: number of CPUs the module probed at load.
 * @reserved:	zero on input; zero on output for now.
 */
struct uv_version {
	__u32 size;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 flags;
	char module_version[UV_MODULE_VERSION_LEN];
	__u32 virt;
	__u32 nr_cpus;
	__u64 reserved[4];
};

#define UV_VERSION_SIZE_VER0	88	/* first published struct uv_version */

/* Numbers are spelled with _IOC() and the VER0 size so they never change. */
#define UV_IOC_VERSION		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x00, \
				     UV_VERSION_SIZE_VER0)	/* struct uv_version */

/* ---- the resource database and the command channel (ABI 1.1) -------------------- */

/*
 * Opening /dev/ultravisor for writing (O_WRONLY or O_RDWR) makes the opener the
 * holder of the command channel: only one open file may hold it (another such
 * open gets -EBUSY). Read-only opens are unlimited. The ioctls marked "holder"
 * below need the holder's file descriptor; on any other one they fail with
 * -EBADF, as write(2) does on a read-only descriptor.
 *
 * Every struct puts its input fields right after size and its output fields
 * after them; outputs and reserved fields must be zero on input.
 */

#define UV_MESSAGE_LEN		256	/* the module's reason, NUL-terminated */

/* A transaction (struct uv_txn_hdr + steps) is at most this big: 1024 steps. */
#define UV_TXN_MAX_BYTES	(40 + 1024 * 128)

/**
 * struct uv_txn_submit - UV_IOC_TXN_SUBMIT (holder): apply one transaction
 * @size:	sizeof(struct uv_txn_submit).
 * @flags:	in: zero.
 * @txn:	in: user address of a struct uv_txn_hdr followed by its steps
 *		(uapi/linux/ultravisor_txn.h); any alignment.
 * @txn_len:	in: bytes at @txn: exactly header + nr_steps steps, at most
 *		UV_TXN_MAX_BYTES.
 * @log_seq:	out: audit-log sequence number of the transaction's COMMIT record
 *		(0 when it did not commit).
 * @begin_seq:	out: sequence number of its BEGIN record (0 if it never began).
 * @steps:	out: steps applied (all of them on success).
 * @resdb_err:	out: the database's error code (enum resdb_err, 0 = none).
 * @err_step:	out: index of the failing step.
 * @err_index:	out: entry or slot index of the failure, or UV_NONE.
 * @err_expected: out: what the step expected there (its before image).
 * @err_found:	out: what the database holds there.
 * @message:	out: the module's reason in words, NUL-terminated ("" on success).
 * @reserved:	zero.
 *
 * All steps are applied, or none (the database rolls a failed transaction
 * back from its before images). On failure the ioctl returns -1 with errno
 * set (docs/uapi.md maps database errors to errnos) and still fills the out
 * fields.
 */
struct uv_txn_submit {
	__u32 size;
	__u32 flags;
	__u64 txn;
	__u64 txn_len;
	__u64 log_seq;
	__u64 begin_seq;
	__u32 steps;
	__u32 resdb_err;
	__u32 err_step;
	__u32 err_index;
	__u32 err_expected;
	__u32 err_found;
	char message[UV_MESSAGE_LEN];
	__u64 reserved[4];
};

#define UV_TXN_SUBMIT_SIZE_VER0	352

/**
 * struct uv_snapshot - UV_IOC_SNAPSHOT: a consistent image of the database
 * @size:	sizeof(struct uv_snapshot).
 * @flags:	in: zero.
 * @buf:	in: user buffer for struct uv_snap_hdr + pages.
 * @buf_len:	in: its size. Too small: -ENOSPC with @len set to what is needed.
 * @len:	out: bytes written (or needed).
 * @next_seq:	out: the first audit-log record not contained in the image; a
 *		replica replays the log from here.
 * @image_hash:	out: resdb_image_hash() of the image.
 * @reserved:	zero.
 */
struct uv_snapshot {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u64 buf_len;
	__u64 len;
	__u64 next_seq;
	__u64 image_hash;
	__u64 reserved[4];
};

#define UV_SNAPSHOT_SIZE_VER0	80

/**
 * struct uv_log_read - UV_IOC_LOG_READ: audit-log records from a sequence number
 * @size:	sizeof(struct uv_log_read).
 * @flags:	in: zero.
 * @from_seq:	in: first record wanted. Older than the ring holds: -ESTALE
 *		(take a snapshot instead); newer than the next record: -EINVAL.
 * @buf:	in: user buffer for whole records (struct uv_log_rec ...).
 * @buf_len:	in: its size; the module copies at most UV_LOG_READ_MAX bytes per
 *		call. Too small for the first record: -ENOSPC.
 * @len:	out: bytes of whole records written.
 * @next_seq:	out: the sequence number to ask for next.
 * @first_seq:	out: the oldest record the ring still holds.
 * @head_seq:	out: the sequence number the next record will get.
 * @reserved:	zero.
 */
struct uv_log_read {
	__u32 size;
	__u32 flags;
	__u64 from_seq;
	__u64 buf;
	__u64 buf_len;
	__u64 len;
	__u64 next_seq;
	__u64 first_seq;
	__u64 head_seq;
	__u64 reserved[4];
};

#define UV_LOG_READ_SIZE_VER0	96
#define UV_LOG_READ_MAX		1048576	/* 1 MiB */

/**
 * struct uv_check - UV_IOC_CHECK: run the database's invariant checker
 * @size:	sizeof(struct uv_check).
 * @flags:	in: zero.
 * @pages:	out: 4 KiB pages the database describes.
 * @partitions: out: partition descriptors (pseudo partitions included).
 * @index_pages: out: index pages of the map.
 * @processors: out: processor descriptors.
 * @channels:	out: channel descriptors.
 * @resdb_err:	out: 0, or the checker's error code (then the ioctl fails with
 *		-EUCLEAN and @message names the first broken rule).
 * @next_seq:	out: the log sequence number the checked image corresponds to.
 * @image_hash:	out: resdb_image_hash() of it.
 * @region_pfn:	out: first page frame of the 4 MiB boot region.
 * @message:	out: NUL-terminated.
 * @reserved:	zero.
 */
struct uv_check {
	__u32 size;
	__u32 flags;
	__u64 pages;
	__u32 partitions;
	__u32 index_pages;
	__u32 processors;
	__u32 channels;
	__u32 resdb_err;
	__u32 pad;
	__u64 next_seq;
	__u64 image_hash;
	__u64 region_pfn;
	char message[UV_MESSAGE_LEN];
	__u64 reserved[4];
};

#define UV_CHECK_SIZE_VER0	352

/* uv_pool.op for UV_IOC_POOL_RESIZE */
#define UV_POOL_GROW		1	/* add @bytes */
#define UV_POOL_SHRINK		2	/* give @bytes back to Linux */
#define UV_POOL_SET		3	/* grow or shrink to @bytes */

#define UV_POOL_CHUNK		(4ull << 20)	/* 4 MiB: one order-10 allocation */

/* uv_pool.flags (ABI 1.6), GROW only */
#define UV_POOL_F_NODE		1	/* take the pages from NUMA node @node where possible */
#define UV_POOL_F_STRICT	2	/* with F_NODE: only from @node, or nothing (-ENOMEM) */

/**
 * struct uv_pool - UV_IOC_POOL_INFO, UV_IOC_POOL_RESIZE (holder)
 * @size:	sizeof(struct uv_pool).
 * @op:		in: RESIZE: UV_POOL_GROW, UV_POOL_SHRINK or UV_POOL_SET; INFO: 0.
 * @bytes:	in: RESIZE: a multiple of UV_POOL_CHUNK; INFO: 0.
 * @pool_bytes:	out: memory the pool holds (taken from Linux).
 * @available_bytes: out: memory the database gives to "available".
 * @free_bytes:	out: pool memory in whole 4 MiB pages owned by "available":
 *		what a shrink can give back now.
 * @host_bytes:	out: memory owned by the "host" pseudo partition (Linux).
 * @log_seq:	out: RESIZE: COMMIT sequence number of its transaction (0: none).
 * @message:	out: NUL-terminated reason when RESIZE fails; after a GROW with
 *		UV_POOL_F_NODE that fell back to other nodes, what it did.
 * @node:	in (ABI 1.6): GROW with UV_POOL_F_NODE: the NUMA node; else 0.
 * @flags:	in (ABI 1.6): UV_POOL_F_*; 0 for INFO, SHRINK and SET.
 * @node_bytes:	out (ABI 1.6): GROW with UV_POOL_F_NODE: bytes taken from @node
 *		(the rest came from wherever Linux had them).
 * @reserved:	zero.
 *
 * A resize is all or nothing: grow allocates every page first, then moves them
 * from host to available in one transaction; shrink moves whole free pages
 * from available to host in one transaction, zeroes them and frees them. A
 * node that is not online is refused (-EINVAL).
 */
struct uv_pool {
	__u32 size;
	__u32 op;
	__u64 bytes;
	__u64 pool_bytes;
	__u64 available_bytes;
	__u64 free_bytes;
	__u64 host_bytes;
	__u64 log_seq;
	char message[UV_MESSAGE_LEN];
	__u32 node;
	__u32 flags;
	__u64 node_bytes;
	__u64 reserved[2];
};

#define UV_POOL_SIZE_VER0	344

/* uv_query.what */
#define UV_QUERY_OWNER		1	/* owner of page @pfn */
#define UV_QUERY_PARTITIONS	2	/* partition descriptors -> struct uv_partition_info */
#define UV_QUERY_EXTENTS	3	/* @partition's runs of pages from @pfn -> uv_extent */

#define UV_QUERY_MAX		1024	/* entries per call */

struct uv_partition_info {
	__u32 number;		/* [G,M,K] of its descriptor page */
	__u32 type;		/* enum uv_partition_type */
	__u32 state;
	__u32 flags;		/* UV_PART_F_* */
	char name[32];
	char role[16];
	__u64 pages;		/* 4 KiB pages it owns */
	__u32 slots;
	__u32 channels;
};

#define UV_PART_F_BUILTIN	1	/* a partition the format creates (pseudo, idle...) */

struct uv_extent {
	__u64 pfn;
	__u64 nr_pages;
	__u32 entry;		/* the map entry (partition number, maybe with S) */
	__u32 pad;
};

/**
 * struct uv_query - UV_IOC_QUERY: read the database
 * @size:	sizeof(struct uv_query).
 * @what:	in: UV_QUERY_*.
 * @pfn:	in: OWNER: the page frame; EXTENTS: start from this frame.
 * @partition:	in: EXTENTS: the partition number.
 * @max:	in: PARTITIONS, EXTENTS: room at @buf, in entries (<= UV_QUERY_MAX).
 * @buf:	in: PARTITIONS, EXTENTS: user array.
 * @count:	out: entries written.
 * @owner:	out: OWNER: the entry owning @pfn (a partition number, maybe with S).
 * @scale:	out: OWNER: scale of that entry (1 = 4 KiB, 2 = 4 MiB, ...).
 * @next_pfn:	out: PARTITIONS, EXTENTS: more remain from here (EXTENTS) /
 *		after this partition number (PARTITIONS); ~0 when complete.
 * @reserved:	zero.
 */
struct uv_query {
	__u32 size;
	__u32 what;
	__u64 pfn;
	__u32 partition;
	__u32 max;
	__u64 buf;
	__u32 count;
	__u32 owner;
	__u32 scale;
	__u32 pad;
	__u64 next_pfn;
	__u64 reserved[4];
};

#define UV_QUERY_SIZE_VER0	88

#define UV_IOC_TXN_SUBMIT	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x01, \
				     UV_TXN_SUBMIT_SIZE_VER0)	/* struct uv_txn_submit */
#define UV_IOC_SNAPSHOT		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x02, \
				     UV_SNAPSHOT_SIZE_VER0)	/* struct uv_snapshot */
#define UV_IOC_LOG_READ		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x03, \
				     UV_LOG_READ_SIZE_VER0)	/* struct uv_log_read */
#define UV_IOC_CHECK		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x04, \
				     UV_CHECK_SIZE_VER0)	/* struct uv_check */
#define UV_IOC_POOL_INFO	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x05, \
				     UV_POOL_SIZE_VER0)		/* struct uv_pool */
#define UV_IOC_POOL_RESIZE	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x06, \
				     UV_POOL_SIZE_VER0)		/* struct uv_pool */
#define UV_IOC_QUERY		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x07, \
				     UV_QUERY_SIZE_VER0)	/* struct uv_query */

/* ---- running partitions: the monitor instance of a partition (ABI 1.2) ----------- */

/*
 * The database side of a partition (descriptor, memory, processor slots) is
 * made by transactions (UV_IOC_TXN_SUBMIT). These ioctls run it: LOAD creates
 * the partition's monitor instance from what the database says (its memory
 * extents, guest-physical 0.. onto them in order; the first CPU whose
 * schedule names it) and loads a Multiboot ELF image; PART_CTL starts,
 * pauses, resumes, stops or unloads it; STATUS and CONSOLE_READ read it and
 * are allowed on read-only descriptors. LOAD and PART_CTL are holder-only
 * (-EBADF otherwise).
 *
 * A transaction that takes memory from, or destroys, a partition whose
 * instance is not STOPPED or FAULTED fails with -EBUSY (no instance:
 * allowed); so does one that takes its last processor slots on the CPU its
 * vCPU runs on (ABI 1.3: other slots may move while it runs). When it
 * commits, the instance of every partition it took memory from or destroyed
 * is unloaded. Memory leaving a partition is zeroed before the transaction
 * goes on (docs/monitor.md).
 */

/* Monitor instance states (uv_part_status.state, partition-state events). */
#define UV_PSTATE_NONE		0	/* no monitor instance */
#define UV_PSTATE_CREATED	1	/* instance built, no image */
#define UV_PSTATE_LOADED	2	/* image loaded, vCPU at its entry */
#define UV_PSTATE_RUNNING	3
#define UV_PSTATE_PAUSED	4
#define UV_PSTATE_STOPPED	5	/* by the guest (exit port, hypercall) or PART_CTL */
#define UV_PSTATE_FAULTED	6	/* uv_part_status.fault_* say why */

/* Fault reasons (uv_part_status.fault_reason) */
#define UV_PFAULT_NONE		0
#define UV_PFAULT_NPF		1	/* access outside the partition's memory */
#define UV_PFAULT_SHUTDOWN	2	/* triple fault */
#define UV_PFAULT_BAD_STATE	3	/* the CPU refused the guest state */
#define UV_PFAULT_UNSUPPORTED	4	/* an instruction the monitor does not emulate */
#define UV_PFAULT_UNHANDLED	5	/* an exit the monitor does not know */
#define UV_PFAULT_HOST		6	/* the host CPU became unusable */

/* How the guest stopped itself (uv_part_status.exit_how) */
#define UV_PEXITED_NONE		0	/* not by itself */
#define UV_PEXITED_PORT		1	/* the exit port (UV_PORT_EXIT) */
#define UV_PEXITED_HYPERCALL	2	/* UV_HC_STOP */
#define UV_PEXITED_POWEROFF	3	/* ACPI S5 through the sleep control register */
#define UV_PEXITED_RESET	4	/* a reset: ACPI RESET_REG, i8042 0xfe or 0xcf9 */

/* Access bits (uv_part_status.fault_access) */
#define UV_PACCESS_READ		0x1
#define UV_PACCESS_WRITE	0x2
#define UV_PACCESS_EXEC		0x4

#define UV_IMAGE_MAX		(16u << 20)	/* largest image LOAD accepts */
#define UV_CMDLINE_MAX		1023	/* longest command line, without its NUL */

/**
 * struct uv_part_load - UV_IOC_PART_LOAD (holder): build the instance, load an image
 * @size:	sizeof(struct uv_part_load).
 * @partition:	in: the partition number ([G,M,K] of its descriptor page).
 * @image:	in: user address of a Multiboot v1 ELF32/ELF64 image.
 * @image_len:	in: its length, 1..UV_IMAGE_MAX.
 * @cmdline:	in: user address of the command line (need not be NUL-terminated),
 *		or 0.
 * @cmdline_len: in: its length, 0..UV_CMDLINE_MAX; the line ends at the first
 *		NUL within it.
 * @flags:	in: zero, or UV_PART_LOAD_F_NOIMAGE (ABI 1.4): build the instance
 *		without an image (@image, @image_len, @cmdline, @cmdline_len zero);
 *		its memory is zeroed and it stays CREATED until UV_IOC_PART_ENTRY
 *		gives it an entry state. An image is then written by the server of
 *		its Boot channel (docs/channels.md), not by the module.
 * @cpu:	out: physical CPU chosen from the processor schedule.
 * @state:	out: UV_PSTATE_LOADED on success (CREATED with NOIMAGE).
 * @extents:	out: extents (runs of host memory) the instance maps.
 * @mem_bytes:	out: guest memory, bytes (guest-physical 0..mem_bytes).
 * @message:	out: the reason when it fails.
 * @reserved:	zero.
 *
 * An existing instance that is CREATED, LOADED, STOPPED or FAULTED is
 * replaced (rebuilt from the database as it is now); RUNNING or PAUSED is
 * -EBUSY. -ENOENT: no such partition (or a built-in one); -EINVAL: no
 * memory, no processor slot, memory the module does not own; -ENOEXEC,
 * -EOPNOTSUPP, -EFAULT, -E2BIG: the image (message says why).
 */
struct uv_part_load {
	__u32 size;
	__u32 partition;
	__u64 image;
	__u64 image_len;
	__u64 cmdline;
	__u32 cmdline_len;
	__u32 flags;
	__u32 cpu;
	__u32 state;
	__u32 extents;
	__u32 pad;
	__u64 mem_bytes;
	char message[UV_MESSAGE_LEN];
	__u64 reserved[4];
};

#define UV_PART_LOAD_SIZE_VER0	352

/* uv_part_load.flags */
#define UV_PART_LOAD_F_NOIMAGE	0x1	/* ABI 1.4: no image: CREATED, memory zeroed */

/* uv_part_ctl.op */
#define UV_PART_START		1	/* LOADED -> RUNNING */
#define UV_PART_PAUSE		2	/* RUNNING -> PAUSED (returns once the guest is out) */
#define UV_PART_RESUME		3	/* PAUSED -> RUNNING */
#define UV_PART_STOP		4	/* RUNNING/PAUSED -> STOPPED; reaps a guest-stopped vCPU */
#define UV_PART_UNLOAD		5	/* not RUNNING/PAUSED: remove the instance (-> NONE) */

/**
 * struct uv_part_ctl - UV_IOC_PART_CTL (holder): change a partition's run state
 * @size:	sizeof(struct uv_part_ctl).
 * @partition:	in: the partition number.
 * @op:		in: UV_PART_*.
 * @flags:	in: zero.
 * @state:	out: the state after the call (also on failure).
 * @pad:	zero.
 * @message:	out: the reason when it fails.
 * @reserved:	zero.
 *
 * Errors: -ENOENT no instance (LOAD first); -EINVAL the state does not allow
 * @op (message names the state); -ETIMEDOUT pause did not take effect in 1 s.
 * PAUSE on a PAUSED partition and STOP on one that stopped by itself succeed.
 */
struct uv_part_ctl {
	__u32 size;
	__u32 partition;
	__u32 op;
	__u32 flags;
	__u32 state;
	__u32 pad;
	char message[UV_MESSAGE_LEN];
	__u64 reserved[4];
};

#define UV_PART_CTL_SIZE_VER0	312

/* uv_part_status.exits[] */
#define UV_PEXIT_HOST		0	/* host interrupt/NMI */
#define UV_PEXIT_CPUID		1
#define UV_PEXIT_MSR		2
#define UV_PEXIT_IO		3
#define UV_PEXIT_HLT		4
#define UV_PEXIT_HYPERCALL	5
#define UV_PEXIT_OTHER		6
#define UV_PEXIT_IRQ_WINDOW	7	/* the guest became able to take a pending interrupt */
#define UV_PEXIT_NR		8	/* room in the array; unused ones are 0 */

/**
 * struct uv_part_status - UV_IOC_PART_STATUS: a partition's run state
 * @size:	sizeof(struct uv_part_status).
 * @partition:	in: the partition number.
 * @state:	out: UV_PSTATE_* (NONE when there is no instance; the rest is 0).
 * @cpu:	out: physical CPU of its vCPU 0.
 * @exited:	out: 1 when the guest stopped itself; @exit_code is its value.
 * @exit_code:	out.
 * @fault_reason: out: UV_PFAULT_* when FAULTED.
 * @fault_access: out: UV_PACCESS_* (UV_PFAULT_NPF).
 * @fault_gpa:	out: guest-physical address touched (UV_PFAULT_NPF).
 * @fault_rip:	out: guest RIP at the fault.
 * @fault_exit_code: out: the vendor's raw exit code.
 * @exits:	out: exits by kind since start (UV_PEXIT_*).
 * @console_bytes: out: bytes the guest wrote to its console in total.
 * @mem_bytes:	out: guest memory in bytes.
 * @extents:	out: extents the instance maps.
 * @npt_levels:	out: nested page table levels (4 or 5).
 * @npt_pages:	out: pages the nested page tables take.
 * @exit_how:	out (ABI 1.6): UV_PEXITED_*: how the guest stopped itself.
 * @irq_raised:	out: interrupts raised for the guest since LOAD (channel
 *		notifications of queues with a vector).
 * @irq_injected: out: interrupts delivered into the guest since LOAD (a vector
 *		raised again before its delivery is delivered once).
 * @pm_ignored:	out (ABI 1.6): writes to the power-management ports (ACPI sleep and
 *		reset registers, i8042 command, 0xcf9) that asked for nothing
 *		the platform does, ignored, since LOAD.
 * @nr_vcpus:	out (ABI 1.7): its virtual processors (one per CPU whose slots
 *		name it; 0 from a module before 1.7).
 * @vcpus_started: out (ABI 1.7): of those, running guest code (vCPU 0, and
 *		each AP the guest started with INIT and STARTUP).
 *
 * ABI 1.8: the guest's interrupt controllers since LOAD, summed over its vCPUs
 * (docs/guest-platform.md sections 11 and 12); a module before 1.8 answers
 * with UV_PART_STATUS_SIZE_VER0 and leaves them 0.
 * @ipi_fixed:	out: fixed-vector IPIs delivered to a vCPU (self-IPIs included).
 * @ipi_init:	out: INITs a vCPU took (back to wait-for-STARTUP).
 * @ipi_startup: out: STARTUPs that started a waiting vCPU.
 * @ipi_ignored: out: ICR writes, or the part of one for a target, that
 *		delivered nothing: no such APIC ID, an illegal vector, NMI/SMI/
 *		ExtINT/lowest-priority/reserved modes, INIT or STARTUP to itself,
 *		a fixed IPI to a vCPU waiting for STARTUP, a STARTUP to a vCPU not
 *		waiting for one (Linux's second STARTUP counts here).
 * @ioapic_reads: out: guest loads from the I/O APIC page.
 * @ioapic_writes: out: guest stores to it (IOREGSEL and IOWIN each count).
 * @ioapic_raised: out: edges the module raised on a pin (channel interrupts).
 * @ioapic_delivered: out: of those, delivered as a vector to a vCPU (at
 *		once, or when the guest unmasked the pin).
 * @ioapic_dropped: out: of those, not deliverable as the guest programmed
 *		the pin (logical destination, NMI/SMI/INIT/ExtINT, vector < 32,
 *		no such APIC ID). Edges still waiting on a masked pin are in neither.
 * @ioapic_refused: out: accesses the monitor refused to emulate (a fetch, an
 *		unaligned or undecodable access): each faults the partition.
 */
struct uv_part_status {
	__u32 size;
	__u32 partition;
	__u32 state;
	__u32 cpu;
	__u32 exited;
	__u32 exit_code;
	__u32 fault_reason;
	__u32 fault_access;
	__u64 fault_gpa;
	__u64 fault_rip;
	__u64 fault_exit_code;
	__u64 exits[UV_PEXIT_NR];
	__u64 console_bytes;
	__u64 mem_bytes;
	__u32 extents;
	__u32 npt_levels;
	__u32 npt_pages;
	__u32 exit_how;
	__u64 irq_raised;
	__u64 irq_injected;
	__u64 pm_ignored;
	__u32 nr_vcpus;
	__u32 vcpus_started;
	__u64 ipi_fixed;
	__u64 ipi_init;
	__u64 ipi_startup;
	__u64 ipi_ignored;
	__u64 ioapic_reads;
	__u64 ioapic_writes;
	__u64 ioapic_raised;
	__u64 ioapic_delivered;
	__u64 ioapic_dropped;
	__u64 ioapic_refused;
};

#define UV_PART_STATUS_SIZE_VER0	184
#define UV_PART_STATUS_SIZE_VER1	264	/* ABI 1.8: interrupt-controller counters */

#define UV_CONSOLE_READ_MAX	65536	/* bytes per call */

/**
 * struct uv_console_read - UV_IOC_CONSOLE_READ: a partition's console output
 * @size:	sizeof(struct uv_console_read).
 * @partition:	in: the partition number.
 * @pos:	in: stream position to read from (0 = the first byte the guest
 *		wrote). Each reader keeps its own: pass back @next_pos.
 * @buf:	in: user buffer.
 * @buf_len:	in: its size; at most UV_CONSOLE_READ_MAX bytes are copied.
 * @len:	out: bytes copied (0: nothing new).
 * @next_pos:	out: the position after them.
 * @lost:	out: bytes between @pos and the oldest byte the ring still held
 *		(skipped).
 * @total:	out: bytes the guest wrote in total (= the newest position).
 * @state:	out: UV_PSTATE_* (a follower stops at NONE).
 * @pad:	zero.
 * @reserved:	zero.
 *
 * -ENOENT when the partition has no instance. The console of an instance
 * survives STOPPED/FAULTED and ends with UNLOAD, a reload or destruction.
 */
struct uv_console_read {
	__u32 size;
	__u32 partition;
	__u64 pos;
	__u64 buf;
	__u64 buf_len;
	__u64 len;
	__u64 next_pos;
	__u64 lost;
	__u64 total;
	__u32 state;
	__u32 pad;
	__u64 reserved[4];
};

#define UV_CONSOLE_READ_SIZE_VER0	104

#define UV_IOC_PART_LOAD	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x08, \
				     UV_PART_LOAD_SIZE_VER0)	/* struct uv_part_load */
#define UV_IOC_PART_CTL		_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x09, \
				     UV_PART_CTL_SIZE_VER0)	/* struct uv_part_ctl */
#define UV_IOC_PART_STATUS	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x0A, \
				     UV_PART_STATUS_SIZE_VER0)	/* struct uv_part_status */
#define UV_IOC_CONSOLE_READ	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x0B, \
				     UV_CONSOLE_READ_SIZE_VER0)	/* struct uv_console_read */

/* ---- entry state of an instance built without an image (ABI 1.4) --------------- */

/* uv_part_entry.mode */
/*
 * UV_ENTRY_FLAT32: 32-bit protected mode, flat 4 GiB CS/DS/ES/FS/GS/SS, paging
 * off, IF=0: what Multiboot, the Linux 32-bit boot protocol and PVH start in.
 */
#define UV_ENTRY_FLAT32		1

/**
 * struct uv_part_entry - UV_IOC_PART_ENTRY (holder): where a loaded image starts
 * @size:	sizeof(struct uv_part_entry).
 * @partition:	in: the partition number.
 * @flags:	in: zero.
 * @mode:	in: UV_ENTRY_FLAT32.
 * @eip:	in: guest-physical entry point: inside the partition's memory.
 * @eax:	in: EAX at entry (Multiboot: 0x2BADB002).
 * @ebx:	in: EBX at entry (Multiboot: its information structure).
 * @esi:	in: ESI at entry (Linux: boot_params).
 * @message:	out: the reason when it fails.
 * @reserved:	zero.
 *
 * The image itself was written into the partition's memory by the server of
 * its Boot channel (the command daemon). The instance must be CREATED (LOAD
 * with UV_PART_LOAD_F_NOIMAGE) or LOADED; it becomes LOADED and START may
 * run it. Every other register is zero. Errors: -ENOENT no such partition or
 * no instance; -EINVAL a nonzero reserved byte or flag, an unknown mode, an
 * entry point outside its memory; -EBUSY the instance is RUNNING or PAUSED;
 * -EINVAL (message names the state) STOPPED or FAULTED: build it again.
 */
struct uv_part_entry {
	__u32 size;
	__u32 partition;
	__u32 flags;
	__u32 mode;
	__u32 eip;
	__u32 eax;
	__u32 ebx;
	__u32 esi;
	char message[UV_MESSAGE_LEN];
	__u64 reserved[4];
};

#define UV_PART_ENTRY_SIZE_VER0	320

#define UV_IOC_PART_ENTRY	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x0E, \
				     UV_PART_ENTRY_SIZE_VER0)	/* struct uv_part_entry */

/* ---- the processor schedule: executor state and accounting (ABI 1.3) ------------- */

/*
 * The schedule itself is in the database (processor descriptors, Change
 * Schedule). These read what the module's executor does with it
 * (docs/schedule.md). Both are allowed on read-only descriptors.
 */

/**
 * struct uv_cpu_stats - UV_IOC_CPU_STATS: one physical CPU's executor
 * @size:	in: sizeof; out: the module's size
 * @cpu:	in: the physical CPU
 * @flags:	in: UV_CPU_STATS_F_EVENT or zero
 * @active:	out: 1 if the CPU executes a schedule (its timer runs)
 * @pending:	out: 1 if a new schedule waits for the wrap
 * @cur_slot:	out: the current slot (0-15)
 * @slot_ns:	out: slot length
 * @cycles:	out: 16-slot cycles completed since the module loaded
 * @swaps:	out: schedules taken
 * @last_swap_cycle: out: @cycles when the last was taken (always at a wrap)
 * @idle_slots:	out: slots that named no running partition (Linux had the CPU)
 * @timer_fires: out: boundary timer interrupts (one per change of owner, and
 *		one per cycle)
 * @overrun_max_ns: out: the longest a guest stayed in past a boundary
 * @switches:	out: runs entered right after another partition's run, the
 *		executor keeping the CPU from the boundary to the entry
 * @switch_ns:	out: their total time from the boundary to the guest entry
 *		(timer interrupt, exit of the old guest, entry of the new one)
 * @resumes:	out: same for runs entered again by the partition whose run
 *		just ended (the wrap of a dedicated CPU); 0 from older modules
 * @resume_ns:	out: their total time from the boundary to the entry: what
 *		the boundary costs without a switch, the baseline of @switch_ns
 * @waited:	out: boundaries after which Linux ran another task before the
 *		entry (counted in none of the above)
 * @slot:	out: partition number per slot now (UV_NONE: idle)
 * @next_slot:	out: from the next wrap on (same as @slot unless @pending)
 */
struct uv_cpu_stats {
	__u32 size;
	__u32 cpu;
	__u32 flags;
	__u32 active;
	__u32 pending;
	__u32 cur_slot;
	__u64 slot_ns;
	__u64 cycles;
	__u64 swaps;
	__u64 last_swap_cycle;
	__u64 idle_slots;
	__u64 timer_fires;
	__u64 overrun_max_ns;
	__u64 switches;
	__u64 switch_ns;
	__u32 slot[16];
	__u32 next_slot[16];
	__u64 resumes;
	__u64 resume_ns;
	__u64 waited;
	__u64 reserved[1];
};

#define UV_CPU_STATS_SIZE_VER0	256

/* uv_cpu_stats.flags: also raise UV_EVENT_SCHED_STATS for the CPU and its partitions */
#define UV_CPU_STATS_F_EVENT	0x1

/**
 * struct uv_part_sched - UV_IOC_PART_SCHED: one partition's accounting
 * @size:	in: sizeof; out: the module's size
 * @partition:	in: partition number (it must have an instance: -ENOENT)
 * @cpu:	out: its vCPU's physical CPU
 * @state:	out: UV_PSTATE_*
 * @run_ns:	out: time in the guest since LOAD
 * @granted:	out: slots its CPU's executor gave it
 * @slots_run:	out: of those, slots in which it entered the guest
 * @slots_missed: out: slots it did not use (not started, paused)
 * @exits:	out: exits by reason (as uv_part_status.exits)
 * @swap_cycle:	out: its CPU's @cycles at the last two schedule swaps, +1 (0: none)
 * @swap_granted: out: @granted at those swaps
 * @cycles:	out: its CPU's cycles, read with the above
 */
struct uv_part_sched {
	__u32 size;
	__u32 partition;
	__u32 cpu;
	__u32 state;
	__u64 run_ns;
	__u64 granted;
	__u64 slots_run;
	__u64 slots_missed;
	__u64 exits[UV_PEXIT_NR];
	__u64 swap_cycle[2];
	__u64 swap_granted[2];
	__u64 cycles;
	__u64 reserved[4];
};

#define UV_PART_SCHED_SIZE_VER0	(48 + 8 * UV_PEXIT_NR + 72)

#define UV_IOC_CPU_STATS	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x0C, \
				     UV_CPU_STATS_SIZE_VER0)	/* struct uv_cpu_stats */
#define UV_IOC_PART_SCHED	_IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x0D, \
				     UV_PART_SCHED_SIZE_VER0)	/* struct uv_part_sched */

#endif /* _UAPI_LINUX_ULTRAVISOR_H */
