// SPDX-License-Identifier: GPL-2.0
/*
 * Processor placement ([0134]-[0148], Figures 5 and 6). Each physical CPU has a
 * duty cycle of UV_SLOTS (16) slots; a virtual processor with duty width w gets w
 * consecutive slots of one CPU, so it runs in one burst per cycle and is "saving
 * power" for the rest, as ACPI throttling models it ([0138], [0141]).
 *
 *  - I/O partitions get dedicated CPUs: all 16 slots of a CPU no one else uses
 *    ([0148]: "each with a dedicated physical processor to minimize I/O latency").
 *    One a host daemon plays (processors 0, the default without an image) gets
 *    none: the daemon runs on Linux's own time, and a dedicated CPU would only
 *    take one away from the guests.
 *  - The command and operations partitions share one CPU with each other and with
 *    nobody else ([0148]).
 *  - User partitions share the remaining CPUs. Offsets interleave the bursts on a
 *    shared CPU as Figure 5 does (A 8 slots at 0, B 4 at 8, C 4 at 12): a virtual
 *    processor takes the free run that fits it most tightly (best fit), at the
 *    run's start, so widths pack without holes. Among equally tight runs it prefers
 *    a CPU already shared, then the highest CPU: system partitions are placed from
 *    CPU 0 up, users from the top down, so a dedicated CPU stays free for an I/O
 *    partition as long as possible.
 *  - The virtual processors of one partition go to distinct CPUs.
 *
 * A create may name the CPU, and the offset there, itself (until placement is
 * the operations partition's): cmdd_schedule_place_at() honours that without the
 * rules above, and a collision with slots someone else holds fails the dry run
 * with the transaction's own reason (EFROM: the slot's before image is not idle).
 *
 * A whole change (create, destroy, set schedule) is one transaction, so the
 * module replaces the schedule in one indivisible step ([0147]).
 */
#include <errno.h>
#include <string.h>

#include "commandd.h"

enum cpu_kind {
	CPU_EMPTY = 0,		/* idle in every slot */
	CPU_USER,
	CPU_SYSTEM,		/* command and operations partitions */
	CPU_DEDICATED,		/* an I/O partition */
	CPU_MIXED,		/* anything else: not used for new placements */
};

struct cpu {
	const struct resdb_processor *p;
	enum cpu_kind kind;
	bool mine;		/* the partition being placed already runs here */
};

static void classify(const struct resdb *db, u32 cpu, u32 number, struct cpu *c)
{
	u32 i, io = 0, sys = 0, user = 0, other = 0;

	memset(c, 0, sizeof(*c));
	c->p = resdb_processor(db, cpu);
	if (!c->p)
		return;
	for (i = 0; i < UV_SLOTS; i++) {
		const struct uv_slot *s = &c->p->slot[i];
		const struct resdb_partition *p;

		if (s->partition == db->idle)
			continue;
		if (s->partition == number)
			c->mine = true;
		p = resdb_partition(db, s->partition);
		switch (p ? p->type : 0) {
		case UV_PT_IO:
			io++;
			break;
		case UV_PT_COMMAND:
		case UV_PT_OPERATIONS:
			sys++;
			break;
		case UV_PT_USER:
			user++;
			break;
		default:
			other++;
		}
	}
	if (other || (io && (sys || user)) || (sys && user))
		c->kind = CPU_MIXED;
	else if (io)
		c->kind = CPU_DEDICATED;
	else if (sys)
		c->kind = CPU_SYSTEM;
	else if (user)
		c->kind = CPU_USER;
	else
		c->kind = CPU_EMPTY;
}

struct choice {
	u32 cpu;
	u32 first;
	u32 run;		/* length of the free run it came from */
	bool found;
	bool empty;		/* the CPU was idle */
};

/* The tightest free run of at least width slots on this CPU. */
static bool best_run(const struct resdb *db, const struct resdb_processor *p, u32 width,
		     u32 *first, u32 *len)
{
	bool found = false;
	u32 i = 0;

	while (i < UV_SLOTS) {
		u32 s;

		if (p->slot[i].partition != db->idle) {
			i++;
			continue;
		}
		s = i;
		while (i < UV_SLOTS && p->slot[i].partition == db->idle)
			i++;
		if (i - s >= width && (!found || i - s < *len)) {
			*first = s;
			*len = i - s;
			found = true;
		}
	}
	return found;
}

/* Is candidate (cpu, run) better than the current choice, for this role? */
static bool prefer(enum cmdd_role role, const struct choice *cur, u32 cpu, u32 run, bool empty)
{
	if (!cur->found)
		return true;
	if (run != cur->run)
		return run < cur->run;
	if (empty != cur->empty)
		return !empty;
	/* system partitions from CPU 0 up, users from the top down */
	return role == CMDD_ROLE_USER ? cpu > cur->cpu : cpu < cur->cpu;
}

static int choose(struct cmdd_plan *pl, u32 number, enum cmdd_role role, u32 width,
		  struct choice *ch)
{
	const struct resdb *db = &pl->db;
	u32 cpu;

	memset(ch, 0, sizeof(*ch));
	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		struct cpu c;
		u32 first = 0, run = 0;
		bool ok;

		if (!pl->cpu_allowed[cpu])
			continue;
		classify(db, cpu, number, &c);
		if (!c.p || c.mine)
			continue;
		switch (role) {
		case CMDD_ROLE_IO:
			ok = c.kind == CPU_EMPTY;
			break;
		case CMDD_ROLE_COMMAND:
		case CMDD_ROLE_OPERATIONS:
			ok = c.kind == CPU_EMPTY || c.kind == CPU_SYSTEM;
			break;
		default:
			ok = c.kind == CPU_EMPTY || c.kind == CPU_USER;
		}
		if (!ok || !best_run(db, c.p, width, &first, &run))
			continue;
		if (prefer(role, ch, cpu, run, c.kind == CPU_EMPTY)) {
			ch->found = true;
			ch->cpu = cpu;
			ch->first = first;
			ch->run = run;
			ch->empty = c.kind == CPU_EMPTY;
		}
	}
	return ch->found ? 0 : -ENOSPC;
}

static int set_slots(struct cmdd_plan *pl, u32 cpu, u32 first, u32 last, struct uv_slot from,
		     struct uv_slot to)
{
	const struct resdb_processor *p = resdb_processor(&pl->db, cpu);
	struct uv_txn_step s;

	if (!p)
		return ultra_err_set(pl->e, ENOENT, "CPU %u has no processor descriptor", cpu);
	memset(&s, 0, sizeof(s));
	s.op = UV_TXN_CHANGE_SCHEDULE;
	s.schedule.number = p->hdr.me;
	s.schedule.first = (u16)first;
	s.schedule.last = (u16)last;
	s.schedule.from = from;
	s.schedule.to = to;
	return cmdd_plan_step(pl, &s);
}

int cmdd_schedule_place(struct cmdd_plan *pl, u32 number, enum cmdd_role role, u32 processors,
			u32 duty)
{
	u32 width = role == CMDD_ROLE_IO ? UV_SLOTS : duty;
	struct uv_slot idle, me = { .partition = number };
	struct choice ch[CMDD_MAX_VCPUS];
	u32 v, i, cpu, label = 0;
	int ret = 0;

	if (!processors && role == CMDD_ROLE_IO)
		return 0;	/* played by a host daemon: no slots (docs/command-api.md) */
	if (!processors || processors > CMDD_MAX_VCPUS)
		return ultra_err_set(pl->e, EINVAL, "processors must be 1..%u", CMDD_MAX_VCPUS);
	if (!width || width > UV_SLOTS)
		return ultra_err_set(pl->e, EINVAL, "duty must be 1..%u", UV_SLOTS);
	/*
	 * Choose every CPU first (each one taken out of the candidates, so they are
	 * distinct), then label the slots: the module runs vCPU i on the i-th CPU in
	 * ascending order (docs/schedule.md), and the slots must say the same.
	 */
	for (v = 0; v < processors; v++) {
		if (choose(pl, number, role, width, &ch[v]) && role == CMDD_ROLE_IO)
			ret = ultra_err_set(pl->e, ENOSPC,
					    "no dedicated CPU free for virtual processor %u", v);
		else if (!ch[v].found)
			ret = ultra_err_set(pl->e, ENOSPC,
					    "no CPU has %u free slots for virtual processor %u",
					    width, v);
		if (ret)
			break;
		pl->cpu_allowed[ch[v].cpu] = false;
	}
	for (i = 0; i < v; i++)
		pl->cpu_allowed[ch[i].cpu] = true;
	if (ret)
		return ret;
	for (cpu = 0; cpu < RESDB_MAX_CPUS && !ret; cpu++) {
		for (i = 0; i < processors && ch[i].cpu != cpu; i++)
			;
		if (i == processors)
			continue;
		idle.partition = pl->db.idle;
		idle.vcpu = cpu;
		me.vcpu = label++;
		ret = set_slots(pl, cpu, ch[i].first, ch[i].first + width - 1, idle, me);
	}
	return ret;
}

/*
 * The dry run refused the requested slots (EFROM: one is not idle). Keep its
 * reason, say whose slot it is, and answer EBUSY: retrying will not help.
 */
static void collision(struct cmdd_plan *pl, u32 cpu, u32 first, u32 width)
{
	const struct resdb_processor *p = resdb_processor(&pl->db, cpu);
	const struct resdb_partition *q = NULL;
	char why[ULTRA_ERR_MSG_LEN];
	u32 i;

	snprintf(why, sizeof(why), "%s", pl->e->msg);
	for (i = first; p && i < first + width && !q; i++)
		if (p->slot[i].partition != pl->db.idle)
			q = resdb_partition(&pl->db, p->slot[i].partition);
	ultra_err_set(pl->e, EBUSY, "CPU %u slots %u-%u collide with %.*s (slot %u): %s", cpu,
		      first, first + width - 1, q ? (int)sizeof(q->name) : 1,
		      q ? q->name : "?", i - 1, why);
}

int cmdd_schedule_place_at(struct cmdd_plan *pl, u32 number, enum cmdd_role role, u32 duty,
			   u32 cpu, u32 offset)
{
	u32 width = role == CMDD_ROLE_IO ? UV_SLOTS : duty, first = offset, run;
	struct uv_slot idle = { .partition = pl->db.idle, .vcpu = cpu };
	struct uv_slot me = { .partition = number, .vcpu = 0 };
	int ret;

	if (!width || width > UV_SLOTS)
		return ultra_err_set(pl->e, EINVAL, "duty must be 1..%u", UV_SLOTS);
	if (cpu >= RESDB_MAX_CPUS || !resdb_processor(&pl->db, cpu))
		return ultra_err_set(pl->e, ENOENT, "CPU %u has no processor descriptor", cpu);
	if (!pl->cpu_allowed[cpu])
		return ultra_err_set(pl->e, EPERM, "CPU %u is not one partitions may use", cpu);
	if (offset == CMDD_ANY) {
		if (!best_run(&pl->db, resdb_processor(&pl->db, cpu), width, &first, &run))
			return ultra_err_set(pl->e, ENOSPC, "CPU %u has no %u free slots in a row",
					     cpu, width);
	} else if (offset + width > UV_SLOTS) {
		return ultra_err_set(pl->e, EINVAL, "offset %u + duty %u is past slot %u", offset,
				     width, UV_SLOTS - 1);
	}
	ret = set_slots(pl, cpu, first, first + width - 1, idle, me);
	if (ret && pl->e->err == EAGAIN)
		collision(pl, cpu, first, width);
	return ret;
}

int cmdd_schedule_release(struct cmdd_plan *pl, u32 number)
{
	u32 cpu;
	int ret;

	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *p = resdb_processor(&pl->db, cpu);
		u32 i = 0;

		while (p && i < UV_SLOTS) {
			struct uv_slot from = p->slot[i], idle;
			u32 s = i;

			if (from.partition != number) {
				i++;
				continue;
			}
			while (i < UV_SLOTS && p->slot[i].partition == number &&
			       p->slot[i].vcpu == from.vcpu)
				i++;
			idle.partition = pl->db.idle;
			idle.vcpu = cpu;
			ret = set_slots(pl, cpu, s, i - 1, from, idle);
			if (ret)
				return ret;
			/* the dry run changed the descriptor: p still points at it */
		}
	}
	return 0;
}
