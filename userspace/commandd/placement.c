// SPDX-License-Identifier: GPL-2.0
/*
 * Memory placement ([0183], [0204]): all policy lives here, none in the module.
 *
 *  - Guest memory comes in the largest pages that fit: whole 4 GiB entries first,
 *    the rest in 4 MiB entries; 4 KiB entries only for descriptors and channels.
 *  - Contiguous where possible: a request is served from the smallest free run that
 *    holds it whole (best fit); failing that a free larger entry is split so the
 *    run is contiguous; only then is it gathered from several runs, largest first.
 *  - The map stays coarse: 4 KiB descriptors are packed into the fullest 4 KiB
 *    index page, an index page is split off only when the others are full, and a
 *    destroy merges every index page that "available" owns entirely back into its
 *    parent entry (and frees the index page itself).
 *
 * Every decision is made in a plan: a dry run of the transaction on the standby
 * replica's pages through the real database code, so the next decision sees the
 * previous steps, and the module will accept the steps as they stand (unless the
 * replica is stale, which the before images then catch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor_channel.h>

#include "commandd.h"
#include "resdb/text.h"

#define RESERVE_4K	2	/* free 4 KiB entries kept to build index pages from */
#define PLAN_LOG_SIZE	(8ull << 20)

/* ---- the plan ---------------------------------------------------------------- */

int cmdd_plan_init(struct cmdd_plan *pl)
{
	u32 i;

	memset(pl, 0, sizeof(*pl));
	pl->log_size = PLAN_LOG_SIZE;
	pl->log = malloc(pl->log_size);
	pl->cap = 64;
	pl->node = -1;
	pl->steps = malloc(pl->cap * sizeof(*pl->steps));
	for (i = 0; i < RESDB_MAX_CPUS; i++)
		pl->cpu_allowed[i] = true;
	if (!pl->log || !pl->steps) {
		cmdd_plan_fini(pl);
		return -ENOMEM;
	}
	return 0;
}

void cmdd_plan_fini(struct cmdd_plan *pl)
{
	free(pl->log);
	free(pl->steps);
	pl->log = NULL;
	pl->steps = NULL;
}

int cmdd_plan_begin(struct cmdd_plan *pl, const struct resdb *base, struct ultra_err *e)
{
	int ret;

	pl->e = e;
	pl->nr = 0;
	pl->open = false;
	ret = resdb_init(&pl->db, base->mem, base->mem_ctx, pl->log, pl->log_size);
	if (!ret)
		ret = resdb_attach(&pl->db, base->base_pfn, base->uv_index);
	if (!ret)
		ret = resdb_txn_begin(&pl->db);
	if (ret)
		return ultra_err_set(e, cmdd_resdb_errno(ret), "cannot plan on the replica: %s",
				     resdb_strerror(ret));
	pl->open = true;
	return 0;
}

int cmdd_plan_step(struct cmdd_plan *pl, const struct uv_txn_step *s)
{
	int ret;

	if (!pl->open)
		return ultra_err_set(pl->e, EIO, "internal: plan step without an open plan");
	if (pl->nr == UV_TXN_MAX_STEPS)
		return ultra_err_set(pl->e, ENOSPC,
				     "the change needs more than %u steps (memory too fragmented)",
				     UV_TXN_MAX_STEPS);
	if (pl->nr == pl->cap) {
		u32 cap = 2 * pl->cap;
		struct uv_txn_step *n = realloc(pl->steps, cap * sizeof(*n));

		if (!n)
			return ultra_err_set(pl->e, ENOMEM, "out of memory");
		pl->steps = n;
		pl->cap = cap;
	}
	ret = resdb_txn_step(&pl->db, s);
	if (ret) {
		char text[256];

		/* the database rolled the dry run back and closed it */
		pl->open = pl->db.in_txn;
		if (resdb_text_print_step(s, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "op %u", s->op);
		return ultra_err_set(pl->e, cmdd_resdb_errno(ret), "plan step %u (%s): %s", pl->nr,
				     text, resdb_strerror(ret));
	}
	pl->steps[pl->nr++] = *s;
	return 0;
}

void cmdd_plan_end(struct cmdd_plan *pl)
{
	if (pl->open && pl->db.in_txn)
		resdb_txn_abort(&pl->db);
	pl->open = false;
}

/* ---- step builders ---------------------------------------------------------- */

/* Entries @first..@last of the index page @p, as a step names them (pads zero). */
static struct uv_txn_at step_at(const struct cmdd_ipage *p, u32 first, u32 last)
{
	return (struct uv_txn_at){ .map = p->gmk, .scale = (u8)p->scale, .frame = p->frame,
				   .first = (u16)first, .last = (u16)last };
}

static int change_owner(struct cmdd_plan *pl, const struct cmdd_ipage *p, u32 first, u32 last,
			u32 from, u32 to)
{
	struct uv_txn_step s;

	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_CHANGE_OWNER;
	s.change_owner.at = step_at(p, first, last);
	s.change_owner.from = from;
	s.change_owner.to = to;
	return cmdd_plan_step(pl, &s);
}

static int split_merge(struct cmdd_plan *pl, u32 op, const struct cmdd_ipage *parent, u32 index,
		       u32 child, u32 owner)
{
	struct uv_txn_step s;

	memset(&s, 0, sizeof(s));
	s.op = op;
	s.split.at = step_at(parent, index, index);
	s.split.child = child;
	s.split.owner = owner;
	return cmdd_plan_step(pl, &s);
}

/* Channel @number (its descriptor's GMK) of @client over @nr_pages pages from @first_pfn. */
static int init_channel(struct cmdd_plan *pl, u32 number, u32 type, u32 client, u32 nr_pages,
			u64 first_pfn)
{
	struct uv_txn_step s;

	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_INIT_CHANNEL;
	s.channel.number = number;
	s.channel.type = type;
	s.channel.client = client;
	s.channel.nr_pages = nr_pages;
	s.channel.first_pfn = first_pfn;
	return cmdd_plan_step(pl, &s);
}

/* Server slot @index of channel @number goes from @from to @to (UV_NONE: empty). */
static int change_server(struct cmdd_plan *pl, u32 number, u32 index, u32 from, u32 to)
{
	struct uv_txn_step s;

	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_CHANGE_SERVER;
	s.server.number = number;
	s.server.index = index;
	s.server.from = from;
	s.server.to = to;
	return cmdd_plan_step(pl, &s);
}

/* Change the owner of one 4 KiB page wherever its entry is. */
static int change_page_owner(struct cmdd_plan *pl, u64 pfn, u32 from, u32 to)
{
	struct cmdd_ipage p;
	u32 idx, v;
	int ret = cmdd_map_lookup(&pl->db, pfn, &p, &idx, &v);

	if (ret)
		return ultra_err_set(pl->e, -ret, "page %#llx is outside the map",
				     (unsigned long long)pfn);
	if (p.scale != 1)
		return ultra_err_set(pl->e, EIO, "internal: page %#llx is not a 4 KiB entry",
				     (unsigned long long)pfn);
	return change_owner(pl, &p, idx, idx, from, to);
}

/* ---- finding free runs -------------------------------------------------------- */

enum fit {
	FIT_BEST,	/* the smallest run that holds want (then the lowest address) */
	FIT_PACK,	/* a run of want in the fullest page that has one */
	FIT_LARGEST,	/* the largest run */
};

struct run {
	bool found;
	struct cmdd_ipage page;
	u32 first;
	u32 len;
	u32 page_free;
};

struct scan {
	u32 scale;
	u32 want;
	u32 avail;
	u64 avail_pfn;		/* its descriptor page: owned by itself, not free */
	enum fit fit;
	struct run best;
	u64 total;		/* free entries of that scale */
	const struct cmdd_numa *numa;
	int node;		/* >= 0: only entries on this node count as free */
};

/* Free, and on the node the scan wants if it wants one. */
static bool usable(const struct scan *s, const struct cmdd_ipage *p, u32 i)
{
	if (!cmdd_entry_free(p, i, s->avail, s->avail_pfn))
		return false;
	return s->node < 0 ||
	       cmdd_numa_in_node(s->numa, s->node, cmdd_entry_pfn(p->scale, p->frame, i),
				 1ull << (10 * (p->scale - 1)));
}

static bool better(const struct scan *s, const struct run *r)
{
	const struct run *b = &s->best;

	if (!b->found)
		return true;
	switch (s->fit) {
	case FIT_BEST:
		return r->len < b->len;
	case FIT_PACK:
		return r->page_free < b->page_free;
	default:
		return r->len > b->len;
	}
}

static int scan_page(void *ctx, const struct cmdd_ipage *p)
{
	struct scan *s = ctx;
	u32 i, nfree = 0;

	if (p->scale != s->scale)
		return 0;
	for (i = 0; i < RESDB_ENTRIES; i++)
		nfree += usable(s, p, i);
	s->total += nfree;
	if (!nfree)
		return 0;
	for (i = 0; i < RESDB_ENTRIES;) {
		struct run r = { .found = true, .page = *p, .first = i, .page_free = nfree };

		if (!usable(s, p, i)) {
			i++;
			continue;
		}
		while (i < RESDB_ENTRIES && usable(s, p, i))
			i++;
		r.len = i - r.first;
		if (s->fit != FIT_LARGEST && r.len < s->want)
			continue;
		if (better(s, &r))
			s->best = r;
		if (s->fit == FIT_PACK)
			break;		/* the first run that fits in this page */
	}
	return 0;
}

static int scan(struct cmdd_plan *pl, u32 scale, u32 want, enum fit fit, struct run *out,
		u64 *total)
{
	struct scan s = { .scale = scale, .want = want, .avail = pl->db.avail,
			  .avail_pfn = pl->db.base_pfn + pl->db.avail, .fit = fit,
			  .numa = pl->numa, .node = -1 };
	int ret;

	/* guest memory (4 MiB and up) may be held to a node; 4 KiB pages never are */
	if (pl->numa && pl->node >= 0 && scale >= 2)
		s.node = pl->node;
	ret = cmdd_map_visit(&pl->db, scan_page, &s);
	*out = s.best;
	if (total)
		*total = s.total;
	if (ret)
		return ultra_err_set(pl->e, ret < 0 ? -ret : EIO, "cannot read the replica's map");
	return 0;
}

/* ---- 4 KiB pages ---------------------------------------------------------------- */

static int split_free_entry(struct cmdd_plan *pl, u32 scale);

/* A 4 KiB page from "available" for the ultravisor, without keeping the reserve. */
static int ultra_page(struct cmdd_plan *pl, u32 *gmk)
{
	struct run r;
	int ret = scan(pl, 1, 1, FIT_PACK, &r, NULL);

	if (ret)
		return ret;
	if (!r.found)
		return ultra_err_set(pl->e, ENOSPC, "no free 4 KiB page left for an index page");
	*gmk = cmdd_pfn_gmk(&pl->db, cmdd_entry_pfn(1, r.page.frame, r.first));
	return change_owner(pl, &r.page, r.first, r.first, pl->db.avail, pl->db.ultra);
}

/* Split one free entry of this scale (from the fullest page) into an index page. */
static int split_free_entry(struct cmdd_plan *pl, u32 scale)
{
	struct run r;
	u32 child = 0;
	int ret;

	if (scale < 2 || scale > pl->db.order)
		return ultra_err_set(pl->e, ENOSPC, "not enough free memory");
	ret = scan(pl, scale, 1, FIT_PACK, &r, NULL);
	if (ret)
		return ret;
	if (!r.found) {
		ret = split_free_entry(pl, scale + 1);
		if (!ret)
			ret = scan(pl, scale, 1, FIT_PACK, &r, NULL);
		if (ret)
			return ret;
		if (!r.found)
			return ultra_err_set(pl->e, ENOSPC, "not enough free memory");
	}
	ret = ultra_page(pl, &child);
	if (ret)
		return ret;
	/* the index page came from another 4 MiB page: r.page still holds r.first free */
	return split_merge(pl, UV_TXN_SPLIT, &r.page, r.first, child, pl->db.avail);
}

/*
 * Give n contiguous 4 KiB pages from "available" to "to", packed into the fullest
 * 4 KiB index page, keeping RESERVE_4K free entries to build index pages from.
 */
static int take_4k(struct cmdd_plan *pl, u32 n, u32 to, u64 *pfn)
{
	u32 tries;

	for (tries = 0; tries < 4; tries++) {
		struct run r;
		u64 total;
		int ret = scan(pl, 1, n, FIT_PACK, &r, &total);

		if (ret)
			return ret;
		if (r.found && total >= n + RESERVE_4K) {
			*pfn = cmdd_entry_pfn(1, r.page.frame, r.first);
			return change_owner(pl, &r.page, r.first, r.first + n - 1, pl->db.avail, to);
		}
		ret = split_free_entry(pl, 2);
		if (ret)
			return ret;
	}
	return ultra_err_set(pl->e, ENOSPC, "no %u contiguous free 4 KiB pages", n);
}

/* ---- guest memory ----------------------------------------------------------------- */

/* Give count entries of this scale to owner, in as few runs as possible. */
static int give_entries(struct cmdd_plan *pl, u32 scale, u64 count, u32 owner, u64 *given)
{
	*given = 0;
	while (count) {
		u32 want = count > RESDB_ENTRIES ? RESDB_ENTRIES : (u32)count;
		struct run r;
		u64 total;
		int ret = scan(pl, scale, want, FIT_BEST, &r, &total);

		if (ret)
			return ret;
		if (!r.found && scale < pl->db.order) {
			/* a contiguous run from a larger free entry, if there is one */
			struct run big;

			ret = scan(pl, scale + 1, 1, FIT_PACK, &big, NULL);
			if (ret)
				return ret;
			if (big.found) {
				ret = split_free_entry(pl, scale + 1);
				if (ret)
					return ret;
				continue;
			}
		}
		if (!r.found) {
			ret = scan(pl, scale, 1, FIT_LARGEST, &r, NULL);
			if (ret)
				return ret;
			if (!r.found)
				return 0;	/* nothing left at this scale */
			if (r.len < want)
				want = r.len;
		}
		ret = change_owner(pl, &r.page, r.first, r.first + want - 1, pl->db.avail, owner);
		if (ret)
			return ret;
		count -= want;
		*given += want;
	}
	return 0;
}

/*
 * NUMA ([issue #9]): first what the preferred node has, in the same order of
 * sizes; *given: bytes. Entries are never split across a node boundary, and a
 * larger entry is only split when it lies on the node.
 */
static int give_on_node(struct cmdd_plan *pl, u32 owner, u64 bytes, int node, u64 *given)
{
	u64 units = bytes / CMDD_MEM_UNIT, got = 0, got4 = 0;
	u64 giga = units / RESDB_ENTRIES;
	int ret = 0;

	*given = 0;
	pl->node = node;
	if (giga && pl->db.order >= 3)
		ret = give_entries(pl, 3, giga, owner, &got);
	if (!ret && units > got * RESDB_ENTRIES)
		ret = give_entries(pl, 2, units - got * RESDB_ENTRIES, owner, &got4);
	pl->node = -1;
	*given = (got * RESDB_ENTRIES + got4) * CMDD_MEM_UNIT;
	return ret;
}

static int give_memory(struct cmdd_plan *pl, u32 owner, u64 bytes, int node)
{
	u64 units, giga, rest, got = 0, on_node = 0;
	struct cmdd_map_stats st;
	int ret;

	ret = cmdd_map_stats(&pl->db, &st);
	if (ret)
		return ultra_err_set(pl->e, -ret, "cannot read the replica's map");
	if (st.free_pages < bytes / RESDB_PAGE_SIZE + RESERVE_4K)
		return ultra_err_set(pl->e, ENOSPC,
				     "not enough free memory: %llu MiB asked, %llu MiB available",
				     (unsigned long long)(bytes >> 20),
				     (unsigned long long)(st.free_pages >> 8));
	if (node >= 0 && pl->numa && pl->numa->nr_nodes > 1) {
		ret = give_on_node(pl, owner, bytes, node, &on_node);
		if (ret)
			return ret;
		bytes -= on_node;
	}
	units = bytes / CMDD_MEM_UNIT;	/* 4 MiB pages */
	giga = units / RESDB_ENTRIES;
	rest = units % RESDB_ENTRIES;
	if (!units)
		return 0;
	if (giga && pl->db.order >= 3) {
		ret = give_entries(pl, 3, giga, owner, &got);
		if (ret)
			return ret;
		rest += (giga - got) * RESDB_ENTRIES;
	} else {
		rest += giga * RESDB_ENTRIES;
	}
	if (!rest)
		return 0;
	ret = give_entries(pl, 2, rest, owner, &got);
	if (ret)
		return ret;
	if (got < rest)
		return ultra_err_set(pl->e, ENOSPC,
				     "not enough free memory in 4 MiB pages: %llu MiB missing",
				     (unsigned long long)((rest - got) * 4));
	return 0;
}

/* ---- partitions ------------------------------------------------------------------- */

struct find_name {
	const char *name;
	u32 number;
};

static int find_name_cb(void *ctx, const struct resdb_partition *p)
{
	struct find_name *f = ctx;

	if (strncmp(p->name, f->name, UV_NAME_LEN) != 0)
		return 0;
	f->number = p->hdr.me;
	return 1;
}

u32 cmdd_find_partition(const struct resdb *db, const char *name)
{
	struct find_name f = { .name = name, .number = UV_NONE };

	if (resdb_partition_list(db, find_name_cb, &f) < 0)
		return UV_NONE;
	return f.number;
}

static const char *const role_names[CMDD_ROLE_MAX] = {
	[CMDD_ROLE_USER] = "user",
	[CMDD_ROLE_IO] = "io",
	[CMDD_ROLE_COMMAND] = "command",
	[CMDD_ROLE_OPERATIONS] = "operations",
};

const char *cmdd_role_name(enum cmdd_role role)
{
	return role < CMDD_ROLE_MAX ? role_names[role] : "?";
}

int cmdd_role_by_name(const char *name, enum cmdd_role *role)
{
	u32 i;

	for (i = 0; i < CMDD_ROLE_MAX; i++)
		if (!strcmp(name, role_names[i])) {
			*role = (enum cmdd_role)i;
			return 0;
		}
	return -EINVAL;
}

u32 cmdd_type_of_role(enum cmdd_role role)
{
	switch (role) {
	case CMDD_ROLE_IO:
		return UV_PT_IO;
	case CMDD_ROLE_COMMAND:
		return UV_PT_COMMAND;
	case CMDD_ROLE_OPERATIONS:
		return UV_PT_OPERATIONS;
	default:
		return UV_PT_USER;
	}
}

enum cmdd_role cmdd_role_of_type(u32 type)
{
	switch (type) {
	case UV_PT_IO:
		return CMDD_ROLE_IO;
	case UV_PT_COMMAND:
		return CMDD_ROLE_COMMAND;
	case UV_PT_OPERATIONS:
		return CMDD_ROLE_OPERATIONS;
	default:
		return CMDD_ROLE_USER;
	}
}

const char *cmdd_type_name(u32 type)
{
	static const char *const names[UV_PT_MAX + 1] = {
		[UV_PT_PSEUDO] = "pseudo", [UV_PT_ULTRAVISOR] = "ultravisor",
		[UV_PT_COMMAND] = "command", [UV_PT_OPERATIONS] = "operations",
		[UV_PT_IO] = "io", [UV_PT_USER] = "user", [UV_PT_IDLE] = "idle",
		[UV_PT_BOOT] = "boot",
	};

	return type <= UV_PT_MAX && names[type] ? names[type] : "?";
}

/* The node of the lowest CPU with a slot of number (vCPU 0's); -1: none known. */
static int first_cpu_node(const struct cmdd_plan *pl, u32 number)
{
	u32 cpu, i;

	if (!pl->numa || pl->numa->nr_nodes < 2)
		return -1;
	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *p = resdb_processor(&pl->db, cpu);

		for (i = 0; p && i < UV_SLOTS; i++)
			if (p->slot[i].partition == number)
				return cmdd_numa_node_of_cpu(pl->numa, cpu);
	}
	return -1;
}

static int chan_area_of(struct cmdd_plan *pl, u32 number, u64 *first);

/*
 * The channels of a create, each with a descriptor page; a Linux partition's
 * (c->chan_area) packed into its channel area, others on pages of their own.
 */
static int place_channels(struct cmdd_plan *pl, u32 me, const struct cmdd_create_spec *c)
{
	u64 area = 0;
	u32 i, area_used = 0;
	int ret = 0;

	if (c->chan_area && c->nr_channels)
		ret = chan_area_of(pl, me, &area);
	for (i = 0; !ret && i < c->nr_channels; i++) {
		const struct cmdd_channel_spec *ch = &c->channels[i];
		u32 server = UV_NONE, number;
		u64 first, dpfn;

		if (ch->server[0]) {
			server = cmdd_find_partition(&pl->db, ch->server);
			if (server == UV_NONE)
				return ultra_err_set(pl->e, ENOENT,
						     "channel %u: no partition named '%s' to serve it",
						     i, ch->server);
		}
		if (c->chan_area) {
			/* packed from the area's start; its last page is the Boot channel's */
			if (ch->pages > CMDD_CHAN_AREA_PAGES - 1 - area_used)
				return ultra_err_set(pl->e, ENOSPC,
						     "channel %u: a Linux partition's channels fit in %u pages",
						     i, CMDD_CHAN_AREA_PAGES - 1);
			first = area + area_used;
			area_used += ch->pages;
			ret = 0;
		} else {
			ret = take_4k(pl, ch->pages, me, &first);
		}
		if (!ret)
			ret = take_4k(pl, 1, pl->db.ultra, &dpfn);
		if (ret)
			return ret;
		number = cmdd_pfn_gmk(&pl->db, dpfn);
		ret = init_channel(pl, number, ch->type, me, ch->pages, first);
		if (!ret && server != UV_NONE)
			ret = change_server(pl, number, 0, UV_NONE, server);
	}
	return ret;
}

/*
 * A Linux partition's channels, once its instance is built (the build zeroes
 * its memory, channel headers included): the Boot channel's transaction.
 */
int cmdd_place_linux_channels(struct cmdd_plan *pl, u32 number, const struct cmdd_create_spec *c)
{
	if (!resdb_partition(&pl->db, number))
		return ultra_err_set(pl->e, ENOENT, "no partition [%#x]", number);
	return place_channels(pl, number, c);
}

int cmdd_place_create(struct cmdd_plan *pl, const struct cmdd_create_spec *c, u32 *number)
{
	struct uv_txn_step s;
	const char *role = cmdd_role_name(c->role);
	u64 pfn;
	u32 me;
	int ret;

	/* the descriptor: a free page given to the ultravisor, initialised, given to itself */
	ret = take_4k(pl, 1, pl->db.ultra, &pfn);
	if (ret)
		return ret;
	me = cmdd_pfn_gmk(&pl->db, pfn);
	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_INIT_PARTITION;
	s.partition.number = me;
	s.partition.type = cmdd_type_of_role(c->role);
	memcpy(s.partition.name, c->name, strnlen(c->name, UV_NAME_LEN - 1));
	memcpy(s.partition.role, role, strlen(role));
	ret = cmdd_plan_step(pl, &s);
	if (!ret)
		ret = change_page_owner(pl, pfn, pl->db.ultra, me);
	/* processors first: its memory comes from the node of its first CPU if it can */
	if (!ret && c->cpu != CMDD_ANY)
		ret = cmdd_schedule_place_at(pl, me, c->role, c->duty, c->cpu, c->offset);
	else if (!ret)
		ret = cmdd_schedule_place(pl, me, c->role, c->processors, c->duty);
	if (!ret)
		ret = give_memory(pl, me, c->memory, first_cpu_node(pl, me));
	if (!ret && !c->chan_area)
		ret = place_channels(pl, me, c);
	if (!ret)
		*number = me;
	return ret;
}

/* ---- the Boot channel (¶[0126]) ------------------------------------------------------ */

struct last_page {
	u32 number;
	u64 desc_pfn;
	u64 last;
	bool found;
};

static int last_page_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct last_page *l = ctx;
	u64 cand;

	/* what the module maps: the partition's own entries, its descriptor left out */
	if (entry != l->number || !nr)
		return 0;
	cand = pfn + nr - 1;
	if (cand == l->desc_pfn) {
		if (nr == 1)
			return 0;
		cand--;
	}
	if (!l->found || cand > l->last)
		l->last = cand;
	l->found = true;
	return 0;
}

/*
 * A Linux partition's channel area: the last 4 MiB of its guest memory, i.e.
 * the 4 MiB page holding its last page (memory is given in 4 MiB entries).
 */
static int chan_area_of(struct cmdd_plan *pl, u32 number, u64 *first)
{
	struct last_page l = { .number = number, .desc_pfn = pl->db.base_pfn + number };
	int ret;

	ret = resdb_partition_extents(&pl->db, number, last_page_cb, &l);
	if (ret)
		return ultra_err_set(pl->e, EIO, "cannot read the extents of [%#x]: %s", number,
				     resdb_strerror(ret));
	if (!l.found || (l.last + 1) % CMDD_CHAN_AREA_PAGES)
		return ultra_err_set(pl->e, EINVAL,
				     "partition [%#x] has no 4 MiB page at its top for its channels",
				     number);
	*first = l.last + 1 - CMDD_CHAN_AREA_PAGES;
	return 0;
}

/*
 * A one-page Boot channel over the last page of the partition's guest memory
 * (the module maps its pages in frame order from guest-physical 0, so that is
 * the top): no memory changes hands, only a descriptor page is taken, and the
 * loader's window is everything below it.
 */
int cmdd_place_boot_channel(struct cmdd_plan *pl, u32 number, u32 *channel)
{
	struct last_page l = { .number = number, .desc_pfn = pl->db.base_pfn + number };
	u64 dpfn;
	u32 desc;
	int ret;

	if (!resdb_partition(&pl->db, number))
		return ultra_err_set(pl->e, ENOENT, "no partition [%#x]", number);
	ret = resdb_partition_extents(&pl->db, number, last_page_cb, &l);
	if (ret)
		return ultra_err_set(pl->e, EIO, "cannot read the extents of [%#x]: %s", number,
				     resdb_strerror(ret));
	if (!l.found)
		return ultra_err_set(pl->e, EINVAL, "partition [%#x] has no memory for a Boot channel",
				     number);
	ret = take_4k(pl, 1, pl->db.ultra, &dpfn);
	if (ret)
		return ret;
	desc = cmdd_pfn_gmk(&pl->db, dpfn);
	ret = init_channel(pl, desc, UV_CHANNEL_TYPE_BOOT, number, 1, l.last);
	if (!ret)
		*channel = desc;
	return ret;
}

/* ---- destroy ----------------------------------------------------------------------- */

struct vec {
	u32 *v;
	u32 n, cap;
};

static int vec_push(struct vec *x, u32 val)
{
	if (x->n == x->cap) {
		u32 cap = x->cap ? 2 * x->cap : 32;
		u32 *n = realloc(x->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		x->v = n;
		x->cap = cap;
	}
	x->v[x->n++] = val;
	return 0;
}

/* A run of entries of one index page that a partition owns. */
struct owned_run {
	struct cmdd_ipage page;
	u32 first, last;
};

struct collect {
	const struct resdb *db;
	u32 number;
	struct vec channels;		/* channel descriptor numbers */
	struct owned_run *runs;
	u32 nr_runs, cap_runs;
};

static int run_push(struct collect *c, const struct cmdd_ipage *p, u32 first, u32 last)
{
	if (c->nr_runs == c->cap_runs) {
		u32 cap = c->cap_runs ? 2 * c->cap_runs : 32;
		struct owned_run *n = realloc(c->runs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->runs = n;
		c->cap_runs = cap;
	}
	c->runs[c->nr_runs].page = *p;
	c->runs[c->nr_runs].first = first;
	c->runs[c->nr_runs].last = last;
	c->nr_runs++;
	return 0;
}

/* Its memory runs, and the channels it is client or server of (4 KiB entries of
 * ultravisor control memory holding a channel descriptor). */
static int collect_page(void *ctx, const struct cmdd_ipage *p)
{
	struct collect *c = ctx;
	u32 i;

	for (i = 0; i < RESDB_ENTRIES; i++) {
		u32 v = p->e[i];

		if (p->scale == 1 && v == (c->db->ultra | UV_ENTRY_CTRL)) {
			u32 n = cmdd_pfn_gmk(c->db, cmdd_entry_pfn(1, p->frame, i));
			const struct resdb_channel *ch = resdb_channel(c->db, n);
			bool mine;
			u32 k;

			if (!ch)
				continue;
			mine = ch->client == c->number;
			for (k = 0; k < UV_CHANNEL_SERVERS; k++)
				mine |= ch->server[k] == c->number;
			if (mine && vec_push(&c->channels, n))
				return -ENOMEM;
		} else if (v == c->number) {
			u32 first = i;

			while (i + 1 < RESDB_ENTRIES && p->e[i + 1] == c->number)
				i++;
			if (run_push(c, p, first, i))
				return -ENOMEM;
		}
	}
	return 0;
}

static int release_channel(struct cmdd_plan *pl, u32 n, u32 number)
{
	const struct resdb_channel *ch = resdb_channel(&pl->db, n);
	struct uv_txn_step s;
	bool client;
	u32 k;
	int ret = 0;

	if (!ch)
		return 0;
	client = ch->client == number;
	for (k = 0; !ret && k < UV_CHANNEL_SERVERS; k++) {
		u32 srv = ch->server[k];

		if (srv == UV_NONE || (!client && srv != number))
			continue;
		ret = change_server(pl, n, k, srv, UV_NONE);
	}
	if (ret || !client)
		return ret;
	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_DESTROY_CHANNEL;
	s.destroy.number = n;
	ret = cmdd_plan_step(pl, &s);
	if (!ret)
		ret = change_page_owner(pl, pl->db.base_pfn + n, pl->db.ultra, pl->db.avail);
	return ret;
}

int cmdd_place_channel_destroy(struct cmdd_plan *pl, u32 channel)
{
	const struct resdb_channel *ch = resdb_channel(&pl->db, channel);

	if (!ch)
		return ultra_err_set(pl->e, ENOENT, "no channel [%#x]", channel);
	return release_channel(pl, channel, ch->client);
}

int cmdd_place_destroy(struct cmdd_plan *pl, u32 number)
{
	const struct resdb_partition *p = resdb_partition(&pl->db, number);
	struct collect c = { .db = &pl->db, .number = number };
	u64 self = pl->db.base_pfn + number;
	struct uv_txn_step s;
	u32 i;
	int ret;

	if (!p)
		return ultra_err_set(pl->e, ENOENT, "no partition [%#x]", number);
	if (p->type != UV_PT_USER && p->type != UV_PT_IO && p->type != UV_PT_COMMAND &&
	    p->type != UV_PT_OPERATIONS)
		return ultra_err_set(pl->e, EPERM, "'%.*s' is a built-in partition", UV_NAME_LEN,
				     p->name);
	ret = cmdd_map_visit(&pl->db, collect_page, &c);
	if (ret) {
		ret = ultra_err_set(pl->e, -ret, "cannot read the replica's map");
		goto out;
	}
	for (i = 0; !ret && i < c.channels.n; i++)
		ret = release_channel(pl, (u32)c.channels.v[i], number);
	if (!ret)
		ret = cmdd_schedule_release(pl, number);
	/* memory back to available, all but the descriptor page itself */
	for (i = 0; !ret && i < c.nr_runs; i++) {
		const struct owned_run *r = &c.runs[i];
		u64 pfn0 = cmdd_entry_pfn(r->page.scale, r->page.frame, r->first);

		if (r->page.scale == 1 && self >= pfn0 && self <= pfn0 + (r->last - r->first)) {
			u32 at = r->first + (u32)(self - pfn0);

			if (at > r->first)
				ret = change_owner(pl, &r->page, r->first, at - 1, number,
						   pl->db.avail);
			if (!ret && at < r->last)
				ret = change_owner(pl, &r->page, at + 1, r->last, number,
						   pl->db.avail);
			continue;
		}
		ret = change_owner(pl, &r->page, r->first, r->last, number, pl->db.avail);
	}
	/* [0224]: the descriptor page to the ultravisor, destroy, release */
	if (!ret)
		ret = change_page_owner(pl, self, number, pl->db.ultra);
	if (!ret) {
		memset(&s, 0, sizeof(s));
		s.op = UV_TXN_DESTROY_PARTITION;
		s.destroy.number = number;
		ret = cmdd_plan_step(pl, &s);
	}
	if (!ret)
		ret = change_page_owner(pl, self, pl->db.ultra, pl->db.avail);
	if (!ret)
		ret = cmdd_place_coarsen(pl);
out:
	free(c.channels.v);
	free(c.runs);
	return ret;
}

/* ---- coarsening ------------------------------------------------------------------- */

struct uniform {
	u32 avail;
	u64 avail_pfn;
	bool found;
	struct cmdd_ipage page;
};

static int uniform_page(void *ctx, const struct cmdd_ipage *p)
{
	struct uniform *u = ctx;
	u32 i;

	if (p->parent == UV_NONE)
		return 0;
	for (i = 0; i < RESDB_ENTRIES; i++)
		if (!cmdd_entry_free(p, i, u->avail, u->avail_pfn))
			return 0;
	u->found = true;
	u->page = *p;
	return 1;
}

int cmdd_place_coarsen(struct cmdd_plan *pl)
{
	for (;;) {
		struct uniform u = { .avail = pl->db.avail,
				     .avail_pfn = pl->db.base_pfn + pl->db.avail };
		struct cmdd_ipage parent;
		int ret = cmdd_map_visit(&pl->db, uniform_page, &u);

		if (ret < 0)
			return ultra_err_set(pl->e, -ret, "cannot read the replica's map");
		if (!u.found)
			return 0;
		parent.gmk = u.page.parent;
		parent.scale = u.page.scale + 1;
		parent.frame = u.page.frame / RESDB_ENTRIES;
		ret = split_merge(pl, UV_TXN_MERGE, &parent, u.page.parent_index, u.page.gmk,
				  pl->db.avail);
		/* the index page is a free ultravisor page now: back to available */
		if (!ret)
			ret = change_page_owner(pl, pl->db.base_pfn + u.page.gmk, pl->db.ultra,
						pl->db.avail);
		if (ret)
			return ret;
	}
}

/* ---- processors -------------------------------------------------------------------- */

int cmdd_place_processors(struct cmdd_plan *pl, u32 nr_cpus)
{
	u32 cpu;
	int ret;

	for (cpu = 0; cpu < nr_cpus && cpu < RESDB_MAX_CPUS; cpu++) {
		struct uv_txn_step s;
		u64 pfn;

		if (resdb_processor(&pl->db, cpu))
			continue;
		ret = take_4k(pl, 1, pl->db.ultra, &pfn);
		if (ret)
			return ret;
		memset(&s, 0, sizeof(s));
		s.op = UV_TXN_INIT_PROCESSOR;
		s.processor.number = cmdd_pfn_gmk(&pl->db, pfn);
		s.processor.cpu = cpu;
		ret = cmdd_plan_step(pl, &s);
		if (ret)
			return ret;
	}
	return 0;
}
