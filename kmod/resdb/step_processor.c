// SPDX-License-Identifier: GPL-2.0
/*
 * Processor descriptors and their schedule ([0134]-[0148]): each physical CPU has a
 * 16-slot duty cycle; a slot names a virtual processor (partition, vcpu). A new
 * processor runs the idle partition in every slot ([0087]); the command partition
 * changes slots by transactions with the slots' before images ([0147]).
 */
#include "resdb/internal.h"

static int ctrl_entry(struct resdb *db, u32 number, struct resdb_loc *loc)
{
	int ret = resdb_map_walk(db, 1, resdb_pfn(db, number), loc);

	if (ret)
		return resdb_fail(db, -ret, UV_NONE, 0, 0);
	if (loc->scale != 1 || loc->value != (db->ultra | RESDB_CTRL))
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, db->ultra | RESDB_CTRL,
				  loc->value);
	return 0;
}

int resdb_step_init_processor(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_processor *ip = &s->processor;
	struct resdb_uv_index *uvi = resdb_uvi(db);
	struct resdb_partition *idle = resdb_part(db, db->idle);
	struct resdb_processor p;
	struct resdb_loc loc;
	u64 uvi_pfn = resdb_pfn(db, db->uv_index);
	u32 i;
	int ret;

	if (!uvi || !idle)
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, 0, 0);
	if (ip->cpu >= RESDB_MAX_CPUS || uvi->processor[ip->cpu] != UV_NONE)
		return resdb_fail(db, RESDB_ECPU, ip->cpu, UV_NONE,
				  ip->cpu < RESDB_MAX_CPUS ? uvi->processor[ip->cpu] : 0);
	ret = resdb_free_page(db, ip->number, &loc);
	if (ret)
		return ret;
	memset(&p, 0, sizeof(p));
	p.hdr.magic = RESDB_DESC_MAGIC;
	p.hdr.me = ip->number;
	p.hdr.kind = RESDB_DESC_PROCESSOR;
	p.cpu = ip->cpu;
	for (i = 0; i < UV_SLOTS; i++) {
		p.slot[i].partition = db->idle;
		p.slot[i].vcpu = ip->cpu;
	}
	ret = resdb_img_bytes(db, resdb_pfn(db, ip->number), 0, sizeof(p), NULL, &p);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, loc.page), loc.index * 4, 1, db->ultra,
				     db->ultra | RESDB_CTRL);
	if (!ret)
		ret = resdb_img_fill(db, uvi_pfn, (u8 *)&uvi->processor[ip->cpu] - (u8 *)uvi,
				     1, UV_NONE, ip->number);
	if (!ret)
		ret = resdb_img_counter32(db, uvi, db->uv_index, &uvi->nr_cpus, 1);
	if (!ret)
		ret = resdb_img_counter32(db, idle, db->idle, &idle->slots, UV_SLOTS);
	return ret;
}

/* Change Schedule Processor[..], SlotRange(first,last), from P:v, to Q:w. */
int resdb_step_change_schedule(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_schedule *cs = &s->schedule;
	struct resdb_processor *p = resdb_proc(db, cs->number);
	struct resdb_partition *from, *to;
	struct uv_slot after[UV_SLOTS];
	u32 i, n;
	int ret;

	if (!p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, cs->number, 0);
	if (cs->first > cs->last || cs->last >= UV_SLOTS ||
	    (cs->from.partition == cs->to.partition && cs->from.vcpu == cs->to.vcpu))
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	for (i = cs->first; i <= cs->last; i++)
		if (p->slot[i].partition != cs->from.partition ||
		    p->slot[i].vcpu != cs->from.vcpu)
			return resdb_fail(db, RESDB_EFROM, i, cs->from.partition,
					  p->slot[i].partition);
	from = resdb_part(db, cs->from.partition);
	to = resdb_part(db, cs->to.partition);
	if (!from)
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, cs->from.partition, 0);
	if (!to)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, cs->to.partition, 0);
	/* pseudo partitions are never given processors ([0216]) */
	if (to->type == UV_PT_PSEUDO)
		return resdb_fail(db, RESDB_EPSEUDO, UV_NONE, 0, cs->to.partition);
	n = cs->last - cs->first + 1;
	for (i = 0; i < n; i++)
		after[i] = cs->to;
	ret = resdb_img_bytes(db, resdb_pfn(db, cs->number),
			      (u8 *)&p->slot[cs->first] - (u8 *)p, n * sizeof(after[0]),
			      &p->slot[cs->first], after);
	if (!ret && from != to)
		ret = resdb_img_counter32(db, from, cs->from.partition, &from->slots, -(s32)n);
	if (!ret && from != to)
		ret = resdb_img_counter32(db, to, cs->to.partition, &to->slots, n);
	return ret;
}

/* Slot length in effect on @p, in microseconds. */
u32 resdb_processor_slot_us(const struct resdb_processor *p)
{
	return p->slot_us ? p->slot_us : UV_SLOT_US_DEFAULT;
}

/* Change SlotLength Processor[..], from Nus, to Mus. */
int resdb_step_change_slot_length(struct resdb *db, struct uv_txn_step *s)
{
	struct uv_txn_slot_length *sl = &s->slot_length;
	struct resdb_processor *p = resdb_proc(db, sl->number);
	u32 after = sl->to_us;

	if (!p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, sl->number, 0);
	if (sl->pad || sl->to_us < UV_SLOT_US_MIN || sl->to_us > UV_SLOT_US_MAX)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, sl->to_us, 0);
	if (resdb_processor_slot_us(p) != sl->from_us)
		return resdb_fail(db, RESDB_EFROM, UV_NONE, sl->from_us,
				  resdb_processor_slot_us(p));
	return resdb_img_bytes(db, resdb_pfn(db, sl->number), (u8 *)&p->slot_us - (u8 *)p,
			       sizeof(after), &p->slot_us, &after);
}

int resdb_step_destroy_processor(struct resdb *db, struct uv_txn_step *s)
{
	struct resdb_processor *p = resdb_proc(db, s->destroy.number);
	struct resdb_uv_index *uvi = resdb_uvi(db);
	struct resdb_partition *idle = resdb_part(db, db->idle);
	struct resdb_loc loc;
	u32 i;
	int ret;

	if (s->destroy.pad)
		return resdb_fail(db, RESDB_EINVAL, UV_NONE, 0, 0);
	if (!p)
		return resdb_fail(db, RESDB_ENOTPART, UV_NONE, s->destroy.number, 0);
	if (!uvi || !idle || p->cpu >= RESDB_MAX_CPUS ||
	    uvi->processor[p->cpu] != s->destroy.number)
		return resdb_fail(db, RESDB_ECORRUPT, UV_NONE, 0, 0);
	for (i = 0; i < UV_SLOTS; i++)
		if (p->slot[i].partition != db->idle || p->slot[i].vcpu != p->cpu)
			return resdb_fail(db, RESDB_EBUSY, i, db->idle, p->slot[i].partition);
	ret = ctrl_entry(db, s->destroy.number, &loc);
	if (ret)
		return ret;
	ret = resdb_img_bytes(db, resdb_pfn(db, s->destroy.number), 0, sizeof(*p), p, NULL);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, loc.page), loc.index * 4, 1,
				     db->ultra | RESDB_CTRL, db->ultra);
	if (!ret)
		ret = resdb_img_fill(db, resdb_pfn(db, db->uv_index),
				     (u8 *)&uvi->processor[p->cpu] - (u8 *)uvi, 1,
				     s->destroy.number, UV_NONE);
	if (!ret)
		ret = resdb_img_counter32(db, uvi, db->uv_index, &uvi->nr_cpus, -1);
	if (!ret)
		ret = resdb_img_counter32(db, idle, db->idle, &idle->slots, -UV_SLOTS);
	return ret;
}
