// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl events: stream the module's events (generic netlink, group
 * "events"). One line per event; with --json one JSON object per line.
 *   --count N      exit 0 after N events (exit 1 if --timeout ends first)
 *   --timeout SEC  stop after SEC seconds
 * "listening" goes to stderr once subscribed, so scripts can start the action
 * they want to watch only then.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ultra.h"
#include "ultra_events.h"
#include "ultra_json.h"
#include "ultractl.h"

static json_object *event_json(const struct ultra_event *ev)
{
	json_object *o = json_object_new_object();
	int err = 0;

	if (!o)
		return NULL;
	err |= ultra_json_add(o, "seq", json_object_new_int64((int64_t)ev->seq));
	err |= ultra_json_add(o, "type", json_object_new_string(ultra_event_type_name(ev->type)));
	if (ev->has & ULTRA_EV_HAS_LOG_SEQ)
		err |= ultra_json_add(o, "log_seq", json_object_new_int64((int64_t)ev->log_seq));
	if (ev->has & ULTRA_EV_HAS_STEPS)
		err |= ultra_json_add(o, "steps", json_object_new_int64(ev->steps));
	if (ev->has & ULTRA_EV_HAS_PARTITION)
		err |= ultra_json_add(o, "partition", json_object_new_int64(ev->partition));
	if (ev->has & ULTRA_EV_HAS_STATES) {
		err |= ultra_json_add(o, "state_old", json_object_new_int64(ev->state_old));
		err |= ultra_json_add(o, "state_new", json_object_new_int64(ev->state_new));
	}
	if (ev->has & ULTRA_EV_HAS_ERRNO) {
		err |= ultra_json_add(o, "errno", json_object_new_int64(ev->err));
		err |= ultra_json_add(o, "errno_name",
				      json_object_new_string(ultra_errno_name((int)ev->err)));
	}
	if (ev->has & ULTRA_EV_HAS_MESSAGE)
		err |= ultra_json_add(o, "message", json_object_new_string(ev->message));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int parse_number(const char *prog, const char *opt, const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || end == s || *end || *out <= 0) {
		fprintf(stderr, "%s events: %s needs a positive number, not '%s'\n", prog, opt, s);
		return -1;
	}
	return 0;
}

static int run_events(struct ultractl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long count = 0, timeout = 0, seen = 0;
	struct ultra_events *evs;
	struct ultra_err e = { 0 };
	struct ultra_event ev;
	long long deadline = 0;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jn:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'n':
			if (parse_number(ctx->prog, "--count", optarg, &count))
				return ULTRACTL_EXIT_USAGE;
			break;
		case 't':
			if (parse_number(ctx->prog, "--timeout", optarg, &timeout))
				return ULTRACTL_EXIT_USAGE;
			break;
		case 'h':
			printf("Usage: %s [--json] events %s\n  %s\n", ctx->prog,
			       ultractl_cmd_events.args, ultractl_cmd_events.help);
			return ULTRACTL_EXIT_OK;
		default:
			fprintf(stderr, "%s events: bad option '%s'\nUsage: %s events %s\n",
				ctx->prog, argv[optind - 1], ctx->prog, ultractl_cmd_events.args);
			return ULTRACTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s events: unexpected argument '%s'\n", ctx->prog, argv[optind]);
		return ULTRACTL_EXIT_USAGE;
	}

	if (ultra_events_open(&evs, &e)) {
		ultra_err_print(stderr, ctx->prog, &e);
		return ULTRACTL_EXIT_FAIL;
	}
	fprintf(stderr, "%s: listening for events\n", ctx->prog);
	if (timeout)
		deadline = now_ms() + timeout * 1000;

	ret = ULTRACTL_EXIT_OK;
	while (!count || seen < count) {
		int wait = -1;

		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0)
				break;
			wait = (int)left;
		}
		if (ultra_events_next(evs, &ev, wait, &e)) {
			if (e.err == ETIMEDOUT)
				break;
			ultra_err_print(stderr, ctx->prog, &e);
			ret = ULTRACTL_EXIT_FAIL;
			goto out;
		}
		seen++;
		if (ctx->json) {
			json_object *o = event_json(&ev);

			if (!o || ultra_json_print(stdout, o, false)) {
				json_object_put(o);
				ret = ULTRACTL_EXIT_FAIL;
				goto out;
			}
			json_object_put(o);
		} else {
			char line[512];

			printf("%s\n", ultra_event_format(&ev, line, sizeof(line)));
		}
		fflush(stdout);
	}
	if (count && seen < count) {
		fprintf(stderr, "%s events: timed out after %ld s with %ld of %ld events\n",
			ctx->prog, timeout, seen, count);
		ret = ULTRACTL_EXIT_FAIL;
	}
	if (ultra_events_malformed(evs))
		fprintf(stderr, "%s events: %lu malformed messages skipped\n", ctx->prog,
			ultra_events_malformed(evs));
out:
	ultra_events_close(evs);
	return ret;
}

const struct ultractl_cmd ultractl_cmd_events = {
	.name	= "events",
	.run	= run_events,
	.args	= "[--count N] [--timeout SEC]",
	.help	= "stream the module's events (transactions, partition states, errors)",
};
