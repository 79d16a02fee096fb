// SPDX-License-Identifier: GPL-2.0
/*
 * uv_db_probe: run inside the emulated host with ultravisor.ko loaded and no
 * other command-channel holder. Checks the database ioctls' argument rules
 * (docs/uapi.md): read-only descriptors are refused the changing ioctls with
 * EBADF; sizes, reserved and output fields, flags, transaction lengths and
 * malformed transactions are EINVAL; bad pointers EFAULT; a short snapshot
 * buffer ENOSPC with the size needed; an overwritten log position ESTALE.
 * Prints one "ok"/"FAIL" line per check; exit status 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ultravisor_txn.h>

#include "ultra.h"

static int failures;

static void expect(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	int ret, err;

	errno = 0;
	ret = ioctl(fd, cmd, arg);
	err = errno;
	if (want == 0 ? ret == 0 : ret < 0 && err == want) {
		printf("ok: %s: %s\n", what, want ? ultra_errno_name(want) : "0");
		return;
	}
	printf("FAIL: %s: got %s, want %s\n", what, ret ? ultra_errno_name(err) : "0",
	       want ? ultra_errno_name(want) : "0");
	failures++;
}

/* Outputs must be zero on input: clear what the last answer filled in. */
#define CLEAR_OUT(var, first_out) \
	memset((char *)&(var) + offsetof(__typeof__(var), first_out), 0, \
	       sizeof(var) - offsetof(__typeof__(var), first_out))

#define FRESH(type, var) type var; memset(&(var), 0, sizeof(var)); (var).size = sizeof(var)

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : UV_DEVICE_PATH;
	struct {
		struct uv_txn_hdr h;
		struct uv_txn_step s[2];
	} txn;
	void *none;
	int ro, rw;

	ro = open(path, O_RDONLY);
	rw = open(path, O_RDWR);
	if (ro < 0 || rw < 0) {
		perror(path);
		return 2;
	}
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	{
		FRESH(struct uv_pool, p);
		p.op = UV_POOL_GROW;
		p.bytes = 4 << 20;
		expect(ro, UV_IOC_POOL_RESIZE, &p, EBADF, "pool resize on a read-only fd");
	}
	{
		FRESH(struct uv_txn_submit, t);
		CLEAR_OUT(t, log_seq);
		expect(ro, UV_IOC_TXN_SUBMIT, &t, EBADF, "submit on a read-only fd");
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit of 0 bytes");
		t.flags = 1;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with flags");
		t.flags = 0;
		CLEAR_OUT(t, log_seq);
		t.log_seq = 1;
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with an output field set");
		t.log_seq = 0;
		t.txn_len = UV_TXN_MAX_BYTES + 128;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit over UV_TXN_MAX_BYTES");
		t.txn_len = sizeof(txn);
		t.txn = (uintptr_t)none;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EFAULT, "submit from PROT_NONE memory");
		t.txn = 0xffffffff81000000ull;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EFAULT, "submit from a kernel address");
		memset(&txn, 0, sizeof(txn));
		txn.h.magic = UV_TXN_MAGIC;
		txn.h.version = UV_TXN_VERSION;
		txn.h.hdr_size = sizeof(txn.h);
		txn.h.step_size = sizeof(txn.s[0]);
		txn.h.nr_steps = 2;
		txn.s[0].op = UV_TXN_DESTROY_PARTITION;
		txn.s[0].destroy.number = 1;
		txn.s[1].op = 99;
		t.txn = (uintptr_t)&txn;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with an unknown op");
		txn.s[1].op = UV_TXN_DESTROY_PARTITION;
		txn.s[1].destroy.pad = 1;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with a nonzero pad");
		memset(&txn.s[1].destroy, 0, sizeof(txn.s[1].destroy));
		txn.s[1].destroy.number = 1;
		txn.h.nr_steps++;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with nr_steps beyond the length");
		txn.h.nr_steps--;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, ENOENT, "destroy of no partition");
		t.size = 8;
		CLEAR_OUT(t, log_seq);
		expect(rw, UV_IOC_TXN_SUBMIT, &t, EINVAL, "submit with size 8");
		expect(rw, UV_IOC_TXN_SUBMIT, NULL, EFAULT, "submit with a NULL argument");
	}
	{
		FRESH(struct uv_snapshot, s);
		char snapbuf[64];

		s.buf = (uintptr_t)snapbuf;
		s.buf_len = sizeof(snapbuf);
		expect(ro, UV_IOC_SNAPSHOT, &s, ENOSPC, "snapshot into 64 bytes");
		printf("%s: snapshot needs %llu bytes\n", s.len > 4096 ? "ok" : "FAIL",
		       (unsigned long long)s.len);
		failures += s.len <= 4096;
		s.buf_len = s.len;
		s.len = 0;
		s.buf = (uintptr_t)none;
		expect(ro, UV_IOC_SNAPSHOT, &s, EFAULT, "snapshot into PROT_NONE memory");
		s.reserved[3] = 1;
		expect(ro, UV_IOC_SNAPSHOT, &s, EINVAL, "snapshot with reserved set");
	}
	{
		FRESH(struct uv_log_read, l);
		static uint64_t recs[4096];

		l.buf = (uintptr_t)recs;
		l.buf_len = sizeof(recs);
		l.from_seq = 0;
		expect(ro, UV_IOC_LOG_READ, &l, ESTALE, "log read from 0");
		l.from_seq = 1ull << 60;
		l.first_seq = 0;
		l.len = l.next_seq = l.head_seq = 0;
		expect(ro, UV_IOC_LOG_READ, &l, EINVAL, "log read from the future");
		l.from_seq = 1;
		l.buf_len = 16;
		l.len = l.next_seq = l.head_seq = 0;
		expect(ro, UV_IOC_LOG_READ, &l, ENOSPC, "log read into 16 bytes");
	}
	{
		FRESH(struct uv_check, c);
		expect(ro, UV_IOC_CHECK, &c, 0, "check");
		c.pages = 0;
		c.flags = 2;
		expect(ro, UV_IOC_CHECK, &c, EINVAL, "check with flags");
	}
	{
		FRESH(struct uv_query, q);
		expect(ro, UV_IOC_QUERY, &q, EINVAL, "query of nothing");
		q.what = UV_QUERY_PARTITIONS;
		q.max = UV_QUERY_MAX + 1;
		expect(ro, UV_IOC_QUERY, &q, EINVAL, "query with max too large");
		q.max = 4;
		q.buf = (uintptr_t)none;
		expect(ro, UV_IOC_QUERY, &q, EFAULT, "partitions into PROT_NONE memory");
	}
	{
		FRESH(struct uv_pool, p);
		p.op = 7;
		p.bytes = 4 << 20;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool resize with an unknown op");
		p.op = UV_POOL_GROW;
		p.bytes = 4095;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow by 4095 bytes");
		p.bytes = 0;
		p.op = UV_POOL_GROW;
		expect(ro, UV_IOC_POOL_INFO, &p, EINVAL, "pool info with op set");
	}
	{
		/* ABI 1.6: a grow's NUMA node, and what may not come with it */
		FRESH(struct uv_pool, p);
		p.op = UV_POOL_SHRINK;
		p.bytes = 4 << 20;
		p.flags = UV_POOL_F_NODE;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool shrink with a node");
		p.op = UV_POOL_SET;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool set with a node");
		p.op = UV_POOL_GROW;
		p.flags = 4;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow with an unknown flag");
		p.flags = UV_POOL_F_STRICT;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow strict without a node");
		p.flags = 0;
		p.node = 1;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow with a node but no flag");
		p.node = 0xffffffff;
		p.flags = UV_POOL_F_NODE;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow on node 2^32-1");
		p.node = 0;
		p.node_bytes = 1;
		expect(rw, UV_IOC_POOL_RESIZE, &p, EINVAL, "pool grow with node_bytes set");
		p.node_bytes = 0;
		p.op = 0;
		p.bytes = 0;
		expect(ro, UV_IOC_POOL_INFO, &p, EINVAL, "pool info with a node");
	}
	close(ro);
	close(rw);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
