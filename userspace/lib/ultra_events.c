// SPDX-License-Identifier: GPL-2.0
/*
 * Events and status over generic netlink, with libnl-genl-3 (not hand-rolled
 * netlink: libnl resolves the family and group, parses and validates
 * attributes against a policy).
 *
 * One recvmsg can carry several events, so parsed events go through a small
 * queue inside struct ultra_events; when it is full the oldest are kept and the
 * newest counted as overflow (the module's sequence numbers show the gap).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ultra_events.h"
#include "ultra_part.h"

#define ULTRA_EV_QUEUE	64

struct ultra_events {
	struct nl_sock *sk;
	int family;
	struct ultra_event queue[ULTRA_EV_QUEUE];
	unsigned int head, count;
	unsigned long malformed;
	unsigned long overflow;
};

static struct nla_policy ev_policy[UV_GENL_A_MAX + 1] = {
	[UV_GENL_A_EVENT]		= { .type = NLA_U32 },
	[UV_GENL_A_SEQ]			= { .type = NLA_U64 },
	[UV_GENL_A_LOG_SEQ]		= { .type = NLA_U64 },
	[UV_GENL_A_STEPS]		= { .type = NLA_U32 },
	[UV_GENL_A_PARTITION]		= { .type = NLA_U32 },
	[UV_GENL_A_STATE_OLD]		= { .type = NLA_U32 },
	[UV_GENL_A_STATE_NEW]		= { .type = NLA_U32 },
	[UV_GENL_A_ERRNO]		= { .type = NLA_U32 },
	[UV_GENL_A_MESSAGE]		= { .type = NLA_STRING, .maxlen = UV_GENL_MESSAGE_MAX },
	[UV_GENL_A_VERSION]		= { .type = NLA_STRING, .maxlen = UV_GENL_MESSAGE_MAX },
	[UV_GENL_A_ABI]			= { .type = NLA_U32 },
	[UV_GENL_A_EVENTS_SENT]		= { .type = NLA_U64 },
	[UV_GENL_A_EVENTS_DROPPED]	= { .type = NLA_U64 },
};

/* libnl's negative NLE_* codes, as errno values for struct ultra_err. */
static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:		return ENOMEM;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_PERM:		return EPERM;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_INTR:		return EINTR;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	default:		return EIO;
	}
}

/* A connected generic netlink socket and the family id, or -errno. */
static int genl_open(struct nl_sock **skp, int *family, struct ultra_err *e)
{
	struct nl_sock *sk;
	int ret;

	sk = nl_socket_alloc();
	if (!sk)
		return ultra_err_set(e, ENOMEM, "cannot allocate a netlink socket");
	ret = genl_connect(sk);
	if (ret < 0) {
		nl_socket_free(sk);
		return ultra_err_set(e, nl_errno(ret), "cannot connect to generic netlink: %s",
				     nl_geterror(ret));
	}
	ret = genl_ctrl_resolve(sk, UV_GENL_NAME);
	if (ret < 0) {
		nl_socket_free(sk);
		return ultra_err_set(e, nl_errno(ret),
				     "ultravisor module not loaded (generic netlink family '%s': %s)",
				     UV_GENL_NAME, nl_geterror(ret));
	}
	*family = ret;
	*skp = sk;
	return 0;
}

const char *ultra_event_type_name(uint32_t type)
{
	switch (type) {
	case UV_EVENT_TXN_COMMIT:	return "txn-commit";
	case UV_EVENT_PARTITION_STATE:	return "partition-state";
	case UV_EVENT_ERROR:		return "error";
	case UV_EVENT_SCHED_STATS:	return "sched-stats";
	default:			return "unknown";
	}
}

/* Fill @out from a parsed event; false when a required attribute is missing. */
static bool event_from_attrs(struct nlattr **tb, struct ultra_event *out)
{
	memset(out, 0, sizeof(*out));
	if (!tb[UV_GENL_A_EVENT] || !tb[UV_GENL_A_SEQ])
		return false;
	out->type = nla_get_u32(tb[UV_GENL_A_EVENT]);
	out->seq = nla_get_u64(tb[UV_GENL_A_SEQ]);
	if (tb[UV_GENL_A_LOG_SEQ]) {
		out->log_seq = nla_get_u64(tb[UV_GENL_A_LOG_SEQ]);
		out->has |= ULTRA_EV_HAS_LOG_SEQ;
	}
	if (tb[UV_GENL_A_STEPS]) {
		out->steps = nla_get_u32(tb[UV_GENL_A_STEPS]);
		out->has |= ULTRA_EV_HAS_STEPS;
	}
	if (tb[UV_GENL_A_PARTITION]) {
		out->partition = nla_get_u32(tb[UV_GENL_A_PARTITION]);
		out->has |= ULTRA_EV_HAS_PARTITION;
	}
	if (tb[UV_GENL_A_STATE_OLD] && tb[UV_GENL_A_STATE_NEW]) {
		out->state_old = nla_get_u32(tb[UV_GENL_A_STATE_OLD]);
		out->state_new = nla_get_u32(tb[UV_GENL_A_STATE_NEW]);
		out->has |= ULTRA_EV_HAS_STATES;
	}
	if (tb[UV_GENL_A_ERRNO]) {
		out->err = nla_get_u32(tb[UV_GENL_A_ERRNO]);
		out->has |= ULTRA_EV_HAS_ERRNO;
	}
	if (tb[UV_GENL_A_MESSAGE]) {
		nla_strlcpy(out->message, tb[UV_GENL_A_MESSAGE], sizeof(out->message));
		out->has |= ULTRA_EV_HAS_MESSAGE;
	}
	switch (out->type) {
	case UV_EVENT_TXN_COMMIT:
		return (out->has & (ULTRA_EV_HAS_LOG_SEQ | ULTRA_EV_HAS_STEPS)) ==
		       (ULTRA_EV_HAS_LOG_SEQ | ULTRA_EV_HAS_STEPS);
	case UV_EVENT_PARTITION_STATE:
		return (out->has & (ULTRA_EV_HAS_PARTITION | ULTRA_EV_HAS_STATES)) ==
		       (ULTRA_EV_HAS_PARTITION | ULTRA_EV_HAS_STATES);
	case UV_EVENT_ERROR:
		return out->has & ULTRA_EV_HAS_ERRNO;
	case UV_EVENT_SCHED_STATS:
		return (out->has & (ULTRA_EV_HAS_PARTITION | ULTRA_EV_HAS_MESSAGE)) ==
		       (ULTRA_EV_HAS_PARTITION | ULTRA_EV_HAS_MESSAGE);
	default:
		return false;
	}
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct ultra_events *ev = arg;
	struct nlattr *tb[UV_GENL_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct ultra_event parsed;

	if (gh->cmd != UV_GENL_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, UV_GENL_A_MAX, ev_policy) < 0 ||
	    !event_from_attrs(tb, &parsed)) {
		ev->malformed++;
		return NL_SKIP;
	}
	if (ev->count == ULTRA_EV_QUEUE) {
		ev->overflow++;
		return NL_SKIP;
	}
	ev->queue[(ev->head + ev->count) % ULTRA_EV_QUEUE] = parsed;
	ev->count++;
	return NL_OK;
}

int ultra_events_open(struct ultra_events **evp, struct ultra_err *e)
{
	struct ultra_events *ev;
	int grp, ret;

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return ultra_err_set(e, ENOMEM, "out of memory");
	ret = genl_open(&ev->sk, &ev->family, e);
	if (ret) {
		free(ev);
		return ret;
	}
	grp = genl_ctrl_resolve_grp(ev->sk, UV_GENL_NAME, UV_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		ret = ultra_err_set(e, nl_errno(grp), "no multicast group '%s' in family '%s': %s",
				    UV_GENL_MCGRP_EVENTS, UV_GENL_NAME, nl_geterror(grp));
		goto fail;
	}
	/* Events are not replies: no sequence numbers to check. */
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_modify_cb(ev->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, ev);
	ret = nl_socket_add_membership(ev->sk, grp);
	if (ret < 0) {
		ret = ultra_err_set(e, nl_errno(ret), "cannot join group '%s': %s",
				    UV_GENL_MCGRP_EVENTS, nl_geterror(ret));
		goto fail;
	}
	*evp = ev;
	return 0;

fail:
	nl_socket_free(ev->sk);
	free(ev);
	return ret;
}

void ultra_events_close(struct ultra_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

unsigned long ultra_events_malformed(const struct ultra_events *ev)
{
	return ev->malformed;
}

int ultra_events_next(struct ultra_events *ev, struct ultra_event *out, int timeout_ms,
		      struct ultra_err *e)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk), .events = POLLIN };

	while (!ev->count) {
		int ret = poll(&pfd, 1, timeout_ms);

		if (ret < 0)
			return ultra_err_set(e, errno, "waiting for events: %s", strerror(errno));
		if (ret == 0)
			return ultra_err_set(e, ETIMEDOUT, "no event within %d ms", timeout_ms);
		ret = nl_recvmsgs_default(ev->sk);
		if (ret < 0 && ret != -NLE_AGAIN)
			return ultra_err_set(e, nl_errno(ret), "receiving events: %s",
					     nl_geterror(ret));
	}
	*out = ev->queue[ev->head];
	ev->head = (ev->head + 1) % ULTRA_EV_QUEUE;
	ev->count--;
	return 0;
}

static int on_status(struct nl_msg *msg, void *arg)
{
	struct ultra_status *st = arg;
	struct nlattr *tb[UV_GENL_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, UV_GENL_A_MAX, ev_policy) < 0 ||
	    !tb[UV_GENL_A_VERSION] || !tb[UV_GENL_A_ABI] || !tb[UV_GENL_A_SEQ] ||
	    !tb[UV_GENL_A_EVENTS_SENT] || !tb[UV_GENL_A_EVENTS_DROPPED])
		return NL_SKIP;
	nla_strlcpy(st->version, tb[UV_GENL_A_VERSION], sizeof(st->version));
	st->abi = nla_get_u32(tb[UV_GENL_A_ABI]);
	st->event_seq = nla_get_u64(tb[UV_GENL_A_SEQ]);
	st->events_sent = nla_get_u64(tb[UV_GENL_A_EVENTS_SENT]);
	st->events_dropped = nla_get_u64(tb[UV_GENL_A_EVENTS_DROPPED]);
	return NL_OK;
}

int ultra_get_status(struct ultra_status *st, struct ultra_err *e)
{
	struct nl_sock *sk = NULL;
	struct nl_msg *msg;
	int family = 0, ret;

	memset(st, 0, sizeof(*st));
	ret = genl_open(&sk, &family, e);
	if (ret)
		return ret;
	msg = nlmsg_alloc();
	if (!msg) {
		ret = ultra_err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, UV_GENL_CMD_GET_STATUS,
			 UV_GENL_VERSION)) {
		ret = ultra_err_set(e, ENOMEM, "cannot build the status request");
		goto out_msg;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_status, st);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	if (ret < 0) {
		ret = ultra_err_set(e, nl_errno(ret), "status request failed: %s",
				    nl_geterror(ret));
		goto out_msg;
	}
	ret = st->version[0] ? 0 : ultra_err_set(e, EPROTO, "malformed status reply");
out_msg:
	nlmsg_free(msg);
out:
	nl_socket_free(sk);
	return ret;
}

const char *ultra_event_format(const struct ultra_event *ev, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "seq=%llu %s", (unsigned long long)ev->seq,
		     ultra_event_type_name(ev->type));
	if (n < 0 || (size_t)n >= len)
		return buf;
	if (ev->has & ULTRA_EV_HAS_LOG_SEQ)
		n += snprintf(buf + n, len - n, " log_seq=%llu", (unsigned long long)ev->log_seq);
	if ((size_t)n < len && (ev->has & ULTRA_EV_HAS_STEPS))
		n += snprintf(buf + n, len - n, " steps=%u", ev->steps);
	if ((size_t)n < len && (ev->has & ULTRA_EV_HAS_PARTITION)) {
		char num[40];

		/* the database's [G,M,K] notation, as every other tool prints partitions */
		ultra_part_number_str(ev->partition, num, sizeof(num));
		n += snprintf(buf + n, len - n, " partition=%s", num);
	}
	if ((size_t)n < len && (ev->has & ULTRA_EV_HAS_STATES))
		n += snprintf(buf + n, len - n, " state=%s->%s", ultra_pstate_name(ev->state_old),
			      ultra_pstate_name(ev->state_new));
	if ((size_t)n < len && (ev->has & ULTRA_EV_HAS_ERRNO))
		n += snprintf(buf + n, len - n, " errno=%s", ultra_errno_name((int)ev->err));
	if ((size_t)n < len && (ev->has & ULTRA_EV_HAS_MESSAGE))
		snprintf(buf + n, len - n, " message=\"%s\"", ev->message);
	return buf;
}
