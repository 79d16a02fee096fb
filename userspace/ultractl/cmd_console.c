// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl console PARTITION [-f] [--until-stop]: print a partition's console
 * (what its guest wrote to the serial port and with UV_HC_CONSOLE_WRITE), from
 * the oldest byte the module still keeps. -f follows it like tail -f until the
 * partition's instance goes away; --until-stop (with -f) ends once the guest
 * has stopped or faulted and everything is printed. Read-only: any number of
 * consoles can follow one partition, each with its own position.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_part.h"
#include "ultractl.h"

#define CONSOLE_CHUNK	16384
#define FOLLOW_MS	50

static int run_console(struct ultractl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "until-stop", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
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
	while ((c = getopt_long(argc, argv, "+fuh", opts, NULL)) != -1) {
		switch (c) {
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
	.args	= "PARTITION [-f|--follow] [--until-stop]",
	.help	= "print a partition's console; -f follows it",
};
