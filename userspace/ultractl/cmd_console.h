/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultractl console --attach (cmd_console_attach.c): the terminal or a pipe
 * connected to the PTY ultra-consoled gives a partition's console.
 */
#ifndef ULTRACTL_CMD_CONSOLE_H
#define ULTRACTL_CMD_CONSOLE_H

#include <stddef.h>

#include "ultractl.h"

/*
 * Connect standard input and output to the console PTY at @path of partition
 * @name until Ctrl-] on a terminal; or, when standard input is not a terminal,
 * until it ends and then @drain_ms pass without output; or until the partition's
 * guest stops (power-off, fault, destroy). Returns an ULTRACTL_EXIT_* status.
 */
int console_attach(struct ultractl_ctx *ctx, const char *name, const char *path,
		   int drain_ms);

/*
 * The guest's cursor position query (ESC [ 6 n, sent by busybox's line editing
 * after each prompt) found in a byte stream that may split it anywhere: @held
 * bytes of it seen so far at the end of the previous chunk.
 */
struct cpr_filter {
	size_t held;
};

/*
 * Copy @len bytes of @in to @out without the queries; @out has room for @len + 3
 * bytes (a held prefix that turns out not to be a query is given back). Returns
 * the bytes written.
 */
size_t cpr_filter(struct cpr_filter *f, const char *in, size_t len, char *out);

#endif /* ULTRACTL_CMD_CONSOLE_H */
