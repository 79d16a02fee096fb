// SPDX-License-Identifier: GPL-2.0
/*
 * Events: one generic netlink multicast message per committed transaction,
 * partition state change or error, on the family "ultravisor", group "events".
 * The family also answers UV_GENL_CMD_GET_STATUS.
 *
 * Locking: none of our own. Sequence numbers and counters are atomics; the
 * genetlink core serialises registration and makes multicast safe from any
 * process context. Two events raised at once may reach listeners out of
 * sequence order; listeners sort by UV_GENL_A_SEQ if they care.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_genl.h>

#include "events.h"
#include "version.h"

static atomic64_t uv_event_seq = ATOMIC64_INIT(0);
static atomic64_t uv_events_sent = ATOMIC64_INIT(0);
static atomic64_t uv_events_dropped = ATOMIC64_INIT(0);

/* What a request may carry; the kernel checks it strictly (no unknown attributes). */
static const struct nla_policy uv_genl_policy[UV_GENL_A_MAX + 1] = {
	[UV_GENL_A_PAD]			= { .type = NLA_UNSPEC },
	[UV_GENL_A_EVENT]		= NLA_POLICY_MAX(NLA_U32, UV_EVENT_MAX),
	[UV_GENL_A_SEQ]			= { .type = NLA_U64 },
	[UV_GENL_A_LOG_SEQ]		= { .type = NLA_U64 },
	[UV_GENL_A_STEPS]		= { .type = NLA_U32 },
	[UV_GENL_A_PARTITION]		= { .type = NLA_U32 },
	[UV_GENL_A_STATE_OLD]		= { .type = NLA_U32 },
	[UV_GENL_A_STATE_NEW]		= { .type = NLA_U32 },
	[UV_GENL_A_ERRNO]		= { .type = NLA_U32 },
	[UV_GENL_A_MESSAGE]		= { .type = NLA_NUL_STRING,
					    .len = UV_GENL_MESSAGE_MAX - 1 },
	[UV_GENL_A_VERSION]		= { .type = NLA_NUL_STRING,
					    .len = UV_GENL_MESSAGE_MAX - 1 },
	[UV_GENL_A_ABI]			= { .type = NLA_U32 },
	[UV_GENL_A_EVENTS_SENT]		= { .type = NLA_U64 },
	[UV_GENL_A_EVENTS_DROPPED]	= { .type = NLA_U64 },
};

static const struct genl_multicast_group uv_genl_mcgrps[] = {
	{ .name = UV_GENL_MCGRP_EVENTS, },
};

static struct genl_family uv_genl_family;

static int uv_genl_get_status(struct sk_buff *req, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &uv_genl_family, 0, UV_GENL_CMD_GET_STATUS);
	if (!hdr)
		goto too_big;
	if (nla_put_string(skb, UV_GENL_A_VERSION, UV_RELEASE) ||
	    nla_put_u32(skb, UV_GENL_A_ABI, UV_ABI_VERSION) ||
	    nla_put_u64_64bit(skb, UV_GENL_A_SEQ, atomic64_read(&uv_event_seq),
			      UV_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, UV_GENL_A_EVENTS_SENT, atomic64_read(&uv_events_sent),
			      UV_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, UV_GENL_A_EVENTS_DROPPED,
			      atomic64_read(&uv_events_dropped), UV_GENL_A_PAD))
		goto too_big;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);

too_big:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

static const struct genl_small_ops uv_genl_ops[] = {
	{
		.cmd	= UV_GENL_CMD_GET_STATUS,
		.doit	= uv_genl_get_status,
	},
};

static struct genl_family uv_genl_family __ro_after_init = {
	.name		= UV_GENL_NAME,
	.version	= UV_GENL_VERSION,
	.maxattr	= UV_GENL_A_MAX,
	.policy		= uv_genl_policy,
	.module		= THIS_MODULE,
	.small_ops	= uv_genl_ops,
	.n_small_ops	= ARRAY_SIZE(uv_genl_ops),
	.resv_start_op	= UV_GENL_CMD_GET_STATUS,
	.mcgrps		= uv_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(uv_genl_mcgrps),
};

/* Start an event message; NULL (counted as dropped) when out of memory. */
static struct sk_buff *uv_event_start(u32 type, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto drop;
	*hdr = genlmsg_put(skb, 0, 0, &uv_genl_family, 0, UV_GENL_CMD_EVENT);
	if (!*hdr)
		goto drop_skb;
	if (nla_put_u32(skb, UV_GENL_A_EVENT, type) ||
	    nla_put_u64_64bit(skb, UV_GENL_A_SEQ, atomic64_inc_return(&uv_event_seq),
			      UV_GENL_A_PAD))
		goto drop_skb;
	return skb;

drop_skb:
	nlmsg_free(skb);
drop:
	atomic64_inc(&uv_events_dropped);
	return NULL;
}

static void uv_event_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	/* -ESRCH only means nobody listens: the event still happened. */
	genlmsg_multicast(&uv_genl_family, skb, 0, 0, GFP_KERNEL);
	atomic64_inc(&uv_events_sent);
}

static void uv_event_abort(struct sk_buff *skb)
{
	nlmsg_free(skb);
	atomic64_inc(&uv_events_dropped);
}

void uv_event_txn_commit(u64 log_seq, u32 steps)
{
	struct sk_buff *skb;
	void *hdr;

	skb = uv_event_start(UV_EVENT_TXN_COMMIT, &hdr);
	if (!skb)
		return;
	if (nla_put_u64_64bit(skb, UV_GENL_A_LOG_SEQ, log_seq, UV_GENL_A_PAD) ||
	    nla_put_u32(skb, UV_GENL_A_STEPS, steps))
		return uv_event_abort(skb);
	uv_event_send(skb, hdr);
}

void uv_event_partition_state(u32 partition, u32 old_state, u32 new_state,
			      const char *reason)
{
	struct sk_buff *skb;
	void *hdr;

	skb = uv_event_start(UV_EVENT_PARTITION_STATE, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, UV_GENL_A_PARTITION, partition) ||
	    nla_put_u32(skb, UV_GENL_A_STATE_OLD, old_state) ||
	    nla_put_u32(skb, UV_GENL_A_STATE_NEW, new_state) ||
	    (reason && nla_put_string(skb, UV_GENL_A_MESSAGE, reason)))
		return uv_event_abort(skb);
	uv_event_send(skb, hdr);
}

void uv_event_error(u32 partition, int err, const char *fmt, ...)
{
	char msg[UV_GENL_MESSAGE_MAX];
	struct sk_buff *skb;
	va_list ap;
	void *hdr;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	skb = uv_event_start(UV_EVENT_ERROR, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, UV_GENL_A_ERRNO, abs(err)) ||
	    nla_put_u32(skb, UV_GENL_A_PARTITION, partition) ||
	    nla_put_string(skb, UV_GENL_A_MESSAGE, msg))
		return uv_event_abort(skb);
	uv_event_send(skb, hdr);
}

void uv_event_sched_stats(u32 partition, const char *text)
{
	struct sk_buff *skb;
	void *hdr;

	skb = uv_event_start(UV_EVENT_SCHED_STATS, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, UV_GENL_A_PARTITION, partition) ||
	    nla_put_string(skb, UV_GENL_A_MESSAGE, text))
		return uv_event_abort(skb);
	uv_event_send(skb, hdr);
}

int uv_events_init(void)
{
	int ret;

	ret = genl_register_family(&uv_genl_family);
	if (ret)
		pr_err("cannot register generic netlink family %s: error %d\n",
		       UV_GENL_NAME, ret);
	return ret;
}

void uv_events_exit(void)
{
	genl_unregister_family(&uv_genl_family);
}
