/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON output helpers (json-c): the shapes every tool prints, so that scripts
 * parse one format. Constructors return a new object (caller owns it, free
 * with json_object_put()) or NULL when out of memory.
 */
#ifndef ULTRA_JSON_H
#define ULTRA_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ultra.h"

/* {"name": @name, "version": "0.1.0", "abi": "1.0"} */
json_object *ultra_json_tool(const char *name);

/*
 * {"version": "0.1.0", "abi": "1.0", "abi_major": 1, "abi_minor": 0,
 *  "virt": "svm", "nr_cpus": 2, "flags": 0}
 */
json_object *ultra_json_version(const struct uv_version *v);

/* {"errno": 2, "errno_name": "ENOENT", "message": "..."} */
json_object *ultra_json_error(const struct ultra_err *e);

/*
 * Add @val (may be NULL: JSON null) under @key, taking ownership of @val even
 * on failure. Returns 0 or -ENOMEM/-EINVAL.
 */
int ultra_json_add(json_object *obj, const char *key, json_object *val);

/* The text of @o: indented with two spaces if @pretty, else on one line. */
const char *ultra_json_string(json_object *o, bool pretty);

/* Write ultra_json_string() and a newline to @f. Returns 0 or -EIO. */
int ultra_json_print(FILE *f, json_object *o, bool pretty);

#endif /* ULTRA_JSON_H */
