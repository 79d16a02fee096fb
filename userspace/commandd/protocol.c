// SPDX-License-Identifier: GPL-2.0
/*
 * The request parser and the response shapes (docs/command-api.md). A request is
 * untrusted input: it is parsed with json-c in strict mode, then every field is
 * checked against the op's table - unknown fields, wrong types, out-of-range
 * values and malformed names are refused with EINVAL or ERANGE and a message that
 * names the field. Nothing here touches the database.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commandd.h"
#include "ultra_json.h"

/* Record the error and return it: visibly non-zero to the static analysers. */
#define FAIL(e, err, ...) (ultra_err_set(e, err, __VA_ARGS__), -(err))

static const char *const op_names[CMDD_OP_MAX] = {
	[CMDD_OP_CREATE] = "create",	     [CMDD_OP_DESTROY] = "destroy",
	[CMDD_OP_START] = "start",	     [CMDD_OP_PAUSE] = "pause",
	[CMDD_OP_RESUME] = "resume",	     [CMDD_OP_STOP] = "stop",
	[CMDD_OP_SET_SCHEDULE] = "set_schedule", [CMDD_OP_LIST] = "list",
	[CMDD_OP_SHOW] = "show",	     [CMDD_OP_DB_DUMP] = "db_dump",
	[CMDD_OP_DB_VERIFY] = "db_verify",   [CMDD_OP_STATS] = "stats",
};

const char *cmdd_op_name(enum cmdd_op op)
{
	return op < CMDD_OP_MAX ? op_names[op] : "?";
}

int cmdd_op_by_name(const char *name, enum cmdd_op *op)
{
	u32 i;

	for (i = 0; i < CMDD_OP_MAX; i++)
		if (!strcmp(name, op_names[i])) {
			*op = (enum cmdd_op)i;
			return 0;
		}
	return -EINVAL;
}

bool cmdd_op_mutates(enum cmdd_op op)
{
	return op <= CMDD_OP_SET_SCHEDULE;
}

/* ---- field tables ------------------------------------------------------------------ */

enum field {
	F_NAME = 1 << 0,
	F_MEMORY = 1 << 1,
	F_PROCESSORS = 1 << 2,
	F_DUTY = 1 << 3,
	F_ROLE = 1 << 4,
	F_IMAGE = 1 << 5,
	F_CHANNELS = 1 << 6,
	F_INITRD = 1 << 7,
	F_CMDLINE = 1 << 8,
	F_CPU = 1 << 9,
	F_OFFSET = 1 << 10,
};

static const struct {
	const char *key;
	enum field f;
} fields[] = {
	{ "name", F_NAME },	     { "memory", F_MEMORY }, { "processors", F_PROCESSORS },
	{ "duty", F_DUTY },	     { "role", F_ROLE },     { "image", F_IMAGE },
	{ "channels", F_CHANNELS }, { "initrd", F_INITRD }, { "cmdline", F_CMDLINE },
	{ "cpu", F_CPU },	     { "offset", F_OFFSET },
};

/* Which fields an op accepts, and which it requires. */
static const struct {
	u32 allowed;
	u32 required;
} op_fields[CMDD_OP_MAX] = {
	[CMDD_OP_CREATE] = { F_NAME | F_MEMORY | F_PROCESSORS | F_DUTY | F_ROLE | F_IMAGE |
			     F_CHANNELS | F_INITRD | F_CMDLINE | F_CPU | F_OFFSET,
			     F_NAME | F_MEMORY },
	[CMDD_OP_DESTROY] = { F_NAME, F_NAME },
	[CMDD_OP_START] = { F_NAME | F_IMAGE | F_INITRD | F_CMDLINE, F_NAME },
	[CMDD_OP_PAUSE] = { F_NAME, F_NAME },
	[CMDD_OP_RESUME] = { F_NAME, F_NAME },
	[CMDD_OP_STOP] = { F_NAME, F_NAME },
	[CMDD_OP_SET_SCHEDULE] = { F_NAME | F_PROCESSORS | F_DUTY, F_NAME },
	[CMDD_OP_SHOW] = { F_NAME, F_NAME },
};

/* ---- value checks ------------------------------------------------------------------ */

static int get_string(json_object *v, const char *what, const char **s, size_t max,
		      struct ultra_err *e)
{
	size_t n;

	*s = NULL;
	if (!json_object_is_type(v, json_type_string))
		return FAIL(e, EINVAL, "%s: must be a string", what);
	*s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(*s) != n)
		return FAIL(e, EINVAL, "%s: must not contain NUL", what);
	if (!n || n > max)
		return FAIL(e, EINVAL, "%s: must be 1..%zu characters", what, max);
	return 0;
}

static int get_uint(json_object *v, const char *what, u64 min, u64 max, u64 *out,
		    struct ultra_err *e)
{
	int64_t x;

	*out = 0;
	if (!json_object_is_type(v, json_type_int))
		return FAIL(e, EINVAL, "%s: must be an integer", what);
	x = json_object_get_int64(v);
	if (x < 0)
		return FAIL(e, ERANGE, "%s: must not be negative", what);
	if ((u64)x < min || (u64)x > max || x == INT64_MAX)
		return FAIL(e, ERANGE, "%s: must be %llu..%llu", what,
				     (unsigned long long)min, (unsigned long long)max);
	*out = (u64)x;
	return 0;
}

/* Partition names: 1..31 of [A-Za-z0-9._-], starting with a letter or digit. */
static int check_name(const char *s, const char *what, struct ultra_err *e)
{
	size_t i, n = strlen(s);

	if (!n || n >= UV_NAME_LEN)
		return FAIL(e, EINVAL, "%s: must be 1..%d characters", what,
				     UV_NAME_LEN - 1);
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (!i || (c != '.' && c != '_' && c != '-')))
			return FAIL(e, EINVAL,
					     "%s: letters, digits, '.', '_' and '-' only, starting with a letter or digit",
					     what);
	}
	return 0;
}

static int parse_channel(json_object *o, u32 i, struct cmdd_channel_spec *ch,
			 struct ultra_err *e)
{
	char what[64];
	bool have_type = false, have_pages = false;
	u64 v = 0;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return FAIL(e, EINVAL, "args.channels[%u]: must be an object", i);
	json_object_object_foreach(o, key, val) {
		snprintf(what, sizeof(what), "args.channels[%u].%.16s", i, key);
		if (!strcmp(key, "type")) {
			ret = get_uint(val, what, 1, 0xffff, &v, e);
			ch->type = (u32)v;
			have_type = true;
		} else if (!strcmp(key, "pages")) {
			ret = get_uint(val, what, 1, CMDD_CHANNEL_MAX_PAGES, &v, e);
			ch->pages = (u32)v;
			have_pages = true;
		} else if (!strcmp(key, "server")) {
			const char *s = NULL;

			ret = get_string(val, what, &s, UV_NAME_LEN - 1, e);
			if (!ret)
				ret = check_name(s, what, e);
			if (!ret)
				memcpy(ch->server, s, strlen(s) + 1);
		} else {
			ret = FAIL(e, EINVAL, "args.channels[%u]: unknown field '%.32s'", i,
					    key);
		}
		if (ret)
			return ret;
	}
	if (!have_type || !have_pages)
		return FAIL(e, EINVAL, "args.channels[%u]: needs \"type\" and \"pages\"", i);
	return 0;
}

static int parse_field(enum field f, json_object *val, struct cmdd_request *req,
		       struct ultra_err *e)
{
	struct cmdd_create_spec *c = &req->c;
	const char *s = NULL;
	u64 v = 0;
	int ret;
	u32 i;

	switch (f) {
	case F_NAME:
		ret = get_string(val, "args.name", &s, UV_NAME_LEN - 1, e);
		if (!ret)
			ret = check_name(s, "args.name", e);
		if (!ret)
			memcpy(c->name, s, strlen(s) + 1);
		return ret;
	case F_MEMORY:
		ret = get_uint(val, "args.memory", CMDD_MEM_UNIT, CMDD_MEM_MAX, &v, e);
		if (!ret && v % CMDD_MEM_UNIT)
			ret = FAIL(e, EINVAL,
					    "args.memory: must be a multiple of 4 MiB (%llu bytes)",
					    CMDD_MEM_UNIT);
		c->memory = v;
		return ret;
	case F_PROCESSORS:
		/* 0: an I/O partition played by a host daemon (checked with the role) */
		ret = get_uint(val, "args.processors", 0, CMDD_MAX_VCPUS, &v, e);
		c->processors = (u32)v;
		req->has_processors = true;
		return ret;
	case F_DUTY:
		ret = get_uint(val, "args.duty", 1, UV_SLOTS, &v, e);
		c->duty = (u32)v;
		req->has_duty = true;
		return ret;
	case F_CPU:
		ret = get_uint(val, "args.cpu", 0, RESDB_MAX_CPUS - 1, &v, e);
		c->cpu = (u32)v;
		return ret;
	case F_OFFSET:
		ret = get_uint(val, "args.offset", 0, UV_SLOTS - 1, &v, e);
		c->offset = (u32)v;
		return ret;
	case F_ROLE:
		ret = get_string(val, "args.role", &s, 16, e);
		if (!ret && cmdd_role_by_name(s, &c->role))
			ret = FAIL(e, EINVAL,
					    "args.role: must be \"user\", \"io\", \"command\" or \"operations\"");
		return ret;
	case F_IMAGE:
		ret = get_string(val, "args.image", &s, CMDAPI_PATH_MAX, e);
		if (!ret && s[0] != '/')
			ret = FAIL(e, EINVAL, "args.image: must be an absolute path");
		if (!ret)
			memcpy(req->image, s, strlen(s) + 1);
		return ret;
	case F_INITRD:
		ret = get_string(val, "args.initrd", &s, CMDAPI_PATH_MAX, e);
		if (!ret && s[0] != '/')
			ret = FAIL(e, EINVAL, "args.initrd: must be an absolute path");
		if (!ret)
			memcpy(req->initrd, s, strlen(s) + 1);
		return ret;
	case F_CMDLINE:
		ret = get_string(val, "args.cmdline", &s, ULTRA_BOOT_CMDLINE_MAX, e);
		if (!ret)
			memcpy(req->cmdline, s, strlen(s) + 1);
		return ret;
	case F_CHANNELS:
		if (!json_object_is_type(val, json_type_array))
			return FAIL(e, EINVAL, "args.channels: must be an array");
		if (json_object_array_length(val) > CMDD_MAX_CHANNELS)
			return FAIL(e, ERANGE, "args.channels: at most %u channels",
					     CMDD_MAX_CHANNELS);
		c->nr_channels = (u32)json_object_array_length(val);
		for (i = 0; i < c->nr_channels; i++) {
			ret = parse_channel(json_object_array_get_idx(val, i), i, &c->channels[i], e);
			if (ret)
				return ret;
		}
		return 0;
	}
	return FAIL(e, EINVAL, "internal: field %d", f);
}

static int parse_args(json_object *args, struct cmdd_request *req, struct ultra_err *e)
{
	u32 allowed = op_fields[req->op].allowed, seen = 0, i;
	int ret;

	/* defaults */
	req->c.role = CMDD_ROLE_USER;
	req->c.processors = 1;
	req->c.duty = UV_SLOTS;
	req->c.cpu = CMDD_ANY;
	req->c.offset = CMDD_ANY;
	if (!args)
		goto required;
	if (!json_object_is_type(args, json_type_object))
		return FAIL(e, EINVAL, "args: must be an object");
	json_object_object_foreach(args, key, val) {
		enum field f = 0;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(key, fields[i].key))
				f = fields[i].f;
		if (!f || !(allowed & f))
			return FAIL(e, EINVAL, "args: unknown field '%.32s' for %s", key,
					     cmdd_op_name(req->op));
		ret = parse_field(f, val, req, e);
		if (ret)
			return ret;
		seen |= f;
	}
required:
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((op_fields[req->op].required & fields[i].f) && !(seen & fields[i].f))
			return FAIL(e, EINVAL, "args.%s: missing", fields[i].key);
	if (req->op == CMDD_OP_CREATE && !(seen & F_DUTY) &&
	    (req->c.role == CMDD_ROLE_COMMAND || req->c.role == CMDD_ROLE_OPERATIONS))
		req->c.duty = UV_SLOTS / 2;	/* they share one CPU (Figure 6) */
	/*
	 * An I/O partition without an image is a host daemon's identity (ultra-consoled
	 * serves as one): it runs nothing, so by default it takes no processor slots.
	 * --processors N still gives it N dedicated CPUs; an image needs at least one.
	 */
	if (req->op == CMDD_OP_CREATE && req->c.role == CMDD_ROLE_IO && !(seen & F_PROCESSORS))
		req->c.processors = (seen & F_IMAGE) ? 1 : 0;
	if (req->op == CMDD_OP_CREATE && !req->c.processors && req->c.role != CMDD_ROLE_IO)
		return FAIL(e, EINVAL,
			    "args.processors: 0 only for an I/O partition (one a host daemon plays)");
	if (req->op == CMDD_OP_CREATE && !req->c.processors && (seen & F_IMAGE))
		return FAIL(e, EINVAL, "args.processors: an image needs at least 1 to run on");
	if (req->op == CMDD_OP_CREATE && req->c.role == CMDD_ROLE_IO && (seen & F_DUTY) &&
	    req->c.duty != UV_SLOTS)
		return FAIL(e, EINVAL,
				     "args.duty: I/O partitions get dedicated CPUs (duty 16)");
	if ((seen & (F_INITRD | F_CMDLINE)) && !(seen & F_IMAGE))
		return FAIL(e, EINVAL, "args.initrd, args.cmdline: only with args.image");
	if ((seen & F_OFFSET) && !(seen & F_CPU))
		return FAIL(e, EINVAL, "args.offset: needs args.cpu");
	if ((seen & F_CPU) && req->c.processors != 1)
		return FAIL(e, EINVAL, "args.cpu: places one virtual processor (processors 1)");
	if ((seen & F_OFFSET) && req->c.offset + (req->c.role == CMDD_ROLE_IO ? UV_SLOTS :
						  req->c.duty) > UV_SLOTS)
		return FAIL(e, EINVAL, "args.offset: offset %u + duty is past slot %u",
			    req->c.offset, UV_SLOTS - 1);
	if (req->op == CMDD_OP_SET_SCHEDULE && !(seen & (F_DUTY | F_PROCESSORS)))
		return FAIL(e, EINVAL, "args: set_schedule needs duty or processors");
	return 0;
}

static void fnv(u64 *h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		*h = (*h ^ *b++) * 0x100000001b3ull;
}

static u64 fingerprint(const struct cmdd_request *r)
{
	u64 h = 0xcbf29ce484222325ull;
	u64 v = (u64)r->op << 56 | (u64)r->c.role << 48 | (u64)r->c.processors << 32 |
		(u64)r->c.duty << 16 | (u64)r->c.nr_channels << 2 | (u64)r->has_duty << 1 |
		(u64)r->has_processors;
	u64 mem = r->c.memory;
	u32 i;

	fnv(&h, &v, sizeof(v));
	fnv(&h, &mem, sizeof(mem));
	fnv(&h, &r->c.cpu, sizeof(r->c.cpu));
	fnv(&h, &r->c.offset, sizeof(r->c.offset));
	fnv(&h, r->c.name, strnlen(r->c.name, sizeof(r->c.name)));
	fnv(&h, "/", 1);
	fnv(&h, r->image, strnlen(r->image, sizeof(r->image)));
	fnv(&h, "/", 1);
	fnv(&h, r->initrd, strnlen(r->initrd, sizeof(r->initrd)));
	fnv(&h, "/", 1);
	fnv(&h, r->cmdline, strnlen(r->cmdline, sizeof(r->cmdline)));
	fnv(&h, "/", 1);
	for (i = 0; i < r->c.nr_channels; i++) {
		const struct cmdd_channel_spec *c = &r->c.channels[i];

		fnv(&h, &c->type, sizeof(c->type));
		fnv(&h, &c->pages, sizeof(c->pages));
		fnv(&h, c->server, strnlen(c->server, sizeof(c->server)));
		fnv(&h, "/", 1);
	}
	return h;
}

int cmdd_request_parse(const char *buf, size_t len, struct cmdd_request *req,
		       struct ultra_err *e)
{
	struct json_tokener *tok;
	json_object *o, *args = NULL;
	bool have_op = false, have_id = false;
	size_t end = len;
	int ret = 0;

	memset(req, 0, sizeof(*req));
	while (end && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' ' ||
		       buf[end - 1] == '\t'))
		end--;
	if (!end)
		return FAIL(e, EINVAL, "empty request");
	if (end > CMDAPI_REQUEST_MAX)
		return FAIL(e, EMSGSIZE, "request longer than %d bytes",
				     CMDAPI_REQUEST_MAX);
	tok = json_tokener_new_ex(16);
	if (!tok)
		return FAIL(e, ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)end);
	if (json_tokener_get_error(tok) != json_tokener_success || !o) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		size_t at = (size_t)tok->char_offset;

		json_tokener_free(tok);
		json_object_put(o);
		return FAIL(e, EINVAL, "request is not JSON: %s at byte %zu",
				     je == json_tokener_continue ? "unexpected end" :
				     json_tokener_error_desc(je), at);
	}
	if ((size_t)tok->char_offset != end) {
		json_tokener_free(tok);
		json_object_put(o);
		return FAIL(e, EINVAL, "request: bytes after the JSON object");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return FAIL(e, EINVAL, "request: must be a JSON object");
	}
	/* the id first, so that every later error can carry it */
	{
		json_object *id;

		if (json_object_object_get_ex(o, "id", &id) && json_object_is_type(id, json_type_string) &&
		    cmdapi_id_valid(json_object_get_string(id)) &&
		    strlen(json_object_get_string(id)) == (size_t)json_object_get_string_len(id)) {
			memcpy(req->id, json_object_get_string(id),
			       strlen(json_object_get_string(id)) + 1);
			have_id = true;
		}
	}
	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "v")) {
			if (!json_object_is_type(val, json_type_int) ||
			    json_object_get_int64(val) != CMDAPI_VERSION)
				ret = FAIL(e, EPROTONOSUPPORT,
						    "v: protocol version %d only", CMDAPI_VERSION);
		} else if (!strcmp(key, "id")) {
			if (!have_id)
				ret = FAIL(e, EINVAL,
						    "id: must be a string of 1..%d of [A-Za-z0-9._:-]",
						    CMDAPI_ID_MAX);
		} else if (!strcmp(key, "op")) {
			if (!json_object_is_type(val, json_type_string) ||
			    cmdd_op_by_name(json_object_get_string(val), &req->op))
				ret = FAIL(e, EOPNOTSUPP, "op: unknown operation");
			have_op = !ret;
		} else if (!strcmp(key, "args")) {
			args = val;
		} else {
			ret = FAIL(e, EINVAL, "request: unknown field '%.32s'", key);
		}
		if (ret)
			break;
	}
	if (!ret && !have_id)
		ret = FAIL(e, EINVAL, "id: missing");
	if (!ret && !have_op)
		ret = FAIL(e, EINVAL, "op: missing");
	if (!ret)
		ret = parse_args(args, req, e);
	if (!ret)
		req->fingerprint = fingerprint(req);
	json_object_put(o);
	return ret;
}

/* ---- responses ---------------------------------------------------------------------- */

static json_object *response(const char *id, bool ok)
{
	json_object *r = json_object_new_object();

	if (!r)
		return NULL;
	json_object_object_add(r, "v", json_object_new_int(CMDAPI_VERSION));
	json_object_object_add(r, "id", id && id[0] ? json_object_new_string(id) : NULL);
	json_object_object_add(r, "ok", json_object_new_boolean(ok));
	return r;
}

json_object *cmdd_response_ok(const char *id, json_object *result)
{
	json_object *r = response(id, true);

	if (!r) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(r, "result", result ? result : json_object_new_object());
	return r;
}

json_object *cmdd_response_error(const char *id, const struct ultra_err *e)
{
	json_object *r = response(id, false);

	if (r)
		json_object_object_add(r, "error", ultra_json_error(e));
	return r;
}
