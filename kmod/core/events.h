/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events: the generic netlink family "ultravisor" (uapi/linux/ultravisor_genl.h).
 * Callers are in process context (they may sleep); an event that cannot be
 * allocated is counted as dropped, never blocks or fails the caller.
 */
#ifndef _UV_CORE_EVENTS_H
#define _UV_CORE_EVENTS_H

#include <linux/compiler.h>
#include <linux/types.h>

int uv_events_init(void);
void uv_events_exit(void);

void uv_event_txn_commit(u64 log_seq, u32 steps);
void uv_event_partition_state(u32 partition, u32 old_state, u32 new_state,
			      const char *reason);
__printf(3, 4)
void uv_event_error(u32 partition, int err, const char *fmt, ...);
/* Schedule accounting (docs/schedule.md): @text is "key=value ..." */
void uv_event_sched_stats(u32 partition, const char *text);

#endif /* _UV_CORE_EVENTS_H */
