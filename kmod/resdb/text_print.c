// SPDX-License-Identifier: GPL-2.0
/*
 * Printer of the text form: the exact inverse of text_parse.c, so a log printed and
 * parsed again gives the same steps (the location of a Map is left out: the
 * database finds it again, as it does for the seed's own logs).
 */
#include "resdb/text.h"
#include "resdb/out.h"

void resdb_out_init(struct resdb_out *o, char *buf, u64 len)
{
	o->buf = buf;
	o->len = len;
	o->pos = 0;
	o->overflow = !len;
	if (len)
		buf[0] = 0;
}

void resdb_out_str(struct resdb_out *o, const char *s)
{
	while (*s) {
		if (o->pos + 1 >= o->len) {
			o->overflow = true;
			return;
		}
		o->buf[o->pos++] = *s++;
	}
	o->buf[o->pos] = 0;
}

void resdb_out_u64(struct resdb_out *o, u64 v)
{
	char tmp[21];
	int i = sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	resdb_out_str(o, tmp + i);
}

/* [G,M,K], [S,G,M,K] or [-,G,M,K] (Figure 8's notation) */
void resdb_out_number(struct resdb_out *o, u32 v)
{
	resdb_out_str(o, "[");
	if (v & UV_ENTRY_REF)
		resdb_out_str(o, "-,");
	if (v & UV_ENTRY_CTRL)
		resdb_out_str(o, "S,");
	resdb_out_u64(o, (v >> 20) & 1023);
	resdb_out_str(o, ",");
	resdb_out_u64(o, (v >> 10) & 1023);
	resdb_out_str(o, ",");
	resdb_out_u64(o, v & 1023);
	resdb_out_str(o, "]");
}

int resdb_out_end(struct resdb_out *o)
{
	return o->overflow ? -RESDB_ENOSPC : (int)o->pos;
}

int resdb_text_print_number(u32 v, char *buf, u64 len)
{
	struct resdb_out o;

	resdb_out_init(&o, buf, len);
	resdb_out_number(&o, v);
	return resdb_out_end(&o);
}

static void map_index(struct resdb_out *o, const struct uv_txn_at *at)
{
	resdb_out_str(o, "Map");
	resdb_out_number(o, at->map);
	if (at->first == at->last) {
		resdb_out_str(o, ", Index(");
	} else {
		resdb_out_str(o, ", IndexRange(");
		resdb_out_u64(o, at->first);
		resdb_out_str(o, ",");
	}
	resdb_out_u64(o, at->last);
	resdb_out_str(o, ")");
}

static void from_to(struct resdb_out *o, u32 from, u32 to)
{
	resdb_out_str(o, ", from ");
	resdb_out_number(o, from);
	resdb_out_str(o, ", to ");
	resdb_out_number(o, to);
}

static void vproc(struct resdb_out *o, const struct uv_slot *s)
{
	resdb_out_number(o, s->partition);
	resdb_out_str(o, ":");
	resdb_out_u64(o, s->vcpu);
}

static void server(struct resdb_out *o, u32 v)
{
	if (v == UV_NONE)
		resdb_out_str(o, "none");
	else
		resdb_out_number(o, v);
}

static const char *const type_names[UV_PT_MAX + 1] = {
	[UV_PT_PSEUDO] = "pseudo", [UV_PT_ULTRAVISOR] = "ultravisor",
	[UV_PT_COMMAND] = "command", [UV_PT_OPERATIONS] = "operations",
	[UV_PT_IO] = "io", [UV_PT_USER] = "user", [UV_PT_IDLE] = "idle",
	[UV_PT_BOOT] = "boot",
};

/* Copy a NUL-padded fixed field that may lack its NUL. */
static void field(struct resdb_out *o, const char *s, u32 size)
{
	char tmp[UV_NAME_LEN + 1];
	u32 n = 0;

	while (n < size && n < UV_NAME_LEN && s[n]) {
		tmp[n] = s[n];
		n++;
	}
	tmp[n] = 0;
	resdb_out_str(o, tmp);
}

static void init_partition(struct resdb_out *o, const struct uv_txn_partition *p)
{
	resdb_out_str(o, "Initialize Partition");
	resdb_out_number(o, p->number);
	resdb_out_str(o, " (\"");
	field(o, p->name, sizeof(p->name));
	resdb_out_str(o, "\", ");
	field(o, p->role, sizeof(p->role));
	if (p->type != UV_PT_USER) {
		resdb_out_str(o, ", type=");
		resdb_out_str(o, p->type <= UV_PT_MAX && type_names[p->type] ?
			      type_names[p->type] : "?");
	}
	resdb_out_str(o, ")");
}

static void mem(struct resdb_out *o, u64 pfn)
{
	resdb_out_str(o, "Mem[");
	if (pfn >> 30) {
		resdb_out_u64(o, pfn >> 30);
		resdb_out_str(o, ",");
	}
	resdb_out_u64(o, (pfn >> 20) & 1023);
	resdb_out_str(o, ",");
	resdb_out_u64(o, (pfn >> 10) & 1023);
	resdb_out_str(o, ",");
	resdb_out_u64(o, pfn & 1023);
	resdb_out_str(o, "]");
}

static void print_step(struct resdb_out *o, const struct uv_txn_step *s)
{
	switch (s->op) {
	case UV_TXN_CHANGE_OWNER:
		resdb_out_str(o, "Change Owner ");
		map_index(o, &s->change_owner.at);
		from_to(o, s->change_owner.from, s->change_owner.to);
		break;
	case UV_TXN_SPLIT:
		resdb_out_str(o, "Split ");
		map_index(o, &s->split.at);
		resdb_out_str(o, ", Into Map");
		resdb_out_number(o, s->split.child);
		resdb_out_str(o, ", {For");
		resdb_out_number(o, s->split.owner);
		resdb_out_str(o, "}");
		break;
	case UV_TXN_MERGE:
		resdb_out_str(o, "Merge ");
		map_index(o, &s->split.at);
		resdb_out_str(o, ", {From Map");
		resdb_out_number(o, s->split.child);
		resdb_out_str(o, ", For");
		resdb_out_number(o, s->split.owner);
		resdb_out_str(o, "}");
		break;
	case UV_TXN_INIT_PARTITION:
		init_partition(o, &s->partition);
		break;
	case UV_TXN_DESTROY_PARTITION:
	case UV_TXN_DESTROY_PROCESSOR:
	case UV_TXN_DESTROY_CHANNEL:
		resdb_out_str(o, s->op == UV_TXN_DESTROY_PARTITION ? "Destroy Partition" :
			      s->op == UV_TXN_DESTROY_PROCESSOR ? "Destroy Processor" :
			      "Destroy Channel");
		resdb_out_number(o, s->destroy.number);
		break;
	case UV_TXN_INIT_PROCESSOR:
		resdb_out_str(o, "Initialize Processor");
		resdb_out_number(o, s->processor.number);
		resdb_out_str(o, " (cpu=");
		resdb_out_u64(o, s->processor.cpu);
		resdb_out_str(o, ")");
		break;
	case UV_TXN_CHANGE_SCHEDULE:
		resdb_out_str(o, "Change Schedule Processor");
		resdb_out_number(o, s->schedule.number);
		if (s->schedule.first == s->schedule.last) {
			resdb_out_str(o, ", Slot(");
		} else {
			resdb_out_str(o, ", SlotRange(");
			resdb_out_u64(o, s->schedule.first);
			resdb_out_str(o, ",");
		}
		resdb_out_u64(o, s->schedule.last);
		resdb_out_str(o, "), from ");
		vproc(o, &s->schedule.from);
		resdb_out_str(o, ", to ");
		vproc(o, &s->schedule.to);
		break;
	case UV_TXN_CHANGE_SLOT_LENGTH:
		resdb_out_str(o, "Change SlotLength Processor");
		resdb_out_number(o, s->slot_length.number);
		resdb_out_str(o, ", from ");
		resdb_out_u64(o, s->slot_length.from_us);
		resdb_out_str(o, "us, to ");
		resdb_out_u64(o, s->slot_length.to_us);
		resdb_out_str(o, "us");
		break;
	case UV_TXN_INIT_CHANNEL:
		resdb_out_str(o, "Initialize Channel");
		resdb_out_number(o, s->channel.number);
		resdb_out_str(o, " (type=");
		resdb_out_u64(o, s->channel.type);
		resdb_out_str(o, ", client ");
		resdb_out_number(o, s->channel.client);
		resdb_out_str(o, ", pages ");
		mem(o, s->channel.first_pfn);
		resdb_out_str(o, "+");
		resdb_out_u64(o, s->channel.nr_pages);
		resdb_out_str(o, ")");
		break;
	case UV_TXN_CHANGE_SERVER:
		resdb_out_str(o, "Change Server Channel");
		resdb_out_number(o, s->server.number);
		resdb_out_str(o, ", Slot(");
		resdb_out_u64(o, s->server.index);
		resdb_out_str(o, "), from ");
		server(o, s->server.from);
		resdb_out_str(o, ", to ");
		server(o, s->server.to);
		break;
	default:
		resdb_out_str(o, "# unknown step");
	}
}

int resdb_text_print_step(const struct uv_txn_step *s, char *buf, u64 len)
{
	struct resdb_out o;

	resdb_out_init(&o, buf, len);
	print_step(&o, s);
	return resdb_out_end(&o);
}

int resdb_text_print_rec(const struct uv_log_rec *rec, char *buf, u64 len)
{
	struct resdb_out o;

	resdb_out_init(&o, buf, len);
	switch (rec->type) {
	case UV_LOG_BEGIN:
		resdb_out_str(&o, "Begin Transaction");
		break;
	case UV_LOG_STEP:
		print_step(&o, (const struct uv_txn_step *)(rec + 1));
		break;
	case UV_LOG_COMMIT:
		resdb_out_str(&o, "Commit Transaction");
		break;
	default:
		resdb_out_str(&o, "Abort Transaction # ");
		resdb_out_str(&o, resdb_strerror(rec->status));
		break;
	}
	return resdb_out_end(&o);
}
