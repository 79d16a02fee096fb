// SPDX-License-Identifier: GPL-2.0
/*
 * Channel descriptors ([0113]-[0133], [0166]): a channel's pages belong to its client
 * ([0132]); servers attach to and detach from slots by transactions, and the
 * descriptor can only be destroyed once every server has gone.
 */
#include "resdb/internal.h"

static int user_partition(struct resdb *db, u32 number, struct resdb_partition **p)
{
	*p = resdb_part(db, number);
	if (!*p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, number, 0);
	if ((*p)->type == UV_PT_PSEUDO)
		return resdb_fail(db, RESDB_EPSEUDO, UV_NONE, 0, number);
	return 0;
}

int resdb_step_init_channel(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_channel *ic = &s->channel;
	struct resdb_partition *client;
	struct resdb_channel c;
	struct resdb_loc loc, own;
	u32 i;
	int ret;

	if (!ic->type || !ic->nr_pages || ic->nr_pages > RESDB_ENTRIES ||
	    ic->first_pfn + ic->nr_pages < ic->first_pfn)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	ret = user_partition(db, ic->client, &client);
	if (ret)
		return ret;
	for (i = 0; i < ic->nr_pages; i++) {
		ret = resdb_map_walk(db, 1, ic->first_pfn + i, &own);
		if (ret)
			return resdb_fail(db, -ret, i, 0, 0);
		if ((own.value & ~RESDB_CTRL) != ic->client)
			return resdb_fail(db, RESDB_EFROM, i, ic->client, own.value);
	}
	ret = resdb_free_page(db, ic->number, &loc);
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.hdr.magic = RESDB_DESC_MAGIC;
	c.hdr.me = ic->number;
	c.hdr.kind = RESDB_DESC_CHANNEL;
	c.type = ic->type;
	c.client = ic->client;
	c.first_pfn = ic->first_pfn;
	c.nr_pages = ic->nr_pages;
	for (i = 0; i < UV_CHANNEL_SERVERS; i++)
		c.server[i] = UV_NONE;
	ret = resdb_img_bytes(db, resdb_pfn(db, ic->number), 0, sizeof(c), NULL, &c);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, loc.page), loc.index * 4, 1, db->ultra,
				     db->ultra | RESDB_CTRL);
	if (!ret)
		ret = resdb_img_counter32(db, client, ic->client, &client->channels, 1);
	return ret;
}

int resdb_step_change_server(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_server *cs = &s->server;
	struct resdb_channel *c = resdb_chan(db, cs->number);
	struct resdb_partition *from = NULL, *to = NULL;
	int ret;

	if (!c)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, cs->number, 0);
	if (cs->index >= UV_CHANNEL_SERVERS || cs->from == cs->to)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (c->server[cs->index] != cs->from)
		return resdb_fail(db, RESDB_EFROM, cs->index, cs->from, c->server[cs->index]);
	if (cs->to != UV_NONE) {
		ret = user_partition(db, cs->to, &to);
		if (ret)
			return ret;
	}
	if (cs->from != UV_NONE) {
		from = resdb_part(db, cs->from);
		if (!from)
			return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, cs->from, 0);
	}
	ret = resdb_img_fill(db, resdb_pfn(db, cs->number),
			     (u8 *)&c->server[cs->index] - (u8 *)c, 1, cs->from, cs->to);
	if (!ret && from)
		ret = resdb_img_counter32(db, from, cs->from, &from->channels, -1);
	if (!ret && to)
		ret = resdb_img_counter32(db, to, cs->to, &to->channels, 1);
	return ret;
}

int resdb_step_destroy_channel(struct resdb *db, struct uv_txn_step *s)
{
	struct resdb_channel *c = resdb_chan(db, s->destroy.number);
	struct resdb_partition *client;
	struct resdb_loc loc = { .value = UV_NONE };
	u32 i;
	int ret;

	if (s->destroy.pad)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (!c)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, s->destroy.number, 0);
	/* reclamation waits until every server has disconnected */
	for (i = 0; i < UV_CHANNEL_SERVERS; i++)
		if (c->server[i] != UV_NONE)
			return resdb_fail(db, RESDB_EBUSY, i, UV_NONE, c->server[i]);
	client = resdb_part(db, c->client);
	if (!client)
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, c->client, 0);
	ret = resdb_map_walk(db, 1, resdb_pfn(db, s->destroy.number), &loc);
	if (ret || loc.scale != 1 || loc.value != (db->ultra | RESDB_CTRL))
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, 0, loc.value);
	ret = resdb_img_bytes(db, resdb_pfn(db, s->destroy.number), 0, sizeof(*c), c, NULL);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, loc.page), loc.index * 4, 1,
				     db->ultra | RESDB_CTRL, db->ultra);
	if (!ret)
		ret = resdb_img_counter32(db, client, c->client, &client->channels, -1);
	return ret;
}
