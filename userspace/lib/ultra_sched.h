/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libultra: the processor schedule's executor state and accounting over
 * /dev/ultravisor (ABI 1.3, docs/schedule.md). Both work on any descriptor.
 * Return 0 or a negative errno; @e gets the errno and a reason.
 */
#ifndef ULTRA_SCHED_H
#define ULTRA_SCHED_H

#include <stdint.h>

#include <linux/ultravisor.h>

#include "ultra.h"

/*
 * What physical CPU @cpu executes and its counters (UV_IOC_CPU_STATS);
 * @flags UV_CPU_STATS_F_EVENT also raises them as events.
 */
int ultra_cpu_stats(int fd, uint32_t cpu, uint32_t flags, struct uv_cpu_stats *out,
		    struct ultra_err *e);
/* A loaded partition's share: time run, slots, exits (UV_IOC_PART_SCHED). */
int ultra_part_sched(int fd, uint32_t partition, struct uv_part_sched *out,
		     struct ultra_err *e);

#endif /* ULTRA_SCHED_H */
