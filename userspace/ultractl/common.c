// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl: what every command shares, kept out of main.c so the commands
 * also link into unit tests and fuzzers (build/lib/libultractl.a).
 */
#include <getopt.h>
#include <stdio.h>

#include "ultractl.h"

int ultractl_parse_common(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			  int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			printf("Usage: %s [--json] %s%s%s\n  %s\n", ctx->prog, cmd->name,
			       cmd->args[0] ? " " : "", cmd->args, cmd->help);
			return ULTRACTL_EXIT_OK;
		default:
			fprintf(stderr, "%s %s: unknown option '%s'\n", ctx->prog, cmd->name,
				argv[optind - 1]);
			fprintf(stderr, "Usage: %s [--json] %s%s%s\n", ctx->prog, cmd->name,
				cmd->args[0] ? " " : "", cmd->args);
			return ULTRACTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s %s: unexpected argument '%s'\n", ctx->prog, cmd->name,
			argv[optind]);
		fprintf(stderr, "Usage: %s [--json] %s%s%s\n", ctx->prog, cmd->name,
			cmd->args[0] ? " " : "", cmd->args);
		return ULTRACTL_EXIT_USAGE;
	}
	return ULTRACTL_CONTINUE;
}
