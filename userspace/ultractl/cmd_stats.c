// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl stats [PARTITION...]: the schedule executor's accounting
 * (docs/schedule.md). Every CPU the module knows: whether it runs a
 * schedule, cycles, swaps, idle slots, timer interrupts, the longest
 * overrun of a boundary, and the slots it executes now; then each named
 * partition: time in the guest, slots granted/run/missed, exits by reason,
 * the last two schedule swaps on its CPU, interrupts raised and injected, its
 * IPI and I/O APIC counters (ipi_* and ioapic_* keys, ABI 1.8), and
 * the notification counters of each channel it is the client of (one
 * "  channel ..." line each; "channels" in --json). Text is one "key=value" line
 * per CPU and per partition, for scripts; --json gives the same fields.
 * --event also has the module raise them as sched-stats events (ultractl
 * events), which is how the command daemon gets them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_txn.h>

#include "chan_header.h"

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
		json_u64(o, "resumes", c->resumes);
		json_u64(o, "resume_ns", c->resume_ns);
		json_u64(o, "waited", c->waited);
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
	       " switch_ns=%" PRIu64 " resumes=%" PRIu64 " resume_ns=%" PRIu64 " waited=%" PRIu64
	       " slots=",
	       cpu, c->active, c->pending, (uint64_t)c->slot_ns, (uint64_t)c->cycles,
	       (uint64_t)c->swaps, (uint64_t)c->last_swap_cycle, (uint64_t)c->idle_slots,
	       (uint64_t)c->timer_fires, (uint64_t)c->overrun_max_ns, (uint64_t)c->switches,
	       (uint64_t)c->switch_ns, (uint64_t)c->resumes, (uint64_t)c->resume_ns,
	       (uint64_t)c->waited);
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

/*
 * The notification counters of the channels @number is the client of (docs/
 * channels.md, "Signals"): guest -> server kicks, server -> guest notifies and
 * how they ended (interrupt, used ring only, refused vector).
 */
static json_object *chan_out(uint32_t number, const struct uv_chan_info *c, uint32_t n,
			     bool json)
{
	json_object *arr = json ? json_object_new_array() : NULL;
	const struct chan_type_info *t;
	char num[32];
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (c[i].client != number)
			continue;
		t = chan_type_by_code(c[i].type);
		ultra_part_number_str(c[i].number, num, sizeof(num));
		if (json) {
			json_object *o = json_object_new_object();

			ultra_json_add(o, "channel", json_object_new_string(num));
			ultra_json_add(o, "type", json_object_new_string(t ? t->name : "?"));
			json_u64(o, "guest_kicks", c[i].guest_kicks);
			json_u64(o, "kicks_signalled", c[i].kicks_signalled);
			json_u64(o, "server_notifies", c[i].server_notifies);
			json_u64(o, "server_irqs", c[i].server_irqs);
			json_u64(o, "server_used_only", c[i].server_used_only);
			json_u64(o, "bad_vector", c[i].bad_vector);
			json_object_array_add(arr, o);
			continue;
		}
		printf("  channel %s %s: guest_kicks=%" PRIu64 " kicks_signalled=%" PRIu64
		       " server_notifies=%" PRIu64 " server_irqs=%" PRIu64
		       " server_used_only=%" PRIu64 " bad_vector=%" PRIu64 "\n", num,
		       t ? t->name : "?", (uint64_t)c[i].guest_kicks,
		       (uint64_t)c[i].kicks_signalled, (uint64_t)c[i].server_notifies,
		       (uint64_t)c[i].server_irqs, (uint64_t)c[i].server_used_only,
		       (uint64_t)c[i].bad_vector);
	}
	return arr;
}

static json_object *part_out(const char *name, const struct uv_part_sched *p,
			     const struct uv_part_status *st, bool json)
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
		json_u64(o, "irq_raised", st->irq_raised);
		json_u64(o, "irq_injected", st->irq_injected);
		ultractl_irqc_json(o, st);
		return o;
	}
	printf("partition %s %s: state=%s cpu=%u run_ns=%" PRIu64 " granted=%" PRIu64
	       " slots_run=%" PRIu64 " slots_missed=%" PRIu64, num, name,
	       ultra_pstate_name(p->state), p->cpu, (uint64_t)p->run_ns, (uint64_t)p->granted,
	       (uint64_t)p->slots_run, (uint64_t)p->slots_missed);
	for (i = 0; i < NR_EXIT_NAMES; i++)
		printf(" %s=%" PRIu64, exit_names[i], (uint64_t)p->exits[i]);
	printf(" swap0_cycle=%" PRIu64 " swap0_granted=%" PRIu64 " swap1_cycle=%" PRIu64
	       " swap1_granted=%" PRIu64 " cycles=%" PRIu64 " irq_raised=%" PRIu64
	       " irq_injected=%" PRIu64,
	       (uint64_t)p->swap_cycle[0], (uint64_t)p->swap_granted[0],
	       (uint64_t)p->swap_cycle[1], (uint64_t)p->swap_granted[1], (uint64_t)p->cycles,
	       (uint64_t)st->irq_raised, (uint64_t)st->irq_injected);
	ultractl_irqc_keys(st);
	printf("\n");
	return NULL;
}

static int run_stats(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct uv_chan_list cl = { .size = sizeof(cl), .max = UV_CHAN_LIST_MAX };
	struct uv_chan_info *chans = NULL;
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
	if (argc > 1) {
		chans = calloc(UV_CHAN_LIST_MAX, sizeof(*chans));
		if (!chans) {
			ultra_err_set(&e, ENOMEM, "out of memory");
			goto fail;
		}
		cl.buf = (uintptr_t)chans;
		if (ioctl(fd, UV_IOC_CHAN_LIST, &cl) < 0) {
			ultra_err_set(&e, errno, "UV_IOC_CHAN_LIST: %s", strerror(errno));
			goto fail;
		}
	}
	for (i = 1; i < argc; i++) {
		struct uv_part_status st;
		struct uv_part_sched p;
		json_object *o, *ch;

		if (ultra_part_lookup(fd, argv[i], &number, &e) ||
		    ultra_part_sched(fd, number, &p, &e) ||
		    ultra_part_status(fd, number, &st, &e))
			goto fail;
		o = part_out(argv[i], &p, &st, ctx->json);
		ch = chan_out(number, chans, cl.count, ctx->json);
		if (o) {
			ultra_json_add(o, "channels", ch);
			json_object_array_add(parts, o);
		}
	}
	free(chans);
	close(fd);
	if (root) {
		ultra_json_add(root, "cpus", cpus);
		ultra_json_add(root, "partitions", parts);
		return ultractl_json_out(root);
	}
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
fail:
	free(chans);
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
