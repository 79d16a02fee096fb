// SPDX-License-Identifier: GPL-2.0
/*
 * The console log of one partition, capped by rotation: past the cap the file
 * becomes NAME.log.1 (replacing the older one) and a new NAME.log starts with a
 * marker line saying so. Guest output is written byte for byte; the server's own
 * lines (markers) start with CONLOG_MARK_PREFIX on a line of their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consoled.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_file(struct conlog *l)
{
	struct stat st;
	char last;

	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return -errno;
	if (fstat(l->fd, &st) < 0) {
		int err = -errno;

		close(l->fd);
		l->fd = -1;
		return err;
	}
	l->size = (uint64_t)st.st_size;
	l->line_start = true;
	if (st.st_size > 0) {
		int rfd = open(l->path, O_RDONLY | O_CLOEXEC);

		if (rfd >= 0) {
			if (pread(rfd, &last, 1, st.st_size - 1) == 1)
				l->line_start = last == '\n';
			close(rfd);
		}
	}
	return 0;
}

int conlog_open(struct conlog *l, const char *path, uint64_t cap)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (snprintf(l->path, sizeof(l->path), "%s", path) >= (int)sizeof(l->path) - 2)
		return -ENAMETOOLONG;
	l->cap = cap < CONLOG_MIN_CAP ? CONLOG_MIN_CAP : cap;
	return open_file(l);
}

void conlog_close(struct conlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static int rotate(struct conlog *l)
{
	char old[PATH_MAX + 2], line[PATH_MAX + 64];
	bool mid = !l->line_start;
	const char *base = strrchr(l->path, '/');
	int ret, n;

	snprintf(old, sizeof(old), "%s.1", l->path);
	conlog_close(l);
	if (rename(l->path, old) < 0)
		return -errno;
	ret = open_file(l);
	if (ret)
		return ret;
	l->rotations++;
	n = snprintf(line, sizeof(line), CONLOG_MARK_PREFIX "log rotated at %llu bytes: earlier output in %s.1]\n",
		     (unsigned long long)l->cap, base ? base + 1 : l->path);
	ret = write_all(l->fd, line, (size_t)n);
	if (ret)
		return ret;
	l->size += (uint64_t)n;
	l->line_start = !mid;	/* the guest's line goes on after the marker */
	return 0;
}

int conlog_write(struct conlog *l, const void *buf, size_t len)
{
	const char *p = buf;
	int ret;

	if (l->fd < 0)
		return -EBADF;
	while (len) {
		size_t room = l->size < l->cap ? (size_t)(l->cap - l->size) : 0, n;

		if (!room) {
			ret = rotate(l);
			if (ret)
				return ret;
			continue;
		}
		n = len < room ? len : room;
		ret = write_all(l->fd, p, n);
		if (ret)
			return ret;
		l->size += n;
		l->line_start = p[n - 1] == '\n';
		p += n;
		len -= n;
	}
	return 0;
}

int conlog_mark(struct conlog *l, const char *fmt, ...)
{
	char line[512];
	size_t n = 0;
	va_list ap;
	int m, ret;

	if (l->fd < 0)
		return -EBADF;
	if (!l->line_start)
		line[n++] = '\n';
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", CONLOG_MARK_PREFIX);
	va_start(ap, fmt);
	/* a clang-tidy false positive when it analyses several files in one run */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	m = vsnprintf(line + n, sizeof(line) - n - 2, fmt, ap);
	va_end(ap);
	if (m < 0)
		return -EINVAL;
	n += (size_t)m < sizeof(line) - n - 2 ? (size_t)m : sizeof(line) - n - 3;
	line[n++] = ']';
	line[n++] = '\n';
	ret = write_all(l->fd, line, n);
	if (ret)
		return ret;
	l->size += n;
	l->line_start = true;
	return 0;
}
