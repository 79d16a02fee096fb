// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl cpu show: each physical CPU's 16-slot schedule as the database
 * holds it (a snapshot), one row per CPU and one column per slot, as the
 * seed's Figure 6 maps virtual processors to time quanta; then what each
 * named partition gets (duty width in sixteenths), the slot length and, from
 * the module's executor, whether the CPU runs the schedule and whether a new
 * one waits for the wrap (docs/schedule.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resdb/internal.h"
#include "ultra.h"
#include "ultra_db.h"
#include "ultra_json.h"
#include "ultra_part.h"
#include "ultra_sched.h"
#include "ultractl.h"

#define CELL	9

static void slot_name(const struct resdb *db, uint32_t number, char *buf, size_t len)
{
	const struct resdb_partition *p;

	if (number == db->idle) {
		snprintf(buf, len, "idle");
		return;
	}
	p = resdb_partition(db, number);
	if (p && p->name[0])
		snprintf(buf, len, "%.*s", (int)sizeof(p->name), p->name);
	else
		ultra_part_number_str(number, buf, len);
}

static int run_cpu(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct ultra_err e = { 0 };
	struct uv_snapshot snap;
	struct ultra_replica r;
	json_object *root = NULL, *cpus = NULL;
	const struct resdb *db;
	size_t len = 0;
	void *buf = NULL;
	uint32_t cpu;
	int fd, s;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return ultractl_help(ctx, &ultractl_cmd_cpu);
	while (argc >= 2 && (!strcmp(argv[argc - 1], "--json") || !strcmp(argv[argc - 1], "-j"))) {
		ctx->json = true;
		argc--;
	}
	if (argc != 2 || strcmp(argv[1], "show") != 0)
		return ultractl_usage(ctx, &ultractl_cmd_cpu, "only \"cpu show\" exists");
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	if (ultra_snapshot(fd, &buf, &len, &snap, &e) || ultra_replica_load(&r, buf, len, &e)) {
		free(buf);
		close(fd);
		return ultractl_fail(ctx, &e);
	}
	free(buf);
	db = &r.sim.db;
	if (ctx->json) {
		root = json_object_new_object();
		cpus = json_object_new_array();
	} else {
		printf("CPU  exec   slot    ");
		for (s = 0; s < UV_SLOTS; s++)
			printf("%-*d", CELL, s);
		printf("\n");
	}
	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *pd = resdb_processor(db, cpu);
		struct uv_cpu_stats cs;
		const char *exec = "-";
		uint32_t us;
		char name[64];
		bool dedicated = true;

		if (!pd)
			continue;
		us = resdb_processor_slot_us(pd);
		if (!ultra_cpu_stats(fd, cpu, 0, &cs, NULL))
			exec = cs.pending ? "next" : cs.active ? "runs" : "idle";
		for (s = 1; s < UV_SLOTS; s++)
			if (pd->slot[s].partition != pd->slot[0].partition)
				dedicated = false;
		if (cpus) {
			json_object *c = json_object_new_object(), *sl = json_object_new_array();

			ultra_json_add(c, "cpu", json_object_new_int64(cpu));
			ultra_json_add(c, "executor", json_object_new_string(exec));
			ultra_json_add(c, "slot_us", json_object_new_int64(us));
			ultra_json_add(c, "dedicated", json_object_new_boolean(dedicated &&
						pd->slot[0].partition != db->idle));
			for (s = 0; s < UV_SLOTS; s++) {
				slot_name(db, pd->slot[s].partition, name, sizeof(name));
				json_object_array_add(sl, json_object_new_string(name));
			}
			ultra_json_add(c, "slots", sl);
			json_object_array_add(cpus, c);
			continue;
		}
		if (us % 1000)
			snprintf(name, sizeof(name), "%" PRIu32 "us", us);
		else
			snprintf(name, sizeof(name), "%" PRIu32 "ms", us / 1000);
		printf("%-4u %-6s %-7s ", cpu, exec, name);
		for (s = 0; s < UV_SLOTS; s++) {
			slot_name(db, pd->slot[s].partition, name, sizeof(name));
			printf("%-*.*s", CELL, CELL - 1, name);
		}
		if (dedicated && pd->slot[0].partition != db->idle)
			printf("dedicated");
		printf("\n");
	}
	close(fd);
	ultra_replica_fini(&r);
	if (root) {
		ultra_json_add(root, "cpus", cpus);
		return ultractl_json_out(root);
	}
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

const struct ultractl_cmd ultractl_cmd_cpu = {
	.name	= "cpu",
	.run	= run_cpu,
	.args	= "show",
	.help	= "each CPU's 16-slot schedule (database) and whether the module runs it",
};
