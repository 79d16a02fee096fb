/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events from the module: the generic netlink family "ultravisor"
 * (uapi/linux/ultravisor_genl.h), through libnl-genl-3.
 *
 * Functions return 0 or a negative errno and fill the struct ultra_err they are
 * given. A missing family means the module is not loaded (-ENOENT).
 */
#ifndef ULTRA_EVENTS_H
#define ULTRA_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ultravisor_genl.h>

#include "ultra.h"

/* Which optional attributes an event carried (struct ultra_event.has). */
#define ULTRA_EV_HAS_LOG_SEQ	(1u << 0)
#define ULTRA_EV_HAS_STEPS	(1u << 1)
#define ULTRA_EV_HAS_PARTITION	(1u << 2)
#define ULTRA_EV_HAS_STATES	(1u << 3)
#define ULTRA_EV_HAS_ERRNO	(1u << 4)
#define ULTRA_EV_HAS_MESSAGE	(1u << 5)

struct ultra_event {
	uint32_t type;			/* enum uv_event_type */
	uint64_t seq;
	uint64_t log_seq;
	uint32_t steps;
	uint32_t partition;
	uint32_t state_old;
	uint32_t state_new;
	uint32_t err;			/* positive errno */
	unsigned int has;		/* ULTRA_EV_HAS_* */
	char message[UV_GENL_MESSAGE_MAX];
};

struct ultra_status {
	char version[64];
	uint32_t abi;
	uint64_t event_seq;
	uint64_t events_sent;
	uint64_t events_dropped;
};

struct ultra_events;

/* Join the "events" group. */
int ultra_events_open(struct ultra_events **evp, struct ultra_err *e);
void ultra_events_close(struct ultra_events *ev);

/*
 * Wait up to @timeout_ms (-1: forever) for the next event. -ETIMEDOUT when none
 * came; -EINTR when a signal interrupted the wait. Malformed messages are skipped
 * and counted (ultra_events_malformed()).
 */
int ultra_events_next(struct ultra_events *ev, struct ultra_event *out, int timeout_ms,
		      struct ultra_err *e);
unsigned long ultra_events_malformed(const struct ultra_events *ev);

/* UV_GENL_CMD_GET_STATUS. */
int ultra_get_status(struct ultra_status *st, struct ultra_err *e);

/* "txn-commit", "partition-state", "error", or "unknown". */
const char *ultra_event_type_name(uint32_t type);

/* One line of text (no newline) into @buf; returns @buf. */
const char *ultra_event_format(const struct ultra_event *ev, char *buf, size_t len);

#endif /* ULTRA_EVENTS_H */
