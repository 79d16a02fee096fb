// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl partition create|destroy|list|show|start|stop|pause|resume through the
 * command daemon (docs/command-api.md), and ultractl db verify.
 *
 * These never open /dev/ultravisor: the daemon holds the command channel and
 * makes every placement decision; ultractl only sends it a request. A request
 * carries an id (--id, or a fresh one); when the daemon restarts in the middle,
 * the same request goes again with the same id until --timeout, so it is done
 * once and answered once (the daemon's journal).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdapi.h"
#include "ultra.h"
#include "ultra_db.h"
#include "ultra_json.h"
#include "ultractl.h"

#define PCREATE_TIMEOUT_S	30

struct popts {
	const char *id;
	const char *socket;
	int timeout_ms;
	json_object *args;	/* the request's args, built from the options */
};

static const struct ultractl_cmd *cmd_self;

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int64_t jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static int call(struct ultractl_ctx *ctx, struct popts *o, const char *op,
		json_object **result)
{
	struct ultra_err e = { 0 };
	char id[CMDAPI_ID_MAX + 1];
	int ret;

	if (!o->id) {
		cmdapi_new_id(id, sizeof(id), "ultractl");
		o->id = id;
	}
	ret = cmdapi_call_retry(o->socket, o->id, op, o->args, o->timeout_ms, result, &e);
	o->args = NULL;
	o->id = NULL;
	if (ret)
		return ultractl_fail(ctx, &e);
	return ULTRACTL_EXIT_OK;
}

/* Options: the common ones, the request's, and create's. */
static int parse(struct ultractl_ctx *ctx, int argc, char **argv, struct popts *o,
		 const char *op, const char **name)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "id", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "mem", required_argument, NULL, 'm' },
		{ "memory", required_argument, NULL, 'm' },
		{ "duty", required_argument, NULL, 'd' },
		{ "processors", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "image", required_argument, NULL, 'I' },
		{ "kernel", required_argument, NULL, 'I' },	/* a Linux bzImage is an image too */
		{ "initrd", required_argument, NULL, 'R' },
		{ "cmdline", required_argument, NULL, 'C' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	char *end;
	int c;

	optind = 0;	/* reinitialise: options may come after NAME (permuted) */
	opterr = 0;
	o->timeout_ms = PCREATE_TIMEOUT_S * 1000;
	while ((c = getopt_long(argc, argv, "jhi:S:t:m:d:p:r:I:R:C:c:o:", opts, NULL)) != -1) {
		if ((c == 'm' || c == 'd' || c == 'p' || c == 'r' || c == 'c' || c == 'o') &&
		    strcmp(op, "create") != 0)
			return ultractl_usage(ctx, cmd_self, "that option is for create only");
		if ((c == 'I' || c == 'R' || c == 'C') && strcmp(op, "create") != 0 &&
		    strcmp(op, "start") != 0)
			return ultractl_usage(ctx, cmd_self,
					      "--image/--kernel, --initrd, --cmdline are for create and start");
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			return ultractl_help(ctx, cmd_self);
		case 'i':
			if (!cmdapi_id_valid(optarg))
				return ultractl_usage(ctx, cmd_self,
						      "--id: 1..64 of A-Z a-z 0-9 . _ : -");
			o->id = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 't':
			v = strtoull(optarg, &end, 10);
			if (*end || end == optarg || v > 3600)
				return ultractl_usage(ctx, cmd_self, "--timeout: 0..3600 seconds");
			o->timeout_ms = (int)v * 1000;
			break;
		case 'm':
			if (ultra_parse_size(optarg, &v))
				return ultractl_usage(ctx, cmd_self, "--mem: SIZE, e.g. 64M");
			json_object_object_add(o->args, "memory", json_object_new_int64((int64_t)v));
			break;
		case 'd':
		case 'p':
		case 'c':
		case 'o':
			/* the daemon checks the ranges; it says which and why */
			v = strtoull(optarg, &end, 10);
			if (*end || end == optarg || v > 1024)
				return ultractl_usage(ctx, cmd_self,
						      "--duty/--processors/--cpu/--offset: a number");
			json_object_object_add(o->args, c == 'd' ? "duty" : c == 'p' ? "processors" :
					       c == 'c' ? "cpu" : "offset",
					       json_object_new_int64((int64_t)v));
			break;
		case 'r':
			json_object_object_add(o->args, "role", json_object_new_string(optarg));
			break;
		case 'I':
			json_object_object_add(o->args, "image", json_object_new_string(optarg));
			break;
		case 'R':
			json_object_object_add(o->args, "initrd", json_object_new_string(optarg));
			break;
		case 'C':
			json_object_object_add(o->args, "cmdline", json_object_new_string(optarg));
			break;
		default:
			fprintf(stderr, "%s %s: unknown option '%s'\n", ctx->prog, cmd_self->name,
				argv[optind - 1]);
			return ultractl_usage(ctx, cmd_self, "bad option");
		}
	}
	if (name) {
		if (optind != argc - 1)
			return ultractl_usage(ctx, cmd_self, "one partition NAME expected");
		*name = argv[optind];
		json_object_object_add(o->args, "name", json_object_new_string(*name));
	} else if (optind != argc) {
		return ultractl_usage(ctx, cmd_self, "unexpected argument");
	}
	return ULTRACTL_CONTINUE;
}

static void print_partition(json_object *p)
{
	json_object *sched, *run;

	printf("%s %s: %s, %s, %" PRId64 " MiB", jstr(p, "name"), jstr(p, "number"),
	       jstr(p, "role"), jstr(p, "state"), jint(p, "memory") >> 20);
	if (json_object_object_get_ex(p, "schedule", &sched))
		for (size_t i = 0; i < json_object_array_length(sched); i++) {
			json_object *s = json_object_array_get_idx(sched, i);

			printf("%s vcpu %" PRId64 " on CPU %" PRId64 " slots %" PRId64 "-%" PRId64,
			       i ? "," : ";", jint(s, "vcpu"), jint(s, "cpu"), jint(s, "first"),
			       jint(s, "first") + jint(s, "width") - 1);
		}
	printf("\n");
	if (json_object_object_get_ex(p, "image", &run))
		printf("  image %s%s%s%s\n", json_object_get_string(run),
		       jint(p, "image_loaded") ? " loaded" : " not loaded",
		       jstr(p, "boot_channel")[0] ? " through Boot channel " : "",
		       jstr(p, "boot_channel"));
	if (json_object_object_get_ex(p, "run", &run)) {
		printf("  run: CPU %" PRId64 ", %" PRId64 " exits (%" PRId64
		       " host interrupts), %" PRId64 " console bytes",
		       jint(run, "cpu"), jint(run, "exits"), jint(run, "exits_host"),
		       jint(run, "console_bytes"));
		if (jint(run, "exited"))
			printf(", stopped itself: %s, exit code %" PRId64, jstr(run, "exited_by"),
			       jint(run, "exit_code"));
		printf("\n");
	}
}

static int output(struct ultractl_ctx *ctx, json_object *result, const char *op)
{
	if (ctx->json)
		return ultractl_json_out(result ? result : json_object_new_object());
	if (!strcmp(op, "destroy"))
		printf("destroyed %s\n", jstr(result, "name"));
	else if (result)
		print_partition(result);
	json_object_put(result);
	return ULTRACTL_EXIT_OK;
}

static int p_list(struct ultractl_ctx *ctx, struct popts *o)
{
	json_object *result = NULL, *arr;
	int ret = call(ctx, o, "list", &result);

	if (ret)
		return ret;
	if (ctx->json)
		return ultractl_json_out(result);
	printf("%-20s %-12s %-10s %-8s %10s %5s\n", "NAME", "NUMBER", "TYPE", "STATE", "OWNED",
	       "SLOTS");
	if (json_object_object_get_ex(result, "partitions", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *p = json_object_array_get_idx(arr, i);

			printf("%-20s %-12s %-10s %-8s %9" PRId64 "K %5" PRId64 "\n",
			       jstr(p, "name"), jstr(p, "number"), jstr(p, "type"), jstr(p, "state"),
			       jint(p, "owned_bytes") >> 10, jint(p, "slots"));
		}
	json_object_put(result);
	return ULTRACTL_EXIT_OK;
}

int ultractl_partition_daemon(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			      int argc, char **argv)
{
	static const char *const ops[] = { "create", "destroy", "show", "start", "stop",
					   "pause", "resume" };
	struct popts o = { 0 };
	const char *name = NULL;
	json_object *result = NULL;
	int ret;

	cmd_self = cmd;
	o.args = json_object_new_object();
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		ret = parse(ctx, argc - 1, argv + 1, &o, "list", NULL);
		json_object_put(o.args);
		o.args = NULL;
		return ret != ULTRACTL_CONTINUE ? ret : p_list(ctx, &o);
	}
	for (size_t i = 0; argc >= 2 && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(argv[1], ops[i]) != 0)
			continue;
		ret = parse(ctx, argc - 1, argv + 1, &o, ops[i], &name);
		if (ret != ULTRACTL_CONTINUE) {
			json_object_put(o.args);
			return ret;
		}
		if (i == 0 && !json_object_object_get_ex(o.args, "memory", NULL)) {
			json_object_put(o.args);
			return ultractl_usage(ctx, cmd, "create needs --mem SIZE");
		}
		ret = call(ctx, &o, ops[i], &result);
		return ret ? ret : output(ctx, result, ops[i]);
	}
	json_object_put(o.args);
	return ULTRACTL_CONTINUE;	/* not one of these */
}

/* ultractl db verify: the daemon's replica against the module, byte for byte. */
int ultractl_db_verify(struct ultractl_ctx *ctx)
{
	struct popts o = { .timeout_ms = 0 };
	struct ultra_err e = { 0 };
	json_object *result = NULL;
	char id[CMDAPI_ID_MAX + 1];
	int ret;

	cmdapi_new_id(id, sizeof(id), "verify");
	ret = cmdapi_call_retry(o.socket, id, "db_verify", NULL, 5000, &result, &e);
	if (ret)
		return ultractl_fail(ctx, &e);
	if (ctx->json)
		return ultractl_json_out(result);
	printf("replica = module: %" PRId64 " bytes, log seq %" PRId64 "; replica check %s; %" PRId64
	       " partitions, %" PRId64 " index pages, %" PRId64 " processors, %" PRId64 " channels\n",
	       jint(result, "module_bytes"), jint(result, "module_next_seq"),
	       jstr(result, "replica_check"), jint(result, "partitions"),
	       jint(result, "index_pages"), jint(result, "processors"), jint(result, "channels"));
	json_object_put(result);
	return ULTRACTL_EXIT_OK;
}
