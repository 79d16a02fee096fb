// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl txn apply FILE|-: transactions in the seed's text notation
 * ("Begin Transaction", steps, "Commit Transaction"; docs/resdb.md), parsed here
 * by the resource database's own parser, sent one by one in binary form over
 * the command channel. Stops at the first rejected transaction; those before
 * it stay committed. Parse errors name the line and column.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_db.h"
#include "ultra_json.h"
#include "ultractl.h"

static char *slurp(const char *path, size_t *len, struct ultra_err *e)
{
	FILE *f = strcmp(path, "-") != 0 ? fopen(path, "r") : stdin;
	size_t room = 1 << 16, n = 0;
	char *buf = NULL, *b;

	if (!f) {
		ultra_err_set(e, errno, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		b = realloc(buf, room + 1);
		if (!b)
			break;
		buf = b;
		n += fread(buf + n, 1, room - n, f);
		if (n < room)
			break;
		room *= 2;
	}
	if (!b || ferror(f)) {
		ultra_err_set(e, b ? EIO : ENOMEM, "cannot read %s", path);
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

static int run_txn(struct ultractl_ctx *ctx, int argc, char **argv)
{
	struct ultra_txn_list l = { 0 };
	struct ultra_err e = { 0 };
	json_object *arr = NULL, *root = NULL;
	const char *path;
	size_t len;
	uint32_t i;
	char *text;
	int fd, ret = 0;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return ultractl_help(ctx, &ultractl_cmd_txn);
	if (argc >= 3 && (!strcmp(argv[1], "--json") || !strcmp(argv[1], "-j"))) {
		ctx->json = true;
		argv++;
		argc--;
	}
	if (argc != 3 || strcmp(argv[1], "apply") != 0)
		return ultractl_usage(ctx, &ultractl_cmd_txn, "expected: txn apply FILE|-");
	path = argv[2];
	text = slurp(path, &len, &e);
	if (!text)
		return ultractl_fail(ctx, &e);
	ret = ultra_txn_parse(text, len, &l, &e);
	free(text);
	if (ret) {
		char msg[ULTRA_ERR_MSG_LEN * 2];

		snprintf(msg, sizeof(msg), "%s: %s", path, e.msg);
		ultra_err_set(&e, e.err, "%s", msg);
		return ultractl_fail(ctx, &e);
	}
	fd = ultra_open_cmd(ctx->dev_path, &e);
	if (fd < 0) {
		ultra_txn_list_free(&l);
		return ultractl_fail(ctx, &e);
	}
	if (ctx->json) {
		root = json_object_new_object();
		arr = json_object_new_array();
	}
	for (i = 0; i < l.nr; i++) {
		struct uv_txn_submit out;

		ret = ultra_txn_submit(fd, l.txn[i].steps, l.txn[i].nr, &out, &e);
		if (ret) {
			char msg[ULTRA_ERR_MSG_LEN * 2];

			snprintf(msg, sizeof(msg), "%s line %u: %s", path, l.txn[i].line, e.msg);
			ultra_err_set(&e, e.err, "%s", msg);
			break;
		}
		if (arr) {
			json_object *x = json_object_new_object();

			ultra_json_add(x, "line", json_object_new_int64(l.txn[i].line));
			ultra_json_add(x, "steps", json_object_new_int64(out.steps));
			ultra_json_add(x, "log_seq", json_object_new_int64((int64_t)out.log_seq));
			json_object_array_add(arr, x);
		} else {
			printf("transaction at line %u: committed, %u steps, log seq %" PRIu64 "\n",
			       l.txn[i].line, out.steps, (uint64_t)out.log_seq);
		}
	}
	close(fd);
	ultra_txn_list_free(&l);
	if (root) {
		ultra_json_add(root, "committed", arr);
		if (ret)
			ultra_json_add(root, "error", ultra_json_error(&e));
		ultractl_json_out(root);
		if (ret)
			ultra_err_print(stderr, ctx->prog, &e);
		return ret ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
	}
	if (ret) {
		ultra_err_print(stderr, ctx->prog, &e);
		return ULTRACTL_EXIT_FAIL;
	}
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

const struct ultractl_cmd ultractl_cmd_txn = {
	.name	= "txn",
	.run	= run_txn,
	.args	= "apply FILE|-",
	.help	= "apply transactions written in the seed's notation over the command channel",
};
