// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output helpers on json-c (a maintained library, already a dependency
 * for definitions; hand-written escaping is where output bugs live).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ultra_json.h"

int ultra_json_add(json_object *obj, const char *key, json_object *val)
{
	if (!obj || !key) {
		json_object_put(val);
		return -EINVAL;
	}
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

/* Add a freshly made value; a NULL @val here means its constructor failed. */
static int add_new(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	return ultra_json_add(obj, key, val);
}

static json_object *abi_string(unsigned int major, unsigned int minor)
{
	char abi[32];

	snprintf(abi, sizeof(abi), "%u.%u", major, minor);
	return json_object_new_string(abi);
}

json_object *ultra_json_tool(const char *name)
{
	json_object *o = json_object_new_object();
	int err = 0;

	if (!o)
		return NULL;
	err |= add_new(o, "name", json_object_new_string(name ? name : ""));
	err |= add_new(o, "version", json_object_new_string(ultra_tool_version()));
	err |= add_new(o, "abi", abi_string(UV_ABI_MAJOR, UV_ABI_MINOR));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *ultra_json_version(const struct uv_version *v)
{
	json_object *o;
	int err = 0;

	if (!v)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	err |= add_new(o, "version",
		       json_object_new_string_len(v->module_version,
						  (int)strnlen(v->module_version,
							       sizeof(v->module_version))));
	err |= add_new(o, "abi", abi_string(v->abi_major, v->abi_minor));
	err |= add_new(o, "abi_major", json_object_new_int64(v->abi_major));
	err |= add_new(o, "abi_minor", json_object_new_int64(v->abi_minor));
	err |= add_new(o, "virt", json_object_new_string(ultra_virt_id(v->virt)));
	err |= add_new(o, "nr_cpus", json_object_new_int64(v->nr_cpus));
	err |= add_new(o, "flags", json_object_new_int64(v->flags));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *ultra_json_error(const struct ultra_err *e)
{
	json_object *o;
	int err = 0;

	if (!e)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	err |= add_new(o, "errno", json_object_new_int(e->err));
	err |= add_new(o, "errno_name",
		       json_object_new_string(e->err ? ultra_errno_name(e->err) : ""));
	err |= add_new(o, "message", json_object_new_string(e->msg));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

const char *ultra_json_string(json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			  JSON_C_TO_STRING_PLAIN;
	return json_object_to_json_string_ext(o, flags);
}

int ultra_json_print(FILE *f, json_object *o, bool pretty)
{
	const char *s = ultra_json_string(o, pretty);

	if (!s || fprintf(f, "%s\n", s) < 0 || fflush(f))
		return -EIO;
	return 0;
}
