// SPDX-License-Identifier: GPL-2.0
/*
 * Initialize Partition / Destroy Partition ([0111], [0112], [0223], [0224]).
 *
 * The seed's create log first gives the descriptor page to the ultravisor, then
 * initialises it, then gives the page to the new partition: a partition number is
 * its descriptor's page and that page is owned by itself ([0215]). Commit checks
 * the last part; Initialize checks the page is a free ultravisor page.
 */
#include "resdb/internal.h"

static bool name_ok(const char *s, u32 len, bool ident)
{
	u32 i = 0;

	for (; i < len && s[i]; i++) {
		char c = s[i];

		if (ident ? !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-') :
			    (c < 0x20 || c > 0x7e || c == '"' || c == '\\'))
			return false;
	}
	for (; i < len; i++)
		if (s[i])
			return false;
	return true;
}

int resdb_step_init_partition(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_partition *ip = &s->partition;
	struct resdb_partition p;
	struct resdb_loc loc;
	int ret;

	if (ip->type < 1 || ip->type > UV_PT_MAX || ip->flags || ip->pad || !ip->name[0] ||
	    !name_ok(ip->name, sizeof(ip->name), false) ||
	    !name_ok(ip->role, sizeof(ip->role), true))
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (resdb_part(db, ip->number))
		return resdb_fail(db, RESDB_EBUSY, UV_NONE, 0, ip->number);
	ret = resdb_free_page(db, ip->number, &loc);
	if (ret)
		return ret;
	memset(&p, 0, sizeof(p));
	p.hdr.magic = RESDB_DESC_MAGIC;
	p.hdr.me = ip->number;
	p.hdr.kind = RESDB_DESC_PARTITION;
	p.type = ip->type;
	p.state = RESDB_PS_DEFINED;
	memcpy(p.name, ip->name, sizeof(p.name));
	memcpy(p.role, ip->role, sizeof(p.role));
	return resdb_img_bytes(db, resdb_pfn(db, ip->number), 0, sizeof(p), NULL, &p);
}

/*
 * A descriptor page is only written while the ultravisor owns it: Destroy follows
 * [0224] (give the page to the ultravisor, destroy, release), not the shorter [0112].
 */
int resdb_step_destroy_partition(struct resdb *db, struct uv_txn_step *s)
{
	struct resdb_partition *p = resdb_part(db, s->destroy.number);
	struct resdb_loc loc = { .value = UV_NONE };

	if (s->destroy.pad)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (!p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, s->destroy.number, 0);
	if (resdb_is_builtin(db, s->destroy.number))
		return resdb_fail(db, RESDB_EPSEUDO, UV_NONE, 0, s->destroy.number);
	/* "assuming their channels and virtual processors have already been destroyed" */
	if (p->pages || p->slots || p->channels)
		return resdb_fail(db, RESDB_EBUSY, UV_NONE, 0, (u32)p->pages);
	if (resdb_map_walk(db, 1, resdb_pfn(db, s->destroy.number), &loc) || loc.scale != 1 ||
	    loc.value != db->ultra)
		return resdb_fail(db, RESDB_EOWNER, UV_NONE, db->ultra, loc.value);
	return resdb_img_bytes(db, resdb_pfn(db, s->destroy.number), 0, sizeof(*p), p, NULL);
}
