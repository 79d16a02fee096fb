// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl partition load|start|pause|resume|stop|unload|status PARTITION ...:
 * run a partition the database defines, talking to the module directly
 * (ABI 1.2, uapi/linux/ultravisor.h). PARTITION is [G,M,K], a number or a
 * name. load, start, pause, resume, stop and unload take the command channel;
 * status is read-only.
 *
 * The command daemon's partition commands (create, destroy, list, show, and
 * start/stop/pause/resume through the daemon) live in cmd_pcreate.c, which
 * defines ultractl_partition_daemon(). ultractl_partition_direct() here takes
 * load, unload and status, and start/stop/pause/resume unless the command
 * channel is held by someone else (the daemon runs: then it is the one to
 * ask); it returns ULTRACTL_CONTINUE for anything else, which then goes to
 * ultractl_partition_daemon() (weak: the tree builds without cmd_pcreate.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_json.h"
#include "ultra_part.h"
#include "ultractl.h"

/* weak: the tree builds with or without the daemon's commands */
__attribute__((weak)) int ultractl_partition_daemon(struct ultractl_ctx *ctx,
						    const struct ultractl_cmd *cmd, int argc,
						    char **argv);

static const struct ultractl_cmd *self;

static int to_daemon(struct ultractl_ctx *ctx, int argc, char **argv)
{
	int ret = ULTRACTL_CONTINUE;

	if (ultractl_partition_daemon)
		ret = ultractl_partition_daemon(ctx, self, argc, argv);
	return ret;
}

static const char *const exit_names[UV_PEXIT_NR] = {
	"host", "cpuid", "msr", "io", "hlt", "hypercall", "other", "irq_window",
};

static void access_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", a & UV_PACCESS_READ ? "read" : "",
		 a & UV_PACCESS_WRITE ? "write" : "", a & UV_PACCESS_EXEC ? "exec" : "");
}

static int print_status(struct ultractl_ctx *ctx, const char *num, const struct uv_part_status *s)
{
	char acc[24];
	int i;

	access_str(s->fault_access, acc, sizeof(acc));
	if (ctx->json) {
		json_object *j = json_object_new_object(), *x = json_object_new_object();

		ultra_json_add(j, "partition", json_object_new_string(num));
		ultra_json_add(j, "number", json_object_new_int64(s->partition));
		ultra_json_add(j, "state", json_object_new_string(ultra_pstate_name(s->state)));
		if (s->state != UV_PSTATE_NONE) {
			ultra_json_add(j, "cpu", json_object_new_int64(s->cpu));
			ultra_json_add(j, "vcpus", json_object_new_int64(s->nr_vcpus));
			ultra_json_add(j, "vcpus_started", json_object_new_int64(s->vcpus_started));
			ultra_json_add(j, "exited", json_object_new_boolean(s->exited != 0));
			ultra_json_add(j, "exit_code", json_object_new_int64(s->exit_code));
			ultra_json_add(j, "exited_by",
				       json_object_new_string(ultra_exited_name(s->exit_how)));
			ultra_json_add(j, "pm_ignored",
				       json_object_new_int64((int64_t)s->pm_ignored));
			ultra_json_add(j, "fault",
				       json_object_new_string(ultra_pfault_name(s->fault_reason)));
			ultra_json_add(j, "fault_access", json_object_new_string(acc));
			ultra_json_add(j, "fault_gpa", json_object_new_int64((int64_t)s->fault_gpa));
			ultra_json_add(j, "fault_rip", json_object_new_int64((int64_t)s->fault_rip));
			ultra_json_add(j, "mem_bytes", json_object_new_int64((int64_t)s->mem_bytes));
			ultra_json_add(j, "extents", json_object_new_int64(s->extents));
			ultra_json_add(j, "npt_levels", json_object_new_int64(s->npt_levels));
			ultra_json_add(j, "console_bytes",
				       json_object_new_int64((int64_t)s->console_bytes));
			for (i = 0; i < UV_PEXIT_NR && exit_names[i]; i++)
				ultra_json_add(x, exit_names[i],
					       json_object_new_int64((int64_t)s->exits[i]));
			ultra_json_add(j, "exits", x);
			ultra_json_add(j, "irq_raised",
				       json_object_new_int64((int64_t)s->irq_raised));
			ultra_json_add(j, "irq_injected",
				       json_object_new_int64((int64_t)s->irq_injected));
			ultractl_irqc_json(j, s);
		} else {
			json_object_put(x);
		}
		return ultractl_json_out(j);
	}
	printf("partition %s: %s\n", num, ultra_pstate_name(s->state));
	if (s->state == UV_PSTATE_NONE)
		return ULTRACTL_EXIT_OK;
	printf("cpu: %u, vcpus=%u (%u started)\n", s->cpu, s->nr_vcpus, s->vcpus_started);
	printf("memory: %" PRIu64 " KiB in %u extent(s), nested page tables: %u levels, %u pages\n",
	       (uint64_t)s->mem_bytes >> 10, s->extents, s->npt_levels, s->npt_pages);
	if (s->exited)
		printf("exit code: %u (%s)\n", s->exit_code, ultra_exited_name(s->exit_how));
	if (s->pm_ignored)
		printf("power-management writes ignored: %" PRIu64 "\n", (uint64_t)s->pm_ignored);
	if (s->state == UV_PSTATE_FAULTED) {
		if (s->fault_reason == UV_PFAULT_NPF)
			printf("fault: %s: %s at gpa %#" PRIx64 " rip %#" PRIx64 "\n",
			       ultra_pfault_name(s->fault_reason), acc, (uint64_t)s->fault_gpa,
			       (uint64_t)s->fault_rip);
		else
			printf("fault: %s at rip %#" PRIx64 " (exit code %#" PRIx64 ")\n",
			       ultra_pfault_name(s->fault_reason), (uint64_t)s->fault_rip,
			       (uint64_t)s->fault_exit_code);
	}
	printf("exits:");
	for (i = 0; i < UV_PEXIT_NR && exit_names[i]; i++)
		printf(" %s=%" PRIu64, exit_names[i], (uint64_t)s->exits[i]);
	printf("\ninterrupts: raised=%" PRIu64 " injected=%" PRIu64 "\n",
	       (uint64_t)s->irq_raised, (uint64_t)s->irq_injected);
	ultractl_irqc_lines(s);
	printf("console: %" PRIu64 " bytes\n", (uint64_t)s->console_bytes);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

static int usage(struct ultractl_ctx *ctx, const char *why);

int ultractl_partition_direct(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			      int argc, char **argv)
{
	struct ultra_err e = { 0 };
	const char *sub, *cmdline = NULL;
	char num[40], line[UV_CMDLINE_MAX + 1];
	uint32_t number, op = 0;
	bool status;
	int fd, ret, i;

	self = cmd;
	while (argc >= 2 && (!strcmp(argv[argc - 1], "--json") || !strcmp(argv[argc - 1], "-j"))) {
		ctx->json = true;
		argc--;
	}
	if (argc < 2)
		return usage(ctx, "which partition command?");
	sub = argv[1];
	status = !strcmp(sub, "status");
	if (!status && strcmp(sub, "load") != 0) {
		op = ultra_part_op(sub);
		if (!op)
			return ULTRACTL_CONTINUE;
	}
	if (argc < 3)
		return usage(ctx, "PARTITION expected ([G,M,K], number or name)");
	if (!strcmp(sub, "load")) {
		if (argc < 4)
			return usage(ctx, "load PARTITION IMAGE [CMDLINE...]");
		line[0] = '\0';
		for (i = 4; i < argc; i++) {
			size_t n = strlen(line);

			if (snprintf(line + n, sizeof(line) - n, "%s%s", n ? " " : "", argv[i]) >=
			    (int)(sizeof(line) - n))
				return usage(ctx, "command line longer than 1023 bytes");
		}
		cmdline = line;
	} else if (argc != 3) {
		/* options (start NAME --kernel ...): only the daemon takes them */
		ret = to_daemon(ctx, argc, argv);
		return ret != ULTRACTL_CONTINUE ? ret : usage(ctx, "too many arguments");
	}
	fd = status ? ultra_open(ctx->dev_path, &e) : ultra_open_cmd(ctx->dev_path, &e);
	if (fd == -EBUSY && op && op != UV_PART_UNLOAD) {
		ret = to_daemon(ctx, argc, argv);
		if (ret != ULTRACTL_CONTINUE)
			return ret;
	}
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_part_lookup(fd, argv[2], &number, &e);
	if (ret)
		goto fail;
	ultra_part_number_str(number, num, sizeof(num));
	if (status) {
		struct uv_part_status s;

		ret = ultra_part_status(fd, number, &s, &e);
		close(fd);
		if (ret)
			return ultractl_fail(ctx, &e);
		return print_status(ctx, num, &s);
	}
	if (!op) {
		struct uv_part_load l;

		ret = ultra_part_load_file(fd, number, argv[3], cmdline, &l, &e);
		close(fd);
		if (ret)
			return ultractl_fail(ctx, &e);
		if (ctx->json) {
			json_object *j = json_object_new_object();

			ultra_json_add(j, "partition", json_object_new_string(num));
			ultra_json_add(j, "state", json_object_new_string(ultra_pstate_name(l.state)));
			ultra_json_add(j, "cpu", json_object_new_int64(l.cpu));
			ultra_json_add(j, "mem_bytes", json_object_new_int64((int64_t)l.mem_bytes));
			ultra_json_add(j, "extents", json_object_new_int64(l.extents));
			return ultractl_json_out(j);
		}
		printf("partition %s: loaded %s: %" PRIu64 " KiB in %u extent(s), CPU %u\n", num,
		       argv[3], (uint64_t)l.mem_bytes >> 10, l.extents, l.cpu);
		return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
	}
	{
		struct uv_part_ctl c;

		ret = ultra_part_ctl(fd, number, op, &c, &e);
		close(fd);
		if (ret)
			return ultractl_fail(ctx, &e);
		if (ctx->json) {
			json_object *j = json_object_new_object();

			ultra_json_add(j, "partition", json_object_new_string(num));
			ultra_json_add(j, "state", json_object_new_string(ultra_pstate_name(c.state)));
			return ultractl_json_out(j);
		}
		printf("partition %s: %s\n", num, ultra_pstate_name(c.state));
		return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
	}
fail:
	close(fd);
	return ultractl_fail(ctx, &e);
}

static int run_partition(struct ultractl_ctx *ctx, int argc, char **argv)
{
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return ultractl_help(ctx, &ultractl_cmd_partition);
	ret = ultractl_partition_direct(ctx, &ultractl_cmd_partition, argc, argv);
	if (ret == ULTRACTL_CONTINUE)
		ret = to_daemon(ctx, argc, argv);
	return ret != ULTRACTL_CONTINUE ? ret : usage(ctx, "unknown partition command");
}

/* this file's sub-commands first, then the daemon's */
const struct ultractl_cmd ultractl_cmd_partition = {
	.name	= "partition",
	.run	= run_partition,
	.args	= "load PARTITION IMAGE [CMDLINE...] | start|pause|resume|stop|unload|status PARTITION "
		  "(to the module) | create|destroy|list|show ... (through ultra-commandd)",
	.help	= "partitions: define them (daemon), load and run them, show their state",
};

static int usage(struct ultractl_ctx *ctx, const char *why)
{
	return ultractl_usage(ctx, self, why);
}
