// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl pool show | grow SIZE [--node N [--strict]] | shrink SIZE | set SIZE: the
 * 4 MiB pages the module takes from Linux for partitions. show is read-only; the
 * others take the command channel. SIZE: bytes with an optional K, M, G or T
 * suffix, a multiple of 4M. --node: from that NUMA node where it has the pages
 * (then anywhere; --strict: nowhere else).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_db.h"
#include "ultra_json.h"
#include "ultractl.h"

static int run_pool(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct ultra_err e = { 0 };
	struct uv_pool p;
	uint32_t op = 0, node = 0, flags = 0;
	uint64_t bytes = 0;
	int fd, ret;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return ultractl_help(ctx, &ultractl_cmd_pool);
	for (;;) {
		if (argc >= 2 && (!strcmp(argv[argc - 1], "--json") || !strcmp(argv[argc - 1], "-j"))) {
			ctx->json = true;
			argc--;
		} else if (argc >= 2 && !strcmp(argv[argc - 1], "--strict")) {
			flags |= UV_POOL_F_STRICT;
			argc--;
		} else if (argc >= 3 && !strcmp(argv[argc - 2], "--node")) {
			char *end;
			unsigned long v = strtoul(argv[argc - 1], &end, 10);

			if (!*argv[argc - 1] || *end || v > UINT32_MAX)
				return ultractl_usage(ctx, &ultractl_cmd_pool,
						      "--node takes a node number");
			node = (uint32_t)v;
			flags |= UV_POOL_F_NODE;
			argc -= 2;
		} else {
			break;
		}
	}
	if (flags && (argc < 2 || strcmp(argv[1], "grow") != 0 || !(flags & UV_POOL_F_NODE)))
		return ultractl_usage(ctx, &ultractl_cmd_pool,
				      "--node N [--strict] go with grow only");
	if (argc < 2)
		return ultractl_usage(ctx, &ultractl_cmd_pool, "which pool command?");
	if (!strcmp(argv[1], "show")) {
		if (argc != 2)
			return ultractl_usage(ctx, &ultractl_cmd_pool, "show takes no argument");
	} else {
		if (!strcmp(argv[1], "grow"))
			op = UV_POOL_GROW;
		else if (!strcmp(argv[1], "shrink"))
			op = UV_POOL_SHRINK;
		else if (!strcmp(argv[1], "set"))
			op = UV_POOL_SET;
		else
			return ultractl_usage(ctx, &ultractl_cmd_pool, "unknown pool command");
		if (argc != 3 || ultra_parse_size(argv[2], &bytes))
			return ultractl_usage(ctx, &ultractl_cmd_pool, "SIZE expected, e.g. 64M");
	}
	fd = op ? ultra_open_cmd(ctx->dev_path, &e) : ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_pool_node(fd, op, bytes, node, flags, &p, &e);
	close(fd);
	if (ret)
		return ultractl_fail(ctx, &e);
	if (ctx->json) {
		json_object *j = json_object_new_object();

		ultra_json_add(j, "pool_bytes", json_object_new_int64((int64_t)p.pool_bytes));
		ultra_json_add(j, "free_bytes", json_object_new_int64((int64_t)p.free_bytes));
		ultra_json_add(j, "available_bytes",
			       json_object_new_int64((int64_t)p.available_bytes));
		ultra_json_add(j, "host_bytes", json_object_new_int64((int64_t)p.host_bytes));
		ultra_json_add(j, "log_seq", json_object_new_int64((int64_t)p.log_seq));
		if (flags)
			ultra_json_add(j, "node_bytes",
				       json_object_new_int64((int64_t)p.node_bytes));
		return ultractl_json_out(j);
	}
	printf("pool:      %" PRIu64 " MiB (%" PRIu64 " MiB free in whole 4 MiB pages)\n",
	       (uint64_t)p.pool_bytes >> 20, (uint64_t)p.free_bytes >> 20);
	printf("available: %" PRIu64 " KiB\n", (uint64_t)p.available_bytes >> 10);
	printf("host:      %" PRIu64 " KiB\n", (uint64_t)p.host_bytes >> 10);
	if (p.log_seq)
		printf("committed: log seq %" PRIu64 "\n", (uint64_t)p.log_seq);
	if (flags)
		printf("node %u:    %" PRIu64 " MiB of the grow%s%s\n", node,
		       (uint64_t)p.node_bytes >> 20, p.message[0] ? ": " : "", p.message);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

const struct ultractl_cmd ultractl_cmd_pool = {
	.name	= "pool",
	.run	= run_pool,
	.args	= "show | grow SIZE [--node N [--strict]] | shrink SIZE | set SIZE",
	.help	= "the memory pool: 4 MiB pages taken from Linux for partitions",
};
