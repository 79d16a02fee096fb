// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl stats [PARTITION...]: the schedule executor's accounting
 * (docs/schedule.md). Every CPU the module knows: whether it runs a
 * schedule, cycles, swaps, idle slots, timer interrupts, the longest
 * overrun of a boundary, and the slots it executes now; then each named
 * partition: time in the guest, slots granted/run/missed, exits by reason,
 * and the last two schedule swaps on its CPU. Text is one "key=value" line
 * per CPU and per partition, for scripts; --json gives the same fields.
 * --event also has the module raise them as sched-stats events (ultractl
 * events), which is how the command daemon gets them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/ultravisor_txn.h>

#include "ultra.h"
#include "ultra_json.h"
#include "ultra_part.h"
#include "ultra_sched.h"
#include "ultractl.h"

static const char * const exit_names[] = {
	"host", "cpuid", "msr", "io", "hlt", "hypercall", "other", "irq_window",
};

#define NR_EXIT_NAMES	(sizeof(exit_names) / sizeof(exit_names[0]))

static void json_u64(json_object *o, const char *k, uint64_t v)
{
	ultra_json_add(o, k, json_object_new_int64((int64_t)v));
}

static json_object *cpu_out(uint32_t cpu, const struct uv_cpu_stats *c, bool json)
{
	char num[32];
	int s;

	if (json) {
		json_object *o = json_object_new_object(), *sl = json_object_new_array();

		json_u64(o, "cpu", cpu);
		json_u64(o, "active", c->active);
		json_u64(o, "pending", c->pending);
		json_u64(o, "cur_slot", c->cur_slot);
		json_u64(o, "slot_ns", c->slot_ns);
		json_u64(o, "cycles", c->cycles);
		json_u64(o, "swaps", c->swaps);
		json_u64(o, "last_swap_cycle", c->last_swap_cycle);
		json_u64(o, "idle_slots", c->idle_slots);
		json_u64(o, "timer_fires", c->timer_fires);
		json_u64(o, "overrun_max_ns", c->overrun_max_ns);
		json_u64(o, "switches", c->switches);
		json_u64(o, "switch_ns", c->switch_ns);
		for (s = 0; s < 16; s++) {
			if (c->slot[s] == UV_NONE) {
				json_object_array_add(sl, json_object_new_string("idle"));
			} else {
				ultra_part_number_str(c->slot[s], num, sizeof(num));
				json_object_array_add(sl, json_object_new_string(num));
			}
		}
		ultra_json_add(o, "slots", sl);
		return o;
	}
	printf("cpu %u: active=%u pending=%u slot_ns=%" PRIu64 " cycles=%" PRIu64
	       " swaps=%" PRIu64 " last_swap_cycle=%" PRIu64 " idle_slots=%" PRIu64
	       " timer_fires=%" PRIu64 " overrun_max_ns=%" PRIu64 " switches=%" PRIu64
	       " switch_ns=%" PRIu64 " slots=",
	       cpu, c->active, c->pending, (uint64_t)c->slot_ns, (uint64_t)c->cycles,
	       (uint64_t)c->swaps, (uint64_t)c->last_swap_cycle, (uint64_t)c->idle_slots,
	       (uint64_t)c->timer_fires, (uint64_t)c->overrun_max_ns, (uint64_t)c->switches,
	       (uint64_t)c->switch_ns);
	for (s = 0; s < 16; s++) {
		if (c->slot[s] == UV_NONE)
			snprintf(num, sizeof(num), "-");
		else
			ultra_part_number_str(c->slot[s], num, sizeof(num));
		printf("%s%s", s ? "," : "", num);
	}
	printf("\n");
	return NULL;
}

static json_object *part_out(const char *name, const struct uv_part_sched *p, bool json)
{
	char num[32];
	size_t i;

	ultra_part_number_str(p->partition, num, sizeof(num));
	if (json) {
		json_object *o = json_object_new_object(), *x = json_object_new_object();

		ultra_json_add(o, "partition", json_object_new_string(num));
		ultra_json_add(o, "name", json_object_new_string(name));
		ultra_json_add(o, "state", json_object_new_string(ultra_pstate_name(p->state)));
		json_u64(o, "cpu", p->cpu);
		json_u64(o, "run_ns", p->run_ns);
		json_u64(o, "granted", p->granted);
		json_u64(o, "slots_run", p->slots_run);
		json_u64(o, "slots_missed", p->slots_missed);
		for (i = 0; i < NR_EXIT_NAMES; i++)
			json_u64(x, exit_names[i], p->exits[i]);
		ultra_json_add(o, "exits", x);
		json_u64(o, "swap0_cycle", p->swap_cycle[0]);
		json_u64(o, "swap0_granted", p->swap_granted[0]);
		json_u64(o, "swap1_cycle", p->swap_cycle[1]);
		json_u64(o, "swap1_granted", p->swap_granted[1]);
		json_u64(o, "cycles", p->cycles);
		return o;
	}
	printf("partition %s %s: state=%s cpu=%u run_ns=%" PRIu64 " granted=%" PRIu64
	       " slots_run=%" PRIu64 " slots_missed=%" PRIu64, num, name,
	       ultra_pstate_name(p->state), p->cpu, (uint64_t)p->run_ns, (uint64_t)p->granted,
	       (uint64_t)p->slots_run, (uint64_t)p->slots_missed);
	for (i = 0; i < NR_EXIT_NAMES; i++)
		printf(" %s=%" PRIu64, exit_names[i], (uint64_t)p->exits[i]);
	printf(" swap0_cycle=%" PRIu64 " swap0_granted=%" PRIu64 " swap1_cycle=%" PRIu64
	       " swap1_granted=%" PRIu64 " cycles=%" PRIu64 "\n",
	       (uint64_t)p->swap_cycle[0], (uint64_t)p->swap_granted[0],
	       (uint64_t)p->swap_cycle[1], (uint64_t)p->swap_granted[1], (uint64_t)p->cycles);
	return NULL;
}

static int run_stats(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct ultra_err e = { 0 };
	json_object *root = NULL, *cpus = NULL, *parts = NULL;
	struct uv_version v;
	uint32_t cpu, number, flags = 0;
	int fd, i, ret = 0;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return ultractl_help(ctx, &ultractl_cmd_stats);
	while (argc >= 2 && (!strcmp(argv[argc - 1], "--json") || !strcmp(argv[argc - 1], "-j"))) {
		ctx->json = true;
		argc--;
	}
	if (argc >= 2 && !strcmp(argv[1], "--event")) {
		flags = UV_CPU_STATS_F_EVENT;
		argv++;
		argc--;
	}
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return ultractl_usage(ctx, &ultractl_cmd_stats, "unknown option");
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	if (ultra_get_version(fd, &v, &e))
		goto fail;
	if (ctx->json) {
		root = json_object_new_object();
		cpus = json_object_new_array();
		parts = json_object_new_array();
	}
	for (cpu = 0; cpu < v.nr_cpus; cpu++) {
		struct uv_cpu_stats c;
		json_object *o;

		if (ultra_cpu_stats(fd, cpu, flags, &c, &e))
			goto fail;
		o = cpu_out(cpu, &c, ctx->json);
		if (o)
			json_object_array_add(cpus, o);
	}
	for (i = 1; i < argc; i++) {
		struct uv_part_sched p;
		json_object *o;

		if (ultra_part_lookup(fd, argv[i], &number, &e) ||
		    ultra_part_sched(fd, number, &p, &e))
			goto fail;
		o = part_out(argv[i], &p, ctx->json);
		if (o)
			json_object_array_add(parts, o);
	}
	close(fd);
	if (root) {
		ultra_json_add(root, "cpus", cpus);
		ultra_json_add(root, "partitions", parts);
		return ultractl_json_out(root);
	}
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
fail:
	close(fd);
	json_object_put(root);
	json_object_put(cpus);
	json_object_put(parts);
	ret = ultractl_fail(ctx, &e);
	return ret;
}

const struct ultractl_cmd ultractl_cmd_stats = {
	.name	= "stats",
	.run	= run_stats,
	.args	= "[--event] [PARTITION...]",
	.help	= "schedule accounting: each CPU's executor, and the named partitions' shares",
};
