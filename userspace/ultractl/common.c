// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl: what every command shares, kept out of main.c so the commands
 * also link into unit tests and fuzzers (build/lib/libultractl.a).
 */
#include <getopt.h>
#include <stdio.h>

#include "ultra.h"
#include "ultra_json.h"
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

int ultractl_fail(struct ultractl_ctx *ctx, const struct ultra_err *e)
{
	if (ctx->json) {
		json_object *o = json_object_new_object();

		if (o && !ultra_json_add(o, "error", ultra_json_error(e)))
			ultra_json_print(stdout, o, true);
		json_object_put(o);
	}
	ultra_err_print(stderr, ctx->prog, e);
	return ULTRACTL_EXIT_FAIL;
}

int ultractl_json_out(json_object *o)
{
	int ret = o ? ultra_json_print(stdout, o, true) : -1;

	json_object_put(o);
	return ret ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

int ultractl_usage(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd, const char *why)
{
	fprintf(stderr, "%s %s: %s\n", ctx->prog, cmd->name, why);
	fprintf(stderr, "Usage: %s [--json] %s %s\n", ctx->prog, cmd->name, cmd->args);
	return ULTRACTL_EXIT_USAGE;
}

int ultractl_help(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd)
{
	printf("Usage: %s [--json] %s %s\n  %s\n", ctx->prog, cmd->name, cmd->args, cmd->help);
	return ULTRACTL_EXIT_OK;
}
