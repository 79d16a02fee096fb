// SPDX-License-Identifier: GPL-2.0
/*
 * Error reporting: every message a tool prints for a failed call names the
 * errno symbolically (ENODEV), because that is what users search for and what
 * docs/uapi.md lists, and says it in words (strerror).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ultra.h"

const char *ultra_errno_name(int errnum)
{
	static __thread char unknown[16];
	const char *name;

	if (errnum < 0)
		errnum = -errnum;
	name = strerrorname_np(errnum);
	if (name)
		return name;
	snprintf(unknown, sizeof(unknown), "E%d", errnum);
	return unknown;
}

int ultra_err_vset(struct ultra_err *e, int errnum, const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	if (e) {
		e->err = errnum;
		/* clang 14's valist checker misfires when run over several files: */
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return -errnum;
}

int ultra_err_set(struct ultra_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = ultra_err_vset(e, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

void ultra_err_clear(struct ultra_err *e)
{
	if (e) {
		e->err = 0;
		e->msg[0] = '\0';
	}
}

const char *ultra_err_format(const struct ultra_err *e, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	if (!e || !e->err)
		snprintf(buf, len, "%s", e && e->msg[0] ? e->msg : "no error");
	else if (e->msg[0])
		snprintf(buf, len, "%s [%s]", e->msg, ultra_errno_name(e->err));
	else
		snprintf(buf, len, "%s [%s]", strerror(e->err), ultra_errno_name(e->err));
	return buf;
}

void ultra_err_print(FILE *f, const char *prog, const struct ultra_err *e)
{
	char buf[ULTRA_ERR_MSG_LEN + 32];

	ultra_err_format(e, buf, sizeof(buf));
	if (prog)
		fprintf(f, "%s: %s\n", prog, buf);
	else
		fprintf(f, "%s\n", buf);
}
