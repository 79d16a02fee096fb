// SPDX-License-Identifier: GPL-2.0
/*
 * The console PTY convention shared by ultra-consoled and ultractl
 * (ultra_console.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ultra_console.h"

void ultra_console_safe_name(const char *name, char *out, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; name[i] && i + 1 < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		out[i] = (char)(ok ? c : '_');
	}
	out[i] = 0;
	if (!i && len > 1)
		snprintf(out, len, "_");
	if (out[0] == '.')
		out[0] = '_';
}

int ultra_console_pty_path(const char *run_dir, const char *name, char *out, size_t len,
			   struct ultra_err *e)
{
	char safe[256], file[4096];
	FILE *f;
	size_t n;

	ultra_console_safe_name(name, safe, sizeof(safe));
	snprintf(file, sizeof(file), "%s/%s.pty", run_dir ? run_dir : ULTRA_CONSOLE_RUN_DIR, safe);
	f = fopen(file, "re");
	if (!f)
		return ultra_err_set(e, errno, "no console server for partition '%s' (%s: %s)",
				     name, file, strerror(errno));
	if (!fgets(out, (int)len, f)) {
		fclose(f);
		return ultra_err_set(e, EIO, "%s is empty", file);
	}
	fclose(f);
	n = strcspn(out, "\n");
	out[n] = 0;
	if (!n || out[0] != '/')
		return ultra_err_set(e, EPROTO, "%s does not hold a device path", file);
	return 0;
}
