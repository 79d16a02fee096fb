// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl version: the tools' version and the loaded module's version/ABI.
 * Exit status 1 when the module can't be asked (not loaded, no permission,
 * incompatible ABI); the tool's own version is printed in every case.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_json.h"
#include "ultractl.h"

static int print_json(const struct uv_version *v, const struct ultra_err *e,
		      const char *path)
{
	json_object *o = json_object_new_object();
	int err = 0;

	if (!o)
		goto nomem;
	err |= ultra_json_add(o, "tool", ultra_json_tool("ultractl"));
	err |= ultra_json_add(o, "device", json_object_new_string(path));
	/* NULL adds JSON null: "module": null when it could not be asked. */
	err |= ultra_json_add(o, "module", v ? ultra_json_version(v) : NULL);
	if (e->err)
		err |= ultra_json_add(o, "error", ultra_json_error(e));
	if (err)
		goto nomem;
	err = ultra_json_print(stdout, o, true);
	json_object_put(o);
	return err;
nomem:
	json_object_put(o);
	fprintf(stderr, "ultractl: out of memory building JSON\n");
	return -1;
}

static int run_version(struct ultractl_ctx *ctx, int argc, char **argv)
{
	const char *path = ctx->dev_path ? ctx->dev_path : ultra_dev_path();
	struct ultra_err e = { 0 };
	struct uv_version v;
	bool have_module = false;
	int fd, ret;

	ret = ultractl_parse_common(ctx, &ultractl_cmd_version, argc, argv);
	if (ret != ULTRACTL_CONTINUE)
		return ret;

	fd = ultra_open(path, &e);
	if (fd >= 0) {
		ret = ultra_get_version(fd, &v, &e);
		/* An incompatible module still said who it is: show it. */
		have_module = !ret || (e.err == EPROTO && v.size >= UV_VERSION_SIZE_VER0);
		close(fd);
	}

	if (ctx->json) {
		if (print_json(have_module ? &v : NULL, &e, path))
			return ULTRACTL_EXIT_FAIL;
	} else {
		printf("ultractl: %s (ABI %d.%d)\n", ultra_tool_version(), UV_ABI_MAJOR,
		       UV_ABI_MINOR);
		if (have_module) {
			char buf[128];

			ultra_format_version(buf, sizeof(buf), &v);
			printf("module:   %s\n", buf);
		} else {
			printf("module:   not loaded\n");
		}
		if (fflush(stdout))
			return ULTRACTL_EXIT_FAIL;
		if (e.err)
			ultra_err_print(stderr, ctx->prog, &e);
	}
	return e.err ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

const struct ultractl_cmd ultractl_cmd_version = {
	.name	= "version",
	.run	= run_version,
	.args	= "",
	.help	= "print the versions of ultractl and of the loaded module (and its ABI)",
};
