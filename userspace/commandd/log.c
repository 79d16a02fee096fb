// SPDX-License-Identifier: GPL-2.0
/*
 * Log lines on stderr, one per event. Under systemd (JOURNAL_STREAM set) each line
 * starts with "<N>", the syslog priority journald reads; by hand it starts with the
 * program name and the level in words.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "commandd.h"

static int max_prio = CMDD_LOG_INFO;

void cmdd_log_set_level(int prio)
{
	max_prio = prio;
}

void cmdd_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error", "warning",
					     "notice", "info", "debug" };
	char line[1024];
	va_list ap;

	if (prio > max_prio)
		return;
	if (prio < 0 || prio > CMDD_LOG_DEBUG)
		prio = CMDD_LOG_ERR;
	va_start(ap, fmt);
	/* clang 14's valist checker misfires here as in ultra_err.c: */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "ultra-commandd: %s: %s\n", names[prio], line);
}
