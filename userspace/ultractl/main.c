// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl: command-line client of the ultravisor module (and, later, of the
 * command daemon). main() parses the global options, finds the command in
 * the table and hands it the rest of the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ultra.h"
#include "ultractl.h"

static const struct ultractl_cmd *const commands[] = {
	&ultractl_cmd_version,
	&ultractl_cmd_status,
	&ultractl_cmd_events,
	&ultractl_cmd_db,
	&ultractl_cmd_txn,
	&ultractl_cmd_pool,
	&ultractl_cmd_partition,
	&ultractl_cmd_console,
	&ultractl_cmd_cpu,
	&ultractl_cmd_stats,
	&ultractl_cmd_channel,
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f, const char *prog)
{
	size_t i;

	fprintf(f,
		"Usage: %s [-j|--json] [-d|--device PATH] COMMAND [ARGS...]\n"
		"       %s -h|--help\n"
		"\n"
		"Control the ultravisor partitioning hypervisor.\n"
		"\n"
		"Options:\n"
		"  -j, --json          print one JSON document on stdout\n"
		"  -d, --device PATH   ultravisor device (default: $%s or %s)\n"
		"  -h, --help          print this help\n"
		"  -V, --version       same as the version command\n"
		"\n"
		"Commands:\n", prog, prog, ULTRA_DEV_ENV, UV_DEVICE_PATH);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-18s  %s\n", commands[i]->name, commands[i]->help);
	fprintf(f,
		"\n"
		"Every command accepts --json and --help. Exit status: 0 success,\n"
		"1 failure, 2 usage error. See ultractl(8).\n");
}

static const struct ultractl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ultractl_ctx ctx = { .prog = "ultractl" };
	const struct ultractl_cmd *cmd;
	bool want_version = false;
	int c;

	opterr = 0;
	/* "+": stop at the command name; what follows belongs to the command. */
	while ((c = getopt_long(argc, argv, "+jd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'd':
			ctx.dev_path = optarg;
			break;
		case 'h':
			usage(stdout, ctx.prog);
			return ULTRACTL_EXIT_OK;
		case 'V':
			want_version = true;
			break;
		case ':':
		case '?':
		default:
			if (optopt == 'd')
				fprintf(stderr, "%s: option '%s' needs an argument\n", ctx.prog,
					argv[optind - 1]);
			else
				fprintf(stderr, "%s: unknown option '%s'\n", ctx.prog,
					argv[optind - 1]);
			usage(stderr, ctx.prog);
			return ULTRACTL_EXIT_USAGE;
		}
	}

	if (want_version) {
		char *vargv[] = { "version", NULL };

		if (optind < argc) {
			fprintf(stderr, "%s: --version takes no command\n", ctx.prog);
			return ULTRACTL_EXIT_USAGE;
		}
		return ultractl_cmd_version.run(&ctx, 1, vargv);
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no command given\n", ctx.prog);
		usage(stderr, ctx.prog);
		return ULTRACTL_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout, ctx.prog);
		return ULTRACTL_EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "%s: unknown command '%s'\n", ctx.prog, argv[optind]);
		usage(stderr, ctx.prog);
		return ULTRACTL_EXIT_USAGE;
	}
	return cmd->run(&ctx, argc - optind, argv + optind);
}
