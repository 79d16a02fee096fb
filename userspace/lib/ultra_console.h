/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where ultra-consoled publishes a partition's console PTY, shared by the daemon
 * (which writes it) and ultractl (which reads it): RUN_DIR/NAME.pty holds the
 * slave's path and a newline; NAME is the partition's name made safe for a file
 * name (docs/channels.md, "Console server").
 */
#ifndef ULTRA_CONSOLE_H
#define ULTRA_CONSOLE_H

#include <stddef.h>

#include "ultra.h"

#define ULTRA_CONSOLE_RUN_DIR	"/run/ultravisor/console"

/*
 * @name with every character outside [A-Za-z0-9._-] replaced by '_', a leading
 * '.' too (no hidden files, no "..") and "_" for an empty name; cut to @len - 1.
 */
void ultra_console_safe_name(const char *name, char *out, size_t len);

/*
 * The PTY path ultra-consoled published for partition @name under @run_dir (NULL:
 * ULTRA_CONSOLE_RUN_DIR). -ENOENT with a message naming the file when no daemon
 * serves that partition's console.
 */
int ultra_console_pty_path(const char *run_dir, const char *name, char *out, size_t len,
			   struct ultra_err *e);

#endif /* ULTRA_CONSOLE_H */
