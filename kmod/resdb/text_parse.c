// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of the text form (see text.h). Recursive descent over one line; every
 * error names the line and column and what was expected. Input is untrusted: all
 * numbers are range checked, strings are bounded, nothing is read past len.
 */
#include "resdb/text.h"

struct cur {
	const char *s;
	u64 len;
	u64 pos;
	struct resdb_text_error *err;
};

static int perr(struct cur *c, const char *what, const char *tok)
{
	u32 n = 0;

	c->err->col = (u32)c->pos + 1;
	while (*what && n < sizeof(c->err->msg) - 1)
		c->err->msg[n++] = *what++;
	while (tok && *tok && n < sizeof(c->err->msg) - 2)
		c->err->msg[n++] = *tok++;
	if (tok && n < sizeof(c->err->msg) - 1)
		c->err->msg[n++] = '\'';
	c->err->msg[n] = 0;
	return -RESDB_EPARSE;
}

static void ws(struct cur *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
		c->pos++;
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

static bool at_end(struct cur *c)
{
	ws(c);
	return c->pos == c->len || c->s[c->pos] == '#';
}

static bool word(struct cur *c, const char *w)
{
	u64 n = strlen(w);

	ws(c);
	if (c->len - c->pos < n || memcmp(c->s + c->pos, w, n))
		return false;
	if (c->pos + n < c->len && is_alnum(c->s[c->pos + n]) && is_alnum(w[n - 1]))
		return false;
	c->pos += n;
	return true;
}

static int expect(struct cur *c, const char *w)
{
	return word(c, w) ? 0 : perr(c, "expected '", w);
}

static bool punct(struct cur *c, char ch)
{
	ws(c);
	if (c->pos < c->len && c->s[c->pos] == ch) {
		c->pos++;
		return true;
	}
	return false;
}

static int need(struct cur *c, char ch)
{
	char tok[2] = { ch, 0 };

	return punct(c, ch) ? 0 : perr(c, "expected '", tok);
}

static int parse_number(struct cur *c, u64 *v, u64 max)
{
	u64 n = 0;
	bool any = false;

	ws(c);
	while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
		n = n * 10 + (u64)(c->s[c->pos] - '0');
		if (n > max)
			return perr(c, "number out of range", NULL);
		c->pos++;
		any = true;
	}
	*v = n;
	return any ? 0 : perr(c, "expected a number", NULL);
}

static int num32(struct cur *c, u32 *v, u32 max)
{
	u64 n;
	int ret = parse_number(c, &n, max);

	*v = (u32)n;
	return ret;
}

/* [G,M,K] or, when allow_s, [S,G,M,K]. */
static int pnum(struct cur *c, u32 *v, bool allow_s)
{
	u32 g = 0, m = 0, k = 0, s = 0;
	int ret;

	ret = need(c, '[');
	if (ret)
		return ret;
	ws(c);
	if (allow_s && c->pos < c->len && c->s[c->pos] == 'S') {
		c->pos++;
		s = UV_ENTRY_CTRL;
		ret = need(c, ',');
		if (ret)
			return ret;
	}
	ret = num32(c, &g, 1023);
	if (!ret)
		ret = need(c, ',');
	if (!ret)
		ret = num32(c, &m, 1023);
	if (!ret)
		ret = need(c, ',');
	if (!ret)
		ret = num32(c, &k, 1023);
	if (!ret)
		ret = need(c, ']');
	*v = s | g << 20 | m << 10 | k;
	return ret;
}

static int map(struct cur *c, struct uv_txn_at *at)
{
	int ret = expect(c, "Map");

	return ret ? ret : pnum(c, &at->map, false);
}

static int index_range(struct cur *c, struct uv_txn_at *at, bool single)
{
	u32 a = 0, b = 0;
	int ret;

	if (word(c, "Index")) {
		ret = need(c, '(');
		if (!ret)
			ret = num32(c, &a, RESDB_ENTRIES - 1);
		b = a;
	} else if (!single && word(c, "IndexRange")) {
		ret = need(c, '(');
		if (!ret)
			ret = num32(c, &a, RESDB_ENTRIES - 1);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = num32(c, &b, RESDB_ENTRIES - 1);
		if (!ret && b < a)
			ret = perr(c, "range end before its start", NULL);
	} else {
		return perr(c, single ? "expected 'Index'" : "expected 'Index' or 'IndexRange'",
			    NULL);
	}
	if (!ret)
		ret = need(c, ')');
	at->first = (u16)a;
	at->last = (u16)b;
	return ret;
}

/* "from X[,] to Y" with a parser for X and Y. */
typedef int (*value_fn)(struct cur *c, void *v);

static int from_to(struct cur *c, value_fn fn, void *from, void *to)
{
	int ret = expect(c, "from");

	if (!ret)
		ret = fn(c, from);
	if (!ret) {
		punct(c, ',');
		ret = expect(c, "to");
	}
	if (!ret)
		ret = fn(c, to);
	return ret;
}

static int owner(struct cur *c, void *v)
{
	return pnum(c, v, true);
}

static int vproc(struct cur *c, void *v)
{
	struct uv_slot *s = v;
	int ret = pnum(c, &s->partition, false);

	if (!ret)
		ret = need(c, ':');
	if (!ret)
		ret = num32(c, &s->vcpu, 0xffffffffu);
	return ret;
}

/* a slot length: Nus */
static int micros(struct cur *c, void *v)
{
	int ret = num32(c, v, 0xffffffffu);

	return ret ? ret : expect(c, "us");
}

static int server(struct cur *c, void *v)
{
	if (word(c, "none")) {
		*(u32 *)v = UV_NONE;
		return 0;
	}
	return pnum(c, v, false);
}

static int change(struct cur *c, struct uv_txn_step *s)
{
	int ret;

	if (word(c, "Owner")) {
		s->op = UV_TXN_CHANGE_OWNER;
		ret = map(c, &s->change_owner.at);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = index_range(c, &s->change_owner.at, false);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = from_to(c, owner, &s->change_owner.from, &s->change_owner.to);
		return ret;
	}
	if (word(c, "Schedule")) {
		struct uv_txn_schedule *cs = &s->schedule;
		u32 a = 0, b = 0;

		s->op = UV_TXN_CHANGE_SCHEDULE;
		ret = expect(c, "Processor");
		if (!ret)
			ret = pnum(c, &cs->number, false);
		if (!ret)
			ret = need(c, ',');
		if (ret)
			return ret;
		if (word(c, "Slot")) {
			ret = need(c, '(');
			if (!ret)
				ret = num32(c, &a, UV_SLOTS - 1);
			b = a;
		} else if (word(c, "SlotRange")) {
			ret = need(c, '(');
			if (!ret)
				ret = num32(c, &a, UV_SLOTS - 1);
			if (!ret)
				ret = need(c, ',');
			if (!ret)
				ret = num32(c, &b, UV_SLOTS - 1);
			if (!ret && b < a)
				ret = perr(c, "range end before its start", NULL);
		} else {
			return perr(c, "expected 'Slot' or 'SlotRange'", NULL);
		}
		if (!ret)
			ret = need(c, ')');
		if (!ret)
			ret = need(c, ',');
		cs->first = (u16)a;
		cs->last = (u16)b;
		if (!ret)
			ret = from_to(c, vproc, &cs->from, &cs->to);
		return ret;
	}
	if (word(c, "SlotLength")) {
		struct uv_txn_slot_length *sl = &s->slot_length;

		s->op = UV_TXN_CHANGE_SLOT_LENGTH;
		ret = expect(c, "Processor");
		if (!ret)
			ret = pnum(c, &sl->number, false);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = from_to(c, micros, &sl->from_us, &sl->to_us);
		return ret;
	}
	if (word(c, "Server")) {
		struct uv_txn_server *sv = &s->server;

		s->op = UV_TXN_CHANGE_SERVER;
		ret = expect(c, "Channel");
		if (!ret)
			ret = pnum(c, &sv->number, false);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = expect(c, "Slot");
		if (!ret)
			ret = need(c, '(');
		if (!ret)
			ret = num32(c, &sv->index, UV_CHANNEL_SERVERS - 1);
		if (!ret)
			ret = need(c, ')');
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = from_to(c, server, &sv->from, &sv->to);
		return ret;
	}
	return perr(c, "expected 'Owner', 'Schedule', 'SlotLength' or 'Server'", NULL);
}

static int split_merge(struct cur *c, struct uv_txn_step *s, bool split)
{
	struct uv_txn_split *sp = &s->split;
	struct uv_txn_at child = { 0 };
	int ret;

	s->op = split ? UV_TXN_SPLIT : UV_TXN_MERGE;
	ret = map(c, &sp->at);
	if (!ret)
		ret = need(c, ',');
	if (!ret)
		ret = index_range(c, &sp->at, true);
	if (!ret)
		ret = need(c, ',');
	if (!ret && split) {
		ret = expect(c, "Into");
		if (!ret)
			ret = map(c, &child);
		if (!ret)
			ret = need(c, ',');
	}
	if (!ret)
		ret = need(c, '{');
	if (!ret && !split) {
		ret = expect(c, "From");
		if (!ret)
			ret = map(c, &child);
		if (!ret)
			ret = need(c, ',');
	}
	if (!ret)
		ret = expect(c, "For");
	if (!ret)
		ret = pnum(c, &sp->owner, true);
	if (!ret)
		ret = need(c, '}');
	sp->child = child.map;
	return ret;
}

static const char *const type_names[UV_PT_MAX + 1] = {
	[UV_PT_PSEUDO] = "pseudo", [UV_PT_ULTRAVISOR] = "ultravisor",
	[UV_PT_COMMAND] = "command", [UV_PT_OPERATIONS] = "operations",
	[UV_PT_IO] = "io", [UV_PT_USER] = "user", [UV_PT_IDLE] = "idle",
	[UV_PT_BOOT] = "boot",
};

static int parse_string(struct cur *c, char *out, u32 size)
{
	u32 n = 0;

	if (!punct(c, '"'))
		return perr(c, "expected '\"'", NULL);
	while (c->pos < c->len && c->s[c->pos] != '"') {
		char ch = c->s[c->pos];

		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return perr(c, "bad character in string", NULL);
		if (n == size - 1)
			return perr(c, "string too long", NULL);
		out[n++] = ch;
		c->pos++;
	}
	if (c->pos == c->len)
		return perr(c, "unterminated string", NULL);
	c->pos++;
	return n ? 0 : perr(c, "empty string", NULL);
}

static int ident(struct cur *c, char *out, u32 size)
{
	u32 n = 0;

	ws(c);
	while (c->pos < c->len && (is_alnum(c->s[c->pos]) || c->s[c->pos] == '-')) {
		if (n == size - 1)
			return perr(c, "name too long", NULL);
		out[n++] = c->s[c->pos++];
	}
	return n ? 0 : perr(c, "expected a name", NULL);
}

static int init_partition(struct cur *c, struct uv_txn_step *s)
{
	struct uv_txn_partition *p = &s->partition;
	int ret;

	s->op = UV_TXN_INIT_PARTITION;
	p->type = UV_PT_USER;
	ret = pnum(c, &p->number, false);
	if (!ret)
		ret = need(c, '(');
	if (!ret)
		ret = parse_string(c, p->name, sizeof(p->name));
	if (!ret)
		ret = need(c, ',');
	if (!ret)
		ret = ident(c, p->role, sizeof(p->role));
	while (!ret && punct(c, ',')) {
		u32 t;

		if (word(c, "...")) {
			break;
		} else if (word(c, "type")) {
			char name[16] = { 0 };

			ret = need(c, '=');
			if (!ret)
				ret = ident(c, name, sizeof(name));
			for (t = 1; !ret && t <= UV_PT_MAX; t++)
				if (!strcmp(name, type_names[t]))
					break;
			if (!ret && t > UV_PT_MAX)
				ret = perr(c, "unknown partition type", NULL);
			p->type = t;
		} else {
			ret = perr(c, "expected 'type=' or '...'", NULL);
		}
	}
	if (!ret)
		ret = need(c, ')');
	return ret;
}

/* Mem[G,M,K] or Mem[T,G,M,K]: a page frame. */
static int mem(struct cur *c, u64 *pfn)
{
	u64 part[4];
	u32 n = 0;
	int ret = expect(c, "Mem");

	if (!ret)
		ret = need(c, '[');
	while (!ret) {
		ret = parse_number(c, &part[n], n ? 1023 : 0xffffffffu);
		n++;
		if (ret || n == 4 || !punct(c, ','))
			break;
	}
	if (!ret)
		ret = need(c, ']');
	if (!ret && n < 3)
		ret = perr(c, "expected Mem[T,G,M,K] or Mem[G,M,K]", NULL);
	if (!ret && n == 3 && part[0] > 1023)
		ret = perr(c, "number out of range", NULL);
	if (!ret)
		*pfn = n == 3 ? part[0] << 20 | part[1] << 10 | part[2] :
		       part[0] << 30 | part[1] << 20 | part[2] << 10 | part[3];
	return ret;
}

static int initialize(struct cur *c, struct uv_txn_step *s)
{
	int ret;

	if (word(c, "Partition"))
		return init_partition(c, s);
	if (word(c, "Processor")) {
		s->op = UV_TXN_INIT_PROCESSOR;
		ret = pnum(c, &s->processor.number, false);
		if (!ret)
			ret = need(c, '(');
		if (!ret)
			ret = expect(c, "cpu");
		if (!ret)
			ret = need(c, '=');
		if (!ret)
			ret = num32(c, &s->processor.cpu, 0xffffffffu);
		if (!ret)
			ret = need(c, ')');
		return ret;
	}
	if (word(c, "Channel")) {
		struct uv_txn_channel *ch = &s->channel;

		s->op = UV_TXN_INIT_CHANNEL;
		ret = pnum(c, &ch->number, false);
		if (!ret)
			ret = need(c, '(');
		if (!ret)
			ret = expect(c, "type");
		if (!ret)
			ret = need(c, '=');
		if (!ret)
			ret = num32(c, &ch->type, 0xffffffffu);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = expect(c, "client");
		if (!ret)
			ret = pnum(c, &ch->client, false);
		if (!ret)
			ret = need(c, ',');
		if (!ret)
			ret = expect(c, "pages");
		if (!ret)
			ret = mem(c, &ch->first_pfn);
		if (!ret)
			ret = need(c, '+');
		if (!ret)
			ret = num32(c, &ch->nr_pages, 0xffffffffu);
		if (!ret)
			ret = need(c, ')');
		return ret;
	}
	return perr(c, "expected 'Partition', 'Processor' or 'Channel'", NULL);
}

static int destroy(struct cur *c, struct uv_txn_step *s)
{
	if (word(c, "Partition"))
		s->op = UV_TXN_DESTROY_PARTITION;
	else if (word(c, "Processor"))
		s->op = UV_TXN_DESTROY_PROCESSOR;
	else if (word(c, "Channel"))
		s->op = UV_TXN_DESTROY_CHANNEL;
	else
		return perr(c, "expected 'Partition', 'Processor' or 'Channel'", NULL);
	return pnum(c, &s->destroy.number, false);
}

static int parse_step(struct cur *c, struct uv_txn_step *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if (word(c, "Change"))
		ret = change(c, s);
	else if (word(c, "Split"))
		ret = split_merge(c, s, true);
	else if (word(c, "Merge"))
		ret = split_merge(c, s, false);
	else if (word(c, "Initialize"))
		ret = initialize(c, s);
	else if (word(c, "Destroy"))
		ret = destroy(c, s);
	else
		ret = perr(c, "expected a transaction step", NULL);
	if (!ret && !at_end(c))
		ret = perr(c, "unexpected text after the step", NULL);
	return ret;
}

int resdb_text_parse_step(const char *line, u64 len, struct uv_txn_step *s,
			  struct resdb_text_error *err)
{
	struct cur c = { .s = line, .len = len, .err = err };

	return parse_step(&c, s);
}

void resdb_text_init(struct resdb_text *t, const char *buf, u64 len)
{
	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->len = len;
}

static int marker(struct cur *c, struct resdb_text_item *item)
{
	if (word(c, "Begin"))
		item->kind = RESDB_TEXT_BEGIN;
	else if (word(c, "Commit") || word(c, "End"))
		item->kind = RESDB_TEXT_COMMIT;
	else if (word(c, "Abort"))
		item->kind = RESDB_TEXT_ABORT;
	else
		return 1;
	if (expect(c, "Transaction"))
		return -RESDB_EPARSE;
	return at_end(c) ? 0 : perr(c, "unexpected text after 'Transaction'", NULL);
}

int resdb_text_next(struct resdb_text *t, struct resdb_text_item *item)
{
	memset(item, 0, sizeof(*item));
	while (t->pos < t->len) {
		struct cur c = { .s = t->buf + t->pos, .err = &t->err };
		u64 eol = 0;
		int ret;

		while (t->pos + eol < t->len && t->buf[t->pos + eol] != '\n')
			eol++;
		c.len = eol;
		if (eol && c.s[eol - 1] == '\r')
			c.len--;
		t->pos += eol + (t->pos + eol < t->len);
		t->line++;
		t->err.line = t->line;
		item->line = t->line;
		if (at_end(&c))
			continue;
		if (c.s[c.pos] == '@') {
			item->kind = RESDB_TEXT_DIRECTIVE;
			item->text = c.s + c.pos + 1;
			item->text_len = (u32)(c.len - c.pos - 1);
			return 0;
		}
		ret = marker(&c, item);
		if (ret <= 0)
			return ret;
		item->kind = RESDB_TEXT_STEP;
		return parse_step(&c, &item->step);
	}
	item->kind = RESDB_TEXT_END;
	return 0;
}
