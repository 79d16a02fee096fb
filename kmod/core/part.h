/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running partitions (part.c): the monitor instance of a database partition,
 * its ioctls, and the rules transactions follow while instances exist.
 */
#ifndef _UV_CORE_PART_H
#define _UV_CORE_PART_H

#include <linux/compiler.h>
#include <linux/types.h>

#include <linux/ultravisor_txn.h>

int uv_part_init(void);
void uv_part_exit(void);

int uv_ioctl_part_load(void __user *uarg);
int uv_ioctl_part_ctl(void __user *uarg);
int uv_ioctl_part_entry(void __user *uarg);
int uv_ioctl_part_status(void __user *uarg);
int uv_ioctl_console_read(void __user *uarg);
int uv_ioctl_cpu_stats(void __user *uarg);
int uv_ioctl_part_sched(void __user *uarg);

/*
 * uv_db.lock held for writing. Refuse (-EBUSY, @msg says which partition) a
 * transaction that takes memory from, or destroys, a partition whose
 * instance is not STOPPED or FAULTED, or leaves it no processor slot on the
 * CPU its vCPU runs on.
 */
/*
 * Raise external interrupt @vector in partition @number's vCPU (a channel's
 * server -> client notification). 0; -ESRCH if it has no instance; -EINVAL for
 * a vector outside 32..255. Process context; takes uv_inst_lock.
 */
int uv_inst_raise_irq(u32 number, unsigned int vector);
/* Same for pin @gsi of its I/O APIC; -EINVAL for a pin that does not exist. */
int uv_inst_raise_gsi(u32 number, unsigned int gsi);

int uv_inst_txn_check(const struct uv_txn_step *steps, u32 nr, char *msg, size_t len);
/*
 * After it committed (lock still held): unload the instances it took from,
 * and hand the new schedules to the executor (taken at each CPU's wrap).
 */
void uv_inst_txn_committed(const struct uv_txn_step *steps, u32 nr);

#endif /* _UV_CORE_PART_H */
