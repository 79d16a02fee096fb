// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl status: what the module says about itself over generic netlink
 * (release, ABI, events sent and dropped). Works without /dev/ultravisor's
 * permissions: it is the read-only view for monitoring.
 */
#include <inttypes.h>
#include <stdio.h>

#include "ultra.h"
#include "ultra_events.h"
#include "ultra_json.h"
#include "ultractl.h"

static int run_status(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct ultra_err e = { 0 };
	struct ultra_status st;
	json_object *o;
	int ret, err = 0;

	ret = ultractl_parse_common(ctx, &ultractl_cmd_status, argc, argv);
	if (ret != ULTRACTL_CONTINUE)
		return ret;
	if (ultra_get_status(&st, &e)) {
		ultra_err_print(stderr, ctx->prog, &e);
		return ULTRACTL_EXIT_FAIL;
	}
	if (!ctx->json) {
		printf("module:         %s (ABI %u.%u)\n", st.version, st.abi >> 16,
		       st.abi & 0xffff);
		printf("events sent:    %" PRIu64 " (last seq %" PRIu64 ")\n", st.events_sent,
		       st.event_seq);
		printf("events dropped: %" PRIu64 "\n", st.events_dropped);
		return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
	}
	o = json_object_new_object();
	if (!o)
		return ULTRACTL_EXIT_FAIL;
	err |= ultra_json_add(o, "version", json_object_new_string(st.version));
	err |= ultra_json_add(o, "abi_major", json_object_new_int64(st.abi >> 16));
	err |= ultra_json_add(o, "abi_minor", json_object_new_int64(st.abi & 0xffff));
	err |= ultra_json_add(o, "event_seq", json_object_new_int64((int64_t)st.event_seq));
	err |= ultra_json_add(o, "events_sent", json_object_new_int64((int64_t)st.events_sent));
	err |= ultra_json_add(o, "events_dropped",
			      json_object_new_int64((int64_t)st.events_dropped));
	if (!err)
		err = ultra_json_print(stdout, o, true);
	json_object_put(o);
	return err ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

const struct ultractl_cmd ultractl_cmd_status = {
	.name	= "status",
	.run	= run_status,
	.args	= "",
	.help	= "module status over generic netlink: release, ABI, event counters",
};
