// SPDX-License-Identifier: GPL-2.0
/*
 * The binary form of a transaction (uapi/linux/ultravisor_txn.h), as the command
 * channel ioctl carries it. The decoder trusts nothing: sizes, version, every op,
 * every flag, pad and reserved field, and every byte of the step union past the
 * member the op uses. Meaning (ownership, preconditions) is the steps' business.
 */
#include "resdb/text.h"
#include "resdb/internal.h"

static bool at_ok(const struct uv_txn_at *at, bool single)
{
	if (at->pad0 || at->pad1 || at->pad2 || !resdb_is_number(at->map))
		return false;
	if (at->scale > RESDB_SCALE_MAX || (!at->scale && at->frame))
		return false;
	if (at->first > at->last || at->last >= RESDB_ENTRIES)
		return false;
	return !single || at->first == at->last;
}

static bool owner_ok(u32 v)
{
	return !(v & RESDB_REF);
}

static bool zero(const void *p, u64 len)
{
	const u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static bool str_ok(const char *s, u32 len)
{
	u32 i = 0;

	while (i < len && s[i])
		i++;
	return zero(s + i, len - i);
}

static bool step_ok(const struct uv_txn_step *s)
{
	u64 used;

	if (s->flags)
		return false;
	switch (s->op) {
	case UV_TXN_CHANGE_OWNER:
		used = sizeof(s->change_owner);
		if (!at_ok(&s->change_owner.at, false) || !owner_ok(s->change_owner.from) ||
		    !owner_ok(s->change_owner.to))
			return false;
		break;
	case UV_TXN_SPLIT:
	case UV_TXN_MERGE:
		used = sizeof(s->split);
		if (!at_ok(&s->split.at, true) || !resdb_is_number(s->split.child) ||
		    !owner_ok(s->split.owner))
			return false;
		break;
	case UV_TXN_INIT_PARTITION:
		used = sizeof(s->partition);
		if (!resdb_is_number(s->partition.number) || s->partition.type < 1 ||
		    s->partition.type > UV_PT_MAX || s->partition.flags || s->partition.pad ||
		    !s->partition.name[0] ||
		    !str_ok(s->partition.name, sizeof(s->partition.name)) ||
		    !str_ok(s->partition.role, sizeof(s->partition.role)))
			return false;
		break;
	case UV_TXN_DESTROY_PARTITION:
	case UV_TXN_DESTROY_PROCESSOR:
	case UV_TXN_DESTROY_CHANNEL:
		used = sizeof(s->destroy);
		if (!resdb_is_number(s->destroy.number) || s->destroy.pad)
			return false;
		break;
	case UV_TXN_INIT_PROCESSOR:
		used = sizeof(s->processor);
		if (!resdb_is_number(s->processor.number) || s->processor.cpu >= RESDB_MAX_CPUS)
			return false;
		break;
	case UV_TXN_CHANGE_SCHEDULE:
		used = sizeof(s->schedule);
		if (!resdb_is_number(s->schedule.number) ||
		    s->schedule.first > s->schedule.last || s->schedule.last >= UV_SLOTS ||
		    !resdb_is_number(s->schedule.from.partition) ||
		    !resdb_is_number(s->schedule.to.partition))
			return false;
		break;
	case UV_TXN_CHANGE_SLOT_LENGTH:
		used = sizeof(s->slot_length);
		if (!resdb_is_number(s->slot_length.number) || s->slot_length.pad ||
		    s->slot_length.from_us < UV_SLOT_US_MIN ||
		    s->slot_length.from_us > UV_SLOT_US_MAX ||
		    s->slot_length.to_us < UV_SLOT_US_MIN || s->slot_length.to_us > UV_SLOT_US_MAX)
			return false;
		break;
	case UV_TXN_INIT_CHANNEL:
		used = sizeof(s->channel);
		if (!resdb_is_number(s->channel.number) || !resdb_is_number(s->channel.client) ||
		    !s->channel.type || !s->channel.nr_pages ||
		    s->channel.nr_pages > RESDB_ENTRIES ||
		    s->channel.first_pfn + s->channel.nr_pages < s->channel.first_pfn)
			return false;
		break;
	case UV_TXN_CHANGE_SERVER:
		used = sizeof(s->server);
		if (!resdb_is_number(s->server.number) ||
		    s->server.index >= UV_CHANNEL_SERVERS ||
		    (s->server.from != UV_NONE && !resdb_is_number(s->server.from)) ||
		    (s->server.to != UV_NONE && !resdb_is_number(s->server.to)))
			return false;
		break;
	default:
		return false;
	}
	return zero(s->raw + used, sizeof(s->raw) - used);
}

int resdb_txn_decode(const void *buf, u64 len, const struct uv_txn_step **steps, u32 *nr)
{
	const struct uv_txn_hdr *h = buf;
	const struct uv_txn_step *s = (const void *)(h + 1);
	u32 i;

	if ((unsigned long)buf & 7 || len < sizeof(*h))
		return -RESDB_EINVAL;
	if (h->magic != UV_TXN_MAGIC || h->version != UV_TXN_VERSION ||
	    h->hdr_size != sizeof(*h) || h->step_size != sizeof(*s) || h->flags ||
	    h->reserved0 || h->reserved[0] ||
	    !h->nr_steps || h->nr_steps > UV_TXN_MAX_STEPS ||
	    len != sizeof(*h) + (u64)h->nr_steps * sizeof(*s))
		return -RESDB_EINVAL;
	for (i = 0; i < h->nr_steps; i++)
		if (!step_ok(&s[i]))
			return -RESDB_EINVAL;
	*steps = s;
	*nr = h->nr_steps;
	return 0;
}

int resdb_txn_encode(const struct uv_txn_step *steps, u32 nr, void *buf, u64 len,
		     u64 *out_len)
{
	struct uv_txn_hdr *h = buf;
	u64 need = sizeof(*h) + (u64)nr * sizeof(*steps);

	*out_len = 0;
	if (!nr || nr > UV_TXN_MAX_STEPS)
		return -RESDB_EINVAL;
	if (len < need)
		return -RESDB_ENOSPC;
	memset(h, 0, sizeof(*h));
	h->magic = UV_TXN_MAGIC;
	h->version = UV_TXN_VERSION;
	h->hdr_size = sizeof(*h);
	h->step_size = sizeof(*steps);
	h->nr_steps = nr;
	memcpy(h + 1, steps, nr * sizeof(*steps));
	*out_len = need;
	return 0;
}
