// SPDX-License-Identifier: GPL-2.0
/*
 * The real backend: /dev/ultravisor's command channel (uapi/linux/ultravisor.h,
 * ABI 1.1). Opening the device read-write makes this daemon the channel's holder;
 * a second holder gets EBUSY from the module. Submit, snapshot and log read are
 * the module's ioctls one to one; run control needs monitor ioctls the uapi does
 * not have yet, and says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commandd.h"

struct dev_backend {
	struct cmdd_backend be;
	int fd;
	u32 nr_cpus;
};

static int fd_of(struct cmdd_backend *be)
{
	return ((struct dev_backend *)be)->fd;
}

static int d_snapshot(struct cmdd_backend *be, void **buf, size_t *len, struct ultra_err *e)
{
	u64 cap = 0;
	void *b = NULL;
	u32 tries;

	*buf = NULL;
	*len = 0;
	for (tries = 0; tries < 8; tries++) {
		struct uv_snapshot s;

		memset(&s, 0, sizeof(s));
		s.size = sizeof(s);
		s.buf = (u64)(unsigned long)b;
		s.buf_len = cap;
		if (!ioctl(fd_of(be), UV_IOC_SNAPSHOT, &s)) {
			*buf = b;
			*len = s.len;
			return 0;
		}
		if (errno != ENOSPC || !s.len) {
			int err = errno;

			free(b);
			return ultra_err_set(e, err, "snapshot ioctl: %s", strerror(err));
		}
		/* the database may grow between the calls: some room to spare */
		cap = s.len + s.len / 8 + 65536;
		free(b);
		b = malloc(cap);
		if (!b)
			return ultra_err_set(e, ENOMEM, "out of memory for a %llu-byte snapshot",
					     (unsigned long long)cap);
	}
	free(b);
	return ultra_err_set(e, EAGAIN, "the database kept growing during the snapshot");
}

static int d_log_read(struct cmdd_backend *be, u64 from, void *buf, size_t len,
		      size_t *out_len, u64 *next, u64 *head, struct ultra_err *e)
{
	struct uv_log_read r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.from_seq = from;
	r.buf = (u64)(unsigned long)buf;
	r.buf_len = len;
	*out_len = 0;
	if (ioctl(fd_of(be), UV_IOC_LOG_READ, &r))
		return ultra_err_set(e, errno, "log read from %llu: %s", (unsigned long long)from,
				     strerror(errno));
	*out_len = r.len;
	*next = r.next_seq;
	*head = r.head_seq;
	return 0;
}

static int d_submit(struct cmdd_backend *be, const void *txn, size_t len,
		    struct cmdd_submit_res *res, struct ultra_err *e)
{
	struct uv_txn_submit s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.txn = (u64)(unsigned long)txn;
	s.txn_len = len;
	ret = ioctl(fd_of(be), UV_IOC_TXN_SUBMIT, &s);
	memset(res, 0, sizeof(*res));
	res->begin_seq = s.begin_seq;
	res->commit_seq = s.log_seq;
	res->resdb_err = s.resdb_err;
	res->err_step = s.err_step;
	res->err_index = s.err_index;
	res->err_expected = s.err_expected;
	res->err_found = s.err_found;
	if (ret) {
		int err = errno;

		s.message[sizeof(s.message) - 1] = 0;
		return ultra_err_set(e, err, "transaction refused by the module at step %u: %s",
				     s.err_step, s.message[0] ? s.message : strerror(err));
	}
	return 0;
}

static int d_control(struct cmdd_backend *be, u32 partition, enum cmdd_ctl op,
		     struct ultra_err *e)
{
	return ultra_err_set(e, EOPNOTSUPP,
			     "run control is not supported by this module yet (no monitor ioctls in ABI %d.%d)",
			     UV_ABI_MAJOR, UV_ABI_MINOR);
}

static int d_host_info(struct cmdd_backend *be, struct cmdd_host_info *h, struct ultra_err *e)
{
	h->nr_cpus = ((struct dev_backend *)be)->nr_cpus;
	return 0;
}

static void d_close(struct cmdd_backend *be)
{
	close(fd_of(be));
	free(be);
}

static const struct cmdd_backend_ops dev_ops = {
	.name = "dev",
	.snapshot = d_snapshot,
	.log_read = d_log_read,
	.submit = d_submit,
	.control = d_control,
	.host_info = d_host_info,
	.close = d_close,
};

int cmdd_dev_open(const char *path, struct cmdd_backend **out, struct ultra_err *e)
{
	struct dev_backend *b;
	struct uv_version v;
	int fd, ret;

	*out = NULL;
	fd = ultra_open_cmd(path, e);	/* read-write: the command channel's holder */
	if (fd == -EBUSY)
		return ultra_err_set(e, EBUSY,
				     "the command channel is held by another command daemon (%s)",
				     path ? path : ultra_dev_path());
	if (fd < 0)
		return fd;
	ret = ultra_get_version(fd, &v, e);
	if (!ret && (v.abi_major != UV_ABI_MAJOR || v.abi_minor < 1))
		ret = ultra_err_set(e, EPROTO, "module ABI %u.%u has no command channel (needs 1.1)",
				    v.abi_major, v.abi_minor);
	if (ret) {
		close(fd);
		return ret;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		close(fd);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	b->be.ops = &dev_ops;
	b->fd = fd;
	b->nr_cpus = v.nr_cpus;
	*out = &b->be;
	return 0;
}
