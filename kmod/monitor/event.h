/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An exception the monitor injects while another event is being delivered
 * (the one an exit interrupted, SVM EXITINTINFO): what the guest gets, by the
 * double-fault rules of AMD APM vol. 2, 8.2.9 (Intel SDM vol. 3, table 6-5).
 * Vendor-neutral and free of kernel APIs, so the unit tests check it too
 * (tests/unit/test_event_merge.c).
 */
#ifndef _UV_MONITOR_EVENT_H
#define _UV_MONITOR_EVENT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#endif

/* Event types, as in EVENTINJ/EXITINTINFO bits 10:8 (and VMX's) */
#define UV_EVENT_INTR		0
#define UV_EVENT_NMI		2
#define UV_EVENT_EXCEPTION	3
#define UV_EVENT_SOFT_INT	4

#define UV_VEC_DF		8
#define UV_VEC_PF		14

/*
 * NEW: deliver the new exception; nothing was pending, or the pending
 * exception is dropped (its instruction runs again after the handler and
 * faults again). NEW_HOLD: the new exception now, the pending interrupt or
 * NMI (already accepted) once the guest can take it. DOUBLE: #DF(0) replaces
 * both. SHUTDOWN: a fault while delivering #DF, a triple fault.
 */
enum uv_event_merge {
	UV_MERGE_NEW,
	UV_MERGE_NEW_HOLD,
	UV_MERGE_DOUBLE,
	UV_MERGE_SHUTDOWN,
};

/* #DE, #TS, #NP, #SS, #GP */
static inline bool uv_vec_contributory(unsigned int vec)
{
	return vec == 0 || (vec >= 10 && vec <= 13);
}

/*
 * @pending: an event is being delivered, of @type and @vec; @new_vec: the
 * exception that occurred during its delivery.
 */
static inline enum uv_event_merge uv_event_merge(bool pending, unsigned int type,
						 unsigned int vec, unsigned int new_vec)
{
	if (!pending)
		return UV_MERGE_NEW;
	if (type == UV_EVENT_SOFT_INT)
		return UV_MERGE_NEW;	/* INTn: executed again after the handler */
	if (type != UV_EVENT_EXCEPTION)
		return UV_MERGE_NEW_HOLD;
	if (vec == UV_VEC_DF)
		return UV_MERGE_SHUTDOWN;
	if (uv_vec_contributory(vec) && uv_vec_contributory(new_vec))
		return UV_MERGE_DOUBLE;
	if (vec == UV_VEC_PF && (new_vec == UV_VEC_PF || uv_vec_contributory(new_vec)))
		return UV_MERGE_DOUBLE;
	return UV_MERGE_NEW;
}

#endif /* _UV_MONITOR_EVENT_H */
