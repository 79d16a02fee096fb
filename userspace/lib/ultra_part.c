// SPDX-License-Identifier: GPL-2.0
/*
 * libultra: running partitions (ultra_part.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ultravisor_txn.h>

#include "resdb/text.h"
#include "ultra_part.h"

static const char *const pstate_names[] = {
	[UV_PSTATE_NONE] = "none",
	[UV_PSTATE_CREATED] = "created",
	[UV_PSTATE_LOADED] = "loaded",
	[UV_PSTATE_RUNNING] = "running",
	[UV_PSTATE_PAUSED] = "paused",
	[UV_PSTATE_STOPPED] = "stopped",
	[UV_PSTATE_FAULTED] = "faulted",
};

static const char *const pfault_names[] = {
	[UV_PFAULT_NONE] = "none",
	[UV_PFAULT_NPF] = "nested-page-fault",
	[UV_PFAULT_SHUTDOWN] = "triple-fault",
	[UV_PFAULT_BAD_STATE] = "invalid-guest-state",
	[UV_PFAULT_UNSUPPORTED] = "unsupported-instruction",
	[UV_PFAULT_UNHANDLED] = "unhandled-exit",
	[UV_PFAULT_HOST] = "host-cpu-unusable",
};

static const char *const exited_names[] = {
	[UV_PEXITED_NONE] = "none",
	[UV_PEXITED_PORT] = "exit-port",
	[UV_PEXITED_HYPERCALL] = "stop-hypercall",
	[UV_PEXITED_POWEROFF] = "poweroff",
	[UV_PEXITED_RESET] = "reset",
};

static const char *const op_names[] = {
	[UV_PART_START] = "start",
	[UV_PART_PAUSE] = "pause",
	[UV_PART_RESUME] = "resume",
	[UV_PART_STOP] = "stop",
	[UV_PART_UNLOAD] = "unload",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *ultra_pstate_name(uint32_t state)
{
	return state < NELEM(pstate_names) ? pstate_names[state] : "?";
}

const char *ultra_pfault_name(uint32_t reason)
{
	return reason < NELEM(pfault_names) ? pfault_names[reason] : "?";
}

const char *ultra_exited_name(uint32_t how)
{
	return how < NELEM(exited_names) ? exited_names[how] : "?";
}

uint32_t ultra_part_op(const char *name)
{
	uint32_t i;

	for (i = 1; i < NELEM(op_names); i++)
		if (!strcmp(name, op_names[i]))
			return i;
	return 0;
}

void ultra_part_number_str(uint32_t number, char *buf, size_t len)
{
	if (resdb_text_print_number(number, buf, len) < 0)
		snprintf(buf, len, "%#x", number);
}

static int fail(struct ultra_err *e, int err, const char *what, uint32_t partition,
		const char *message, size_t mlen)
{
	char num[40];

	ultra_part_number_str(partition, num, sizeof(num));
	if (err == EBADF)
		return ultra_err_set(e, err, "%s %s: needs the command channel (open for writing)",
				     what, num);
	if (message && message[0])
		return ultra_err_set(e, err, "%s %s: %.*s", what, num, (int)mlen, message);
	return ultra_err_set(e, err, "%s %s: %s", what, num, strerror(err));
}

int ultra_part_load(int fd, uint32_t partition, const void *image, size_t len,
		    const char *cmdline, struct uv_part_load *out, struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->partition = partition;
	out->image = (uintptr_t)image;
	out->image_len = len;
	if (cmdline) {
		out->cmdline = (uintptr_t)cmdline;
		out->cmdline_len = (uint32_t)strnlen(cmdline, UV_CMDLINE_MAX + 1);
	}
	if (ioctl(fd, UV_IOC_PART_LOAD, out) < 0)
		return fail(e, errno, "load", partition, out->message, sizeof(out->message));
	return 0;
}

int ultra_part_load_file(int fd, uint32_t partition, const char *path, const char *cmdline,
			 struct uv_part_load *out, struct ultra_err *e)
{
	struct stat st;
	void *buf;
	ssize_t n;
	int img, ret;

	img = open(path, O_RDONLY | O_CLOEXEC);
	if (img < 0)
		return ultra_err_set(e, errno, "%s: %s", path, strerror(errno));
	if (fstat(img, &st) || st.st_size <= 0 || st.st_size > UV_IMAGE_MAX) {
		close(img);
		return ultra_err_set(e, EINVAL, "%s: not a file of 1 to %u bytes", path,
				     UV_IMAGE_MAX);
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(img);
		return ultra_err_set(e, ENOMEM, "%s: out of memory", path);
	}
	n = read(img, buf, (size_t)st.st_size);
	close(img);
	if (n != st.st_size) {
		free(buf);
		return ultra_err_set(e, EIO, "%s: short read", path);
	}
	ret = ultra_part_load(fd, partition, buf, (size_t)n, cmdline, out, e);
	free(buf);
	return ret;
}

int ultra_part_ctl(int fd, uint32_t partition, uint32_t op, struct uv_part_ctl *out,
		   struct ultra_err *e)
{
	struct uv_part_ctl c;

	if (!out)
		out = &c;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->partition = partition;
	out->op = op;
	if (ioctl(fd, UV_IOC_PART_CTL, out) < 0)
		return fail(e, errno, op < NELEM(op_names) && op ? op_names[op] : "control",
			    partition, out->message, sizeof(out->message));
	return 0;
}

int ultra_part_status(int fd, uint32_t partition, struct uv_part_status *out,
		      struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->partition = partition;
	if (ioctl(fd, UV_IOC_PART_STATUS, out) < 0) {
		int err = errno;

		return fail(e, err, "status of", partition,
			    err == ENOENT ? "no such partition" : NULL, 32);
	}
	return 0;
}

int ultra_console_read(int fd, uint32_t partition, uint64_t pos, void *buf, size_t len,
		       struct uv_console_read *out, struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->partition = partition;
	out->pos = pos;
	out->buf = (uintptr_t)buf;
	out->buf_len = len;
	if (ioctl(fd, UV_IOC_CONSOLE_READ, out) < 0) {
		int err = errno;

		return fail(e, err, "console of", partition,
			    err == ENOENT ? "no monitor instance (nothing loaded)" : NULL, 64);
	}
	return 0;
}

static int parse_gmk(const char *s, uint32_t *number)
{
	unsigned int g, m, k;
	char end;
	int n;

	if (*s == '[')
		n = sscanf(s, "[%u,%u,%u%c", &g, &m, &k, &end);
	else
		n = sscanf(s, "%u,%u,%u%c", &g, &m, &k, &end);
	if (n < 3 || (*s == '[' && (n != 4 || end != ']')) || (*s != '[' && n != 3))
		return -EINVAL;
	if (*s == '[' && s[strlen(s) - 1] != ']')
		return -EINVAL;
	if (g > 1023 || m > 1023 || k > 1023)
		return -EINVAL;
	*number = g << 20 | m << 10 | k;
	return 0;
}

int ultra_part_lookup(int fd, const char *arg, uint32_t *number, struct ultra_err *e)
{
	struct uv_partition_info *info;
	struct uv_query q;
	uint32_t found = 0, i, from = 0;
	char *end;
	unsigned long v;

	if (!arg || !*arg)
		return ultra_err_set(e, EINVAL, "no partition given");
	if (strchr(arg, ',')) {
		if (parse_gmk(arg, number))
			return ultra_err_set(e, EINVAL, "'%s': not a partition number [G,M,K]",
					     arg);
		return 0;
	}
	errno = 0;
	v = strtoul(arg, &end, 0);
	if (!errno && !*end && end != arg && v <= UV_ENTRY_GMK) {
		*number = (uint32_t)v;
		return 0;
	}
	info = calloc(UV_QUERY_MAX, sizeof(*info));
	if (!info)
		return ultra_err_set(e, ENOMEM, "out of memory");
	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.what = UV_QUERY_PARTITIONS;
		q.pfn = from;
		q.max = UV_QUERY_MAX;
		q.buf = (uintptr_t)info;
		if (ioctl(fd, UV_IOC_QUERY, &q) < 0) {
			int err = errno;

			free(info);
			return ultra_err_set(e, err, "listing partitions: %s", strerror(err));
		}
		for (i = 0; i < q.count; i++) {
			if (strncmp(info[i].name, arg, sizeof(info[i].name)) != 0)
				continue;
			if (found++) {
				free(info);
				return ultra_err_set(e, EEXIST,
						     "several partitions are named '%s': give its number",
						     arg);
			}
			*number = info[i].number;
		}
		if (q.next_pfn == ~0ull || !q.count)
			break;
		from = (uint32_t)q.next_pfn;
	}
	free(info);
	if (!found)
		return ultra_err_set(e, ENOENT, "no partition named '%s'", arg);
	return 0;
}
