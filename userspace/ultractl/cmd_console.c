// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl console PARTITION [-f] [--until-stop]: print a partition's console
 * (what its guest wrote to the serial port and with UV_HC_CONSOLE_WRITE), from
 * the oldest byte the module still keeps. -f follows it like tail -f until the
 * partition's instance goes away; --until-stop (with -f) ends once the guest
 * has stopped or faulted and everything is printed. Read-only: any number of
 * consoles can follow one partition, each with its own position.
 *
 * When ultra-consoled serves the partition's Console channel, the console is
 * its PTY: --pty prints the PTY's path, --attach connects the terminal to it
 * (input goes to the guest; Ctrl-] detaches; cmd_console_attach.c), and a
 * plain `ultractl console NAME` on a terminal attaches. The module's buffer
 * stays the early-boot fallback (--buffer).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_console.h"
#include "ultra_part.h"
#include "ultractl.h"
#include "cmd_console.h"

#define CONSOLE_CHUNK	16384
#define FOLLOW_MS	50

static int run_console(struct ultractl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "until-stop", no_argument, NULL, 'u' },
		{ "pty", no_argument, NULL, 'p' },
		{ "attach", no_argument, NULL, 'a' },
		{ "buffer", no_argument, NULL, 'b' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "drain-ms", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool want_pty = false, attach = false, buffer = false;
	const char *run_dir = NULL;
	char pty[512];
	int drain_ms = 1000;
	const struct timespec nap = { 0, FOLLOW_MS * 1000000L };
	struct ultra_err e = { 0 };
	struct uv_console_read r;
	bool follow = false, until = false, seen = false;
	char buf[CONSOLE_CHUNK];
	uint32_t number;
	uint64_t pos = 0;
	int c, fd, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fupabr:D:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			want_pty = true;
			break;
		case 'a':
			attach = true;
			break;
		case 'b':
			buffer = true;
			break;
		case 'r':
			run_dir = optarg;
			break;
		case 'D':
			drain_ms = atoi(optarg);
			if (drain_ms < 0 || drain_ms > 600000)
				return ultractl_usage(ctx, &ultractl_cmd_console,
						      "--drain-ms: 0 to 600000");
			break;
		case 'f':
			follow = true;
			break;
		case 'u':
			until = true;
			break;
		case 'h':
			return ultractl_help(ctx, &ultractl_cmd_console);
		default:
			return ultractl_usage(ctx, &ultractl_cmd_console, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return ultractl_usage(ctx, &ultractl_cmd_console, "one PARTITION expected");
	if ((want_pty || attach) && (buffer || follow || until))
		return ultractl_usage(ctx, &ultractl_cmd_console,
				      "--pty and --attach use the console server, not the buffer");
	/* The console server's PTY when asked for, or for a person at a terminal. */
	if (want_pty || attach ||
	    (!buffer && !follow && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
		ret = ultra_console_pty_path(run_dir, argv[optind], pty, sizeof(pty), &e);
		if (!ret && want_pty) {
			printf("%s\n", pty);
			return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
		}
		if (!ret)
			return console_attach(ctx, argv[optind], pty, drain_ms);
		if (want_pty || attach)
			return ultractl_fail(ctx, &e);
		ultra_err_clear(&e);	/* no console server: print the module's buffer */
	}
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_part_lookup(fd, argv[optind], &number, &e);
	if (ret)
		goto fail;
	for (;;) {
		ret = ultra_console_read(fd, number, pos, buf, sizeof(buf), &r, &e);
		if (ret == -ENOENT && follow && seen)
			break;	/* the instance is gone: nothing more will come */
		if (ret)
			goto fail;
		seen = true;
		if (r.lost)
			fprintf(stderr, "%s console: %" PRIu64 " bytes lost (the module keeps the last 64 KiB)\n",
				ctx->prog, (uint64_t)r.lost);
		if (r.len && fwrite(buf, 1, r.len, stdout) != r.len)
			break;
		pos = r.next_pos;
		if (r.len)
			continue;
		fflush(stdout);
		if (!follow)
			break;
		if (until && (r.state == UV_PSTATE_STOPPED || r.state == UV_PSTATE_FAULTED ||
			      r.state == UV_PSTATE_NONE))
			break;
		nanosleep(&nap, NULL);
	}
	close(fd);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
fail:
	close(fd);
	return ultractl_fail(ctx, &e);
}

const struct ultractl_cmd ultractl_cmd_console = {
	.name	= "console",
	.run	= run_console,
	.args	= "PARTITION [-f|--follow] [--until-stop] [--buffer] | --pty | --attach "
		  "[--drain-ms MS] [--run-dir DIR]",
	.help	= "a partition's console: attach to ultra-consoled's PTY, or print the module's buffer",
};
