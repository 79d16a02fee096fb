// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl channel list [--json]: the module's memory channels (UV_IOC_CHAN_LIST,
 * docs/channels.md "Kernel side") with their type, client, server slots, the
 * pending-reclamation flag and the notification counters: guest kicks (notify
 * hypercalls), of those the eventfd signals delivered to a server, and the
 * server's used-buffer notifications (UV_IOC_CHAN_NOTIFY) split into injected
 * interrupts, used-ring-only signals and refused vectors. Partition names come
 * from the partition list. Works on a read-only /dev/ultravisor.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_txn.h>

#include "chan_header.h"
#include "ultra.h"
#include "ultra_json.h"
#include "ultra_part.h"
#include "ultractl.h"

struct names {
	struct uv_partition_info *info;
	uint32_t count;
};

static const char *name_of(const struct names *n, uint32_t number, char *buf, size_t len)
{
	uint32_t i;

	for (i = 0; i < n->count; i++)
		if (n->info[i].number == number && n->info[i].name[0]) {
			snprintf(buf, len, "%.*s", (int)sizeof(n->info[i].name), n->info[i].name);
			return buf;
		}
	snprintf(buf, len, "-");
	return buf;
}

static json_object *json_part(const struct names *n, uint32_t number)
{
	json_object *o = json_object_new_object();
	char num[24], name[40];

	if (!o)
		return NULL;
	ultra_part_number_str(number, num, sizeof(num));
	if (ultra_json_add(o, "number", json_object_new_string(num)) ||
	    ultra_json_add(o, "name", json_object_new_string(name_of(n, number, name,
								       sizeof(name))))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *json_chan(const struct names *n, const struct uv_chan_info *c)
{
	const struct chan_type_info *t = chan_type_by_code(c->type);
	json_object *o = json_object_new_object(), *s = json_object_new_array();
	char num[24];
	int err = 0, k;

	if (!o || !s) {
		json_object_put(o);
		json_object_put(s);
		return NULL;
	}
	for (k = 0; k < 4; k++)
		if (c->server[k] != UV_NONE)
			err |= json_object_array_add(s, json_part(n, c->server[k]));
	ultra_part_number_str(c->number, num, sizeof(num));
	err |= ultra_json_add(o, "number", json_object_new_string(num));
	err |= ultra_json_add(o, "type", json_object_new_string(t ? t->name : "?"));
	err |= ultra_json_add(o, "type_code", json_object_new_int64(c->type));
	err |= ultra_json_add(o, "client", json_part(n, c->client));
	err |= ultra_json_add(o, "servers", s);
	err |= ultra_json_add(o, "pages", json_object_new_int64(c->nr_pages));
	err |= ultra_json_add(o, "gpa", json_object_new_int64((int64_t)c->gpa));
	err |= ultra_json_add(o, "open", json_object_new_int64(c->open));
	err |= ultra_json_add(o, "pending", json_object_new_boolean(!!(c->flags & UV_CHAN_F_PENDING)));
	err |= ultra_json_add(o, "guest_kicks", json_object_new_int64((int64_t)c->guest_kicks));
	err |= ultra_json_add(o, "kicks_signalled",
			      json_object_new_int64((int64_t)c->kicks_signalled));
	err |= ultra_json_add(o, "server_notifies",
			      json_object_new_int64((int64_t)c->server_notifies));
	err |= ultra_json_add(o, "server_irqs", json_object_new_int64((int64_t)c->server_irqs));
	err |= ultra_json_add(o, "server_used_only",
			      json_object_new_int64((int64_t)c->server_used_only));
	err |= ultra_json_add(o, "bad_vector", json_object_new_int64((int64_t)c->bad_vector));
	err |= ultra_json_add(o, "epoch", json_object_new_int64(c->epoch));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static void print_chan(const struct names *n, const struct uv_chan_info *c)
{
	const struct chan_type_info *t = chan_type_by_code(c->type);
	char num[24], cl[24], cname[40], sv[4][80];
	int k, ns = 0;

	ultra_part_number_str(c->number, num, sizeof(num));
	ultra_part_number_str(c->client, cl, sizeof(cl));
	for (k = 0; k < 4; k++) {
		char sn[24], name[40];

		if (c->server[k] == UV_NONE)
			continue;
		ultra_part_number_str(c->server[k], sn, sizeof(sn));
		snprintf(sv[ns++], sizeof(sv[0]), "%s %s", name_of(n, c->server[k], name,
								     sizeof(name)), sn);
	}
	printf("channel %s %s client %s %s pages %u gpa %#" PRIx64 " servers %s%s%s%s%s%s%s open %u%s"
	       " guest_kicks=%" PRIu64 " kicks_signalled=%" PRIu64 " server_notifies=%" PRIu64
	       " server_irqs=%" PRIu64 " server_used_only=%" PRIu64 " bad_vector=%" PRIu64
	       " epoch=%u\n",
	       num, t ? t->name : "?", name_of(n, c->client, cname, sizeof(cname)), cl,
	       c->nr_pages, (uint64_t)c->gpa, ns ? sv[0] : "none", ns > 1 ? ", " : "",
	       ns > 1 ? sv[1] : "", ns > 2 ? ", " : "", ns > 2 ? sv[2] : "", ns > 3 ? ", " : "",
	       ns > 3 ? sv[3] : "", c->open, c->flags & UV_CHAN_F_PENDING ? " pending-reclamation" : "",
	       (uint64_t)c->guest_kicks, (uint64_t)c->kicks_signalled,
	       (uint64_t)c->server_notifies, (uint64_t)c->server_irqs,
	       (uint64_t)c->server_used_only, (uint64_t)c->bad_vector, c->epoch);
}

static int run_channel(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct uv_chan_list l = { .size = sizeof(l), .max = UV_CHAN_LIST_MAX };
	struct uv_query q = { .size = sizeof(q), .what = UV_QUERY_PARTITIONS, .max = UV_QUERY_MAX };
	struct ultra_err e = { 0 };
	struct uv_chan_info *info;
	struct names n = { 0 };
	json_object *arr;
	uint32_t i;
	int fd, ret;

	if (argc >= 2 && !strcmp(argv[1], "list")) {
		argv[1] = argv[0];
		ret = ultractl_parse_common(ctx, &ultractl_cmd_channel, argc - 1, argv + 1);
		if (ret != ULTRACTL_CONTINUE)
			return ret;
	} else {
		ret = ultractl_parse_common(ctx, &ultractl_cmd_channel, argc, argv);
		if (ret != ULTRACTL_CONTINUE)
			return ret;
		return ultractl_usage(ctx, &ultractl_cmd_channel, "which channel command? (list)");
	}
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	info = calloc(UV_CHAN_LIST_MAX, sizeof(*info));
	n.info = calloc(UV_QUERY_MAX, sizeof(*n.info));
	if (!info || !n.info) {
		ultra_err_set(&e, ENOMEM, "out of memory");
		ret = ultractl_fail(ctx, &e);
		goto out;
	}
	l.buf = (uintptr_t)info;
	if (ioctl(fd, UV_IOC_CHAN_LIST, &l) < 0) {
		ultra_err_set(&e, errno, "UV_IOC_CHAN_LIST: %s", strerror(errno));
		ret = ultractl_fail(ctx, &e);
		goto out;
	}
	q.buf = (uintptr_t)n.info;
	if (!ioctl(fd, UV_IOC_QUERY, &q))
		n.count = q.count;	/* names only: numbers are printed in any case */
	if (ctx->json) {
		arr = json_object_new_array();
		for (i = 0; arr && i < l.count; i++)
			if (json_object_array_add(arr, json_chan(&n, &info[i]))) {
				json_object_put(arr);
				arr = NULL;
			}
		ret = ultractl_json_out(arr);
		goto out;
	}
	printf("%u channel(s)\n", l.total);
	for (i = 0; i < l.count; i++)
		print_chan(&n, &info[i]);
	ret = ULTRACTL_EXIT_OK;
out:
	free(info);
	free(n.info);
	close(fd);
	return ret;
}

const struct ultractl_cmd ultractl_cmd_channel = {
	.name	= "channel",
	.run	= run_channel,
	.args	= "list",
	.help	= "memory channels: type, client, servers, notification counters",
};
