// SPDX-License-Identifier: GPL-2.0
/*
 * The real backend: /dev/ultravisor's command channel (uapi/linux/ultravisor.h,
 * ABI 1.1). Opening the device read-write makes this daemon the channel's holder;
 * a second holder gets EBUSY from the module. Submit, snapshot, log read, the
 * pool's info and resize, (ABI 1.2) run control and status, and (ABI 1.4) an
 * instance built without an image and its entry state are the module's ioctls
 * one to one; older modules answer EOPNOTSUPP. From ABI 1.5 the module keeps a
 * transaction's tag in its BEGIN record (host_info says so). The daemon never hands the
 * module an image: it writes it through the partition's Boot channel, which it
 * opens as server here (UV_IOC_CHAN_OPEN, then mmap of the client's memory).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "commandd.h"

struct dev_backend {
	struct cmdd_backend be;
	int fd;
	u32 nr_cpus;
	u32 abi_minor;		/* 2 and up: the monitor's ioctls */
};

static const char *const state_names[] = { "none", "created", "loaded", "running",
					   "paused", "stopped", "faulted" };

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

static int no_monitor(struct cmdd_backend *be, struct ultra_err *e)
{
	return ultra_err_set(e, EOPNOTSUPP,
			     "this module (ABI 1.%u) cannot run partitions: it needs ABI 1.2",
			     ((struct dev_backend *)be)->abi_minor);
}

static int d_control(struct cmdd_backend *be, u32 partition, enum cmdd_ctl op,
		     struct ultra_err *e)
{
	static const u32 ops[] = { [CMDD_CTL_START] = UV_PART_START,
				   [CMDD_CTL_PAUSE] = UV_PART_PAUSE,
				   [CMDD_CTL_RESUME] = UV_PART_RESUME,
				   [CMDD_CTL_STOP] = UV_PART_STOP,
				   [CMDD_CTL_UNLOAD] = UV_PART_UNLOAD };
	static const char *const names[] = { "", "start", "pause", "resume", "stop", "unload" };
	struct uv_part_ctl c;
	int err;

	if (((struct dev_backend *)be)->abi_minor < 2)
		return no_monitor(be, e);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.partition = partition;
	c.op = ops[op];
	if (!ioctl(fd_of(be), UV_IOC_PART_CTL, &c))
		return 0;
	err = errno;
	c.message[sizeof(c.message) - 1] = 0;
	return ultra_err_set(e, err, "%s refused by the module (state %s): %s", names[op],
			     c.state < 7 ? state_names[c.state] : "?",
			     c.message[0] ? c.message : strerror(err));
}

/* ABI 1.4: the instance without an image (CREATED, memory zeroed): its Boot channel follows. */
static int d_build(struct cmdd_backend *be, u32 partition, u32 *cpu, u64 *mem_bytes,
		   struct ultra_err *e)
{
	struct uv_part_load l;
	int err;

	if (((struct dev_backend *)be)->abi_minor < 4)
		return ultra_err_set(e, EOPNOTSUPP,
				     "this module (ABI 1.%u) cannot build a partition for a Boot channel: it needs ABI 1.4",
				     ((struct dev_backend *)be)->abi_minor);
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.partition = partition;
	l.flags = UV_PART_LOAD_F_NOIMAGE;
	if (!ioctl(fd_of(be), UV_IOC_PART_LOAD, &l)) {
		*cpu = l.cpu;
		*mem_bytes = l.mem_bytes;
		return 0;
	}
	err = errno;
	l.message[sizeof(l.message) - 1] = 0;
	return ultra_err_set(e, err, "the module cannot build the partition: %s",
			     l.message[0] ? l.message : strerror(err));
}

static int d_entry(struct cmdd_backend *be, u32 partition, const struct ultra_boot_entry *en,
		   struct ultra_err *e)
{
	struct uv_part_entry a;
	int err;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.partition = partition;
	a.mode = en->mode;
	a.eip = en->eip;
	a.eax = en->eax;
	a.ebx = en->ebx;
	a.esi = en->esi;
	if (!ioctl(fd_of(be), UV_IOC_PART_ENTRY, &a))
		return 0;
	err = errno;
	a.message[sizeof(a.message) - 1] = 0;
	return ultra_err_set(e, err, "entry state refused by the module: %s",
			     a.message[0] ? a.message : strerror(err));
}

/* Attach as server (the module's own transaction) and map the client's memory. */
static int d_chan_open(struct cmdd_backend *be, u32 channel, u32 server, struct cmdd_chan_map *m,
		       struct ultra_err *e)
{
	struct uv_chan_open o;
	void *base;
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.channel = channel;
	o.server = server;
	if (ioctl(fd_of(be), UV_IOC_CHAN_OPEN, &o)) {
		err = errno;
		o.message[sizeof(o.message) - 1] = 0;
		return ultra_err_set(e, err, "opening channel %#x as its server: %s", channel,
				     o.message[0] ? o.message : strerror(err));
	}
	m->fd = o.fd;
	if (o.nr_regions != 1 || o.region[0].gpa || o.region[0].offset || !o.region[0].size ||
	    o.channel_gpa >= o.region[0].size || o.channel_size > o.region[0].size - o.channel_gpa) {
		close(m->fd);
		m->fd = -1;
		return ultra_err_set(e, EPROTO, "channel %#x: the module maps the client's memory in a way this daemon does not know",
				     channel);
	}
	base = mmap(NULL, o.region[0].size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
	if (base == MAP_FAILED) {
		err = errno;
		close(m->fd);
		m->fd = -1;
		return ultra_err_set(e, err, "mapping the memory of channel %#x's client: %s",
				     channel, strerror(err));
	}
	m->base = base;
	m->mem_bytes = o.region[0].size;
	m->channel_gpa = o.channel_gpa;
	m->channel_size = o.channel_size;
	m->client = o.client;
	m->epoch = o.epoch;
	return 0;
}

/* Unmap and close: the module detaches the server (a transaction of its own). */
static void d_chan_close(struct cmdd_backend *be, struct cmdd_chan_map *m)
{
	if (m->base)
		munmap(m->base, m->mem_bytes);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->fd = -1;
}

static int d_status(struct cmdd_backend *be, u32 partition, struct cmdd_run_status *st,
		    struct ultra_err *e)
{
	struct uv_part_status p;
	u32 i;

	memset(st, 0, sizeof(*st));
	if (((struct dev_backend *)be)->abi_minor < 2)
		return no_monitor(be, e);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.partition = partition;
	if (ioctl(fd_of(be), UV_IOC_PART_STATUS, &p))
		return ultra_err_set(e, errno, "status: %s", strerror(errno));
	st->state = p.state;
	st->cpu = p.cpu;
	st->exited = p.exited;
	st->exit_code = p.exit_code;
	st->exit_how = p.exit_how;
	st->fault_reason = p.fault_reason;
	st->fault_gpa = p.fault_gpa;
	st->exits_host = p.exits[UV_PEXIT_HOST];
	for (i = 0; i < UV_PEXIT_NR; i++)
		st->exits += p.exits[i];
	st->console_bytes = p.console_bytes;
	st->mem_bytes = p.mem_bytes;
	return 0;
}

static int d_host_info(struct cmdd_backend *be, struct cmdd_host_info *h, struct ultra_err *e)
{
	h->nr_cpus = ((struct dev_backend *)be)->nr_cpus;
	h->txn_tags = ((struct dev_backend *)be)->abi_minor >= 5;
	return 0;
}

static int d_pool(struct cmdd_backend *be, enum cmdd_pool_op op, u64 bytes,
		  struct cmdd_pool_info *info, struct ultra_err *e)
{
	static const u32 ops[] = { [CMDD_POOL_GROW] = UV_POOL_GROW,
				   [CMDD_POOL_SHRINK] = UV_POOL_SHRINK };
	struct uv_pool p;
	int err = 0;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	if (op != CMDD_POOL_INFO) {
		p.op = ops[op];
		p.bytes = bytes;
		if (ioctl(fd_of(be), UV_IOC_POOL_RESIZE, &p))
			err = errno;
		p.message[sizeof(p.message) - 1] = 0;
		if (err && p.message[0])
			ultra_err_set(e, err, "%s", p.message);	/* names size and reason */
		else if (err)
			ultra_err_set(e, err, "pool %s by %llu MiB: %s",
				      op == CMDD_POOL_GROW ? "grow" : "shrink",
				      (unsigned long long)(bytes >> 20), strerror(err));
		/* the outputs are filled on failure too, but ask again to be sure */
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
	}
	if (ioctl(fd_of(be), UV_IOC_POOL_INFO, &p)) {
		if (!err)
			return ultra_err_set(e, errno, "pool info: %s", strerror(errno));
	} else {
		info->pool_bytes = p.pool_bytes;
		info->available_bytes = p.available_bytes;
		info->free_bytes = p.free_bytes;
		info->host_bytes = p.host_bytes;
	}
	return err ? -err : 0;
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
	.build = d_build,
	.entry = d_entry,
	.chan_open = d_chan_open,
	.chan_close = d_chan_close,
	.status = d_status,
	.host_info = d_host_info,
	.pool = d_pool,
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
	b->abi_minor = v.abi_minor;
	*out = &b->be;
	return 0;
}
