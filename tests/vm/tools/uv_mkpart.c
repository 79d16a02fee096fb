// SPDX-License-Identifier: GPL-2.0
/*
 * uv_mkpart: write the transactions the in-VM partition tests apply with
 * `ultractl txn apply` - the part the command daemon's placement plays in
 * production, kept to what the tests need. It reads the module's database
 * (a snapshot, loaded into a userspace replica) and prints the seed's text
 * notation on stdout:
 *
 *   uv_mkpart create NAME MB CPU   a user partition NAME: a descriptor page
 *                                  from the boot region, MB MiB of the pool's
 *                                  4 MiB pages, one processor slot on CPU
 *                                  (its processor descriptor too, if missing)
 *   uv_mkpart destroy NAME         everything back: its channels destroyed
 *                                  (no server may be attached), memory to
 *                                  available, slots to idle, Destroy Partition
 *   uv_mkpart take NAME            one 4 MiB page of NAME back to available
 *   uv_mkpart unslot NAME          NAME's processor slots back to idle
 *   uv_mkpart cpus N               processor descriptors for CPUs 0..N-1
 *                                  (those missing), all slots idle
 *   uv_mkpart console NAME IO PAGES   a console channel (type 4) of PAGES
 *                                  pages at the start of NAME's last 4 MiB
 *                                  page, and the I/O partition IO that
 *                                  serves it (created if missing)
 *
 * Exit status 1 with a message on stderr when the database has not enough
 * (grow the pool first).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_txn.h>

#include "ultra.h"
#include "ultra_db.h"
#include "resdb/internal.h"
#include "resdb/text.h"

#define MAX_STEPS	256

static struct resdb *db;
static struct uv_txn_step steps[MAX_STEPS];
static unsigned int nr;
static u64 region_lo, region_hi;	/* the boot region's frames */

struct leaf {
	u64 pfn;
	u32 scale, value, page, index;
};

static struct leaf *leaves;
static size_t nr_leaves, max_leaves;

static int add_leaf(void *ctx, u64 pfn, u32 scale, u32 value, u32 page, u32 index)
{
	if (nr_leaves == max_leaves) {
		size_t max = max_leaves ? 2 * max_leaves : 4096;
		struct leaf *l = realloc(leaves, max * sizeof(*leaves));

		if (!l)
			return -1;
		leaves = l;
		max_leaves = max;
	}
	leaves[nr_leaves++] = (struct leaf){ pfn, scale, value, page, index };
	return 0;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "uv_mkpart: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static struct uv_txn_step *step(u32 op)
{
	struct uv_txn_step *s;

	if (nr == MAX_STEPS)
		die("%s", "too many steps");
	s = &steps[nr++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	return s;
}

static void change_owner(const struct leaf *l, u32 from, u32 to)
{
	struct uv_txn_step *s = step(UV_TXN_CHANGE_OWNER);

	s->change_owner.at.map = l->page;
	s->change_owner.at.first = (u16)l->index;
	s->change_owner.at.last = (u16)l->index;
	s->change_owner.from = from;
	s->change_owner.to = to;
}

static u32 used[64];
static unsigned int nr_used;

static bool is_used(u32 number)
{
	unsigned int i;

	for (i = 0; i < nr_used; i++)
		if (used[i] == number)
			return true;
	return false;
}

/* A free 4 KiB page of the boot region (owned by available), each only once. */
static const struct leaf *free_4k(void)
{
	size_t i;

	for (i = 0; i < nr_leaves && nr_used < 64; i++) {
		const struct leaf *l = &leaves[i];
		u32 number = (u32)(l->pfn - db->base_pfn);

		/* not the descriptor of "available" itself, which it also owns */
		if (l->scale == 1 && l->value == db->avail && l->pfn >= region_lo &&
		    l->pfn < region_hi && number != db->avail && !is_used(number)) {
			used[nr_used++] = number;
			return l;
		}
	}
	die("%s", "no free page left in the boot region");
	return NULL;
}

/* The partition named @name, or UV_NONE. */
static u32 lookup(const char *name)
{
	const struct resdb_partition *p;
	size_t i;

	for (i = 0; i < nr_leaves; i++) {
		const struct leaf *l = &leaves[i];

		if (l->scale != 1 || l->value != (u32)(l->pfn - db->base_pfn))
			continue;
		p = resdb_partition(db, l->value);
		if (p && !strncmp(p->name, name, sizeof(p->name)))
			return l->value;
	}
	return UV_NONE;
}

static u32 find_partition(const char *name)
{
	u32 me = lookup(name);

	if (me == UV_NONE)
		die("no partition named '%s'", name);
	return me;
}

static void slots_back(u32 number)
{
	unsigned int cpu, i;

	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *pd = resdb_processor(db, cpu);

		for (i = 0; pd && i < UV_SLOTS; i++) {
			struct uv_txn_step *s;

			if (pd->slot[i].partition != number)
				continue;
			s = step(UV_TXN_CHANGE_SCHEDULE);
			s->schedule.number = pd->hdr.me;
			s->schedule.first = (u16)i;
			s->schedule.last = (u16)i;
			s->schedule.from = pd->slot[i];
			s->schedule.to.partition = db->idle;
			s->schedule.to.vcpu = pd->cpu;
		}
	}
}

static void create(const char *name, unsigned int mb, unsigned int cpu)
{
	const struct resdb_processor *pd = resdb_processor(db, cpu);
	const struct leaf *d, *pl = NULL;
	unsigned int chunks = mb / 4, got = 0, i;
	u32 me, proc;
	struct uv_txn_step *s;

	if (!mb || mb % 4)
		die("%s", "MB must be a multiple of 4");
	d = free_4k();
	me = (u32)(d->pfn - db->base_pfn);
	if (!pd) {
		pl = free_4k();
		proc = (u32)(pl->pfn - db->base_pfn);
		change_owner(pl, db->avail, db->ultra);
		s = step(UV_TXN_INIT_PROCESSOR);
		s->processor.number = proc;
		s->processor.cpu = cpu;
	} else {
		proc = pd->hdr.me;
	}
	change_owner(d, db->avail, db->ultra);
	s = step(UV_TXN_INIT_PARTITION);
	s->partition.number = me;
	s->partition.type = UV_PT_USER;
	strncpy(s->partition.name, name, sizeof(s->partition.name) - 1);
	strncpy(s->partition.role, "test", sizeof(s->partition.role) - 1);
	change_owner(d, db->ultra, me);
	for (i = 0; i < nr_leaves && got < chunks; i++) {
		const struct leaf *l = &leaves[i];

		if (l->scale == 2 && l->value == db->avail) {
			change_owner(l, db->avail, me);
			got++;
		}
	}
	if (got < chunks)
		die("%s", "not enough free 4 MiB pages in the pool: grow it");
	for (i = 0; i < UV_SLOTS; i++)
		if (!pd || pd->slot[i].partition == db->idle)
			break;
	if (i == UV_SLOTS)
		die("%s", "no idle slot on that CPU");
	s = step(UV_TXN_CHANGE_SCHEDULE);
	s->schedule.number = proc;
	s->schedule.first = (u16)i;
	s->schedule.last = (u16)i;
	s->schedule.from.partition = db->idle;
	s->schedule.from.vcpu = pd ? pd->slot[i].vcpu : cpu;	/* idle's vCPU of that CPU */
	s->schedule.to.partition = me;
}

static void cpus(unsigned int n)
{
	unsigned int cpu;

	for (cpu = 0; cpu < n; cpu++) {
		const struct leaf *pl;
		struct uv_txn_step *s;

		if (resdb_processor(db, cpu))
			continue;
		pl = free_4k();
		change_owner(pl, db->avail, db->ultra);
		s = step(UV_TXN_INIT_PROCESSOR);
		s->processor.number = (u32)(pl->pfn - db->base_pfn);
		s->processor.cpu = cpu;
	}
}

static void destroy(const char *name)
{
	u32 me = find_partition(name);
	const struct leaf *d = NULL;
	size_t i;

	/* its channels first (they must have no server left): Destroy Channel */
	for (i = 0; i < nr_leaves; i++) {
		const struct leaf *l = &leaves[i];
		u32 number = (u32)(l->pfn - db->base_pfn);
		const struct resdb_channel *c = l->scale == 1 ? resdb_channel(db, number) : NULL;

		if (!c || c->client != me)
			continue;
		step(UV_TXN_DESTROY_CHANNEL)->destroy.number = number;
		change_owner(l, db->ultra, db->avail);
	}
	slots_back(me);
	for (i = 0; i < nr_leaves; i++) {
		const struct leaf *l = &leaves[i];

		if (l->value != me)
			continue;
		if (l->scale == 1 && (u32)(l->pfn - db->base_pfn) == me)
			d = l;
		else
			change_owner(l, me, db->avail);
	}
	if (!d)
		die("%s", "descriptor page not found");
	change_owner(d, me, db->ultra);
	step(UV_TXN_DESTROY_PARTITION)->destroy.number = me;
	change_owner(d, db->ultra, db->avail);
}

static void console(const char *name, const char *io, unsigned int pages)
{
	u32 me = find_partition(name), ion = lookup(io), ch;
	const struct leaf *last = NULL, *d;
	struct uv_txn_step *s;
	size_t i;

	if (!pages || pages > 1024)
		die("%s", "PAGES must be 1..1024");
	for (i = 0; i < nr_leaves; i++)
		if (leaves[i].value == me && leaves[i].scale == 2 &&
		    (!last || leaves[i].pfn > last->pfn))
			last = &leaves[i];
	if (!last)
		die("%s owns no 4 MiB page", name);
	if (ion == UV_NONE) {
		d = free_4k();
		ion = (u32)(d->pfn - db->base_pfn);
		change_owner(d, db->avail, db->ultra);
		s = step(UV_TXN_INIT_PARTITION);
		s->partition.number = ion;
		s->partition.type = UV_PT_IO;
		strncpy(s->partition.name, io, sizeof(s->partition.name) - 1);
		strncpy(s->partition.role, "console", sizeof(s->partition.role) - 1);
		change_owner(d, db->ultra, ion);
	}
	d = free_4k();
	ch = (u32)(d->pfn - db->base_pfn);
	change_owner(d, db->avail, db->ultra);
	s = step(UV_TXN_INIT_CHANNEL);
	s->channel.number = ch;
	s->channel.type = UV_CHANNEL_TYPE_CONSOLE;
	s->channel.client = me;
	s->channel.nr_pages = pages;
	s->channel.first_pfn = last->pfn;
}

static void take(const char *name)
{
	u32 me = find_partition(name);
	size_t i;

	for (i = 0; i < nr_leaves; i++)
		if (leaves[i].value == me && leaves[i].scale == 2) {
			change_owner(&leaves[i], me, db->avail);
			return;
		}
	die("%s owns no 4 MiB page", name);
}

int main(int argc, char **argv)
{
	struct ultra_err e = { 0 };
	struct ultra_replica r;
	struct uv_snapshot snap;
	struct uv_check chk;
	char line[512];
	size_t len;
	void *buf;
	unsigned int i;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: uv_mkpart create NAME MB CPU | destroy NAME | take NAME | unslot NAME\n");
		return 2;
	}
	fd = ultra_open(NULL, &e);
	if (fd < 0 || ultra_snapshot(fd, &buf, &len, &snap, &e) ||
	    ultra_replica_load(&r, buf, len, &e) || ultra_check(fd, &chk, &e)) {
		ultra_err_print(stderr, "uv_mkpart", &e);
		return 1;
	}
	close(fd);
	db = &r.sim.db;
	region_lo = chk.region_pfn;
	region_hi = chk.region_pfn + 1024;
	if (resdb_map_visit_leaves(db, add_leaf, NULL))
		die("%s", "cannot walk the map");
	if (!strcmp(argv[1], "create") && argc == 5)
		create(argv[2], (unsigned int)strtoul(argv[3], NULL, 0),
		       (unsigned int)strtoul(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "destroy") && argc == 3)
		destroy(argv[2]);
	else if (!strcmp(argv[1], "take") && argc == 3)
		take(argv[2]);
	else if (!strcmp(argv[1], "cpus") && argc == 3)
		cpus((unsigned int)strtoul(argv[2], NULL, 0));
	else if (!strcmp(argv[1], "console") && argc == 5)
		console(argv[2], argv[3], (unsigned int)strtoul(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "unslot") && argc == 3)
		slots_back(find_partition(argv[2]));
	else
		die("%s", "bad arguments");
	printf("Begin Transaction\n");
	for (i = 0; i < nr; i++) {
		if (resdb_text_print_step(&steps[i], line, sizeof(line)) < 0)
			die("%s", "cannot print a step");
		printf("%s\n", line);
	}
	printf("Commit Transaction\n");
	free(buf);
	free(leaves);
	ultra_replica_fini(&r);
	return 0;
}
