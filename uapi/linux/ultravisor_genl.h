/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ultravisor: the generic netlink family "ultravisor" (docs/uapi.md, Events).
 *
 * The module multicasts one message per event on the group "events": committed
 * transactions, partition state changes, errors. Listeners need no privilege to
 * join (the events carry no secrets). UV_GENL_CMD_GET_STATUS is the one request
 * the family answers; its attributes are validated strictly against a policy.
 *
 * Attribute numbers and meanings never change; new ones are added at the end.
 */
#ifndef _UAPI_LINUX_ULTRAVISOR_GENL_H
#define _UAPI_LINUX_ULTRAVISOR_GENL_H

#define UV_GENL_NAME		"ultravisor"
#define UV_GENL_VERSION		1
#define UV_GENL_MCGRP_EVENTS	"events"

enum uv_genl_cmd {
	UV_GENL_CMD_UNSPEC,
	UV_GENL_CMD_EVENT,		/* kernel -> user, multicast: one event */
	UV_GENL_CMD_GET_STATUS,		/* user -> kernel: request; reply: status */
	__UV_GENL_CMD_MAX,
};

#define UV_GENL_CMD_MAX		(__UV_GENL_CMD_MAX - 1)

enum uv_genl_attr {
	UV_GENL_A_UNSPEC,
	UV_GENL_A_PAD,			/* alignment of u64 attributes */
	UV_GENL_A_EVENT,		/* u32: enum uv_event_type */
	UV_GENL_A_SEQ,			/* u64: event sequence number, from 1 */
	UV_GENL_A_LOG_SEQ,		/* u64: audit-log sequence number (transactions) */
	UV_GENL_A_STEPS,		/* u32: steps in the committed transaction */
	UV_GENL_A_PARTITION,		/* u32: partition number */
	UV_GENL_A_STATE_OLD,		/* u32: partition state before */
	UV_GENL_A_STATE_NEW,		/* u32: partition state after */
	UV_GENL_A_ERRNO,		/* u32: positive errno of an error event */
	UV_GENL_A_MESSAGE,		/* string: human-readable reason */
	UV_GENL_A_VERSION,		/* string: module release (status reply) */
	UV_GENL_A_ABI,			/* u32: UV_ABI_VERSION (status reply) */
	UV_GENL_A_EVENTS_SENT,		/* u64: events multicast since load (status) */
	UV_GENL_A_EVENTS_DROPPED,	/* u64: events lost to allocation failure */
	__UV_GENL_A_MAX,
};

#define UV_GENL_A_MAX		(__UV_GENL_A_MAX - 1)

/* Longest UV_GENL_A_MESSAGE, including its NUL. */
#define UV_GENL_MESSAGE_MAX	256

enum uv_event_type {
	UV_EVENT_NONE,
	UV_EVENT_TXN_COMMIT,		/* LOG_SEQ, STEPS */
	UV_EVENT_PARTITION_STATE,	/* PARTITION, STATE_OLD, STATE_NEW, MESSAGE? */
	UV_EVENT_ERROR,			/* ERRNO, MESSAGE, PARTITION? */
	UV_EVENT_SCHED_STATS,		/* PARTITION (UV_NONE: a CPU), MESSAGE: key=value */
	__UV_EVENT_MAX,
};

#define UV_EVENT_MAX		(__UV_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_ULTRAVISOR_GENL_H */
