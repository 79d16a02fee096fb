// SPDX-License-Identifier: GPL-2.0
/*
 * The resource database over /dev/ultravisor (ultra_db.h): ioctl wrappers,
 * the text notation -> binary transactions, and the userspace replica.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ultra_db.h"

#define REPLICA_LOG_BYTES	(4u << 20)

static int txn_add(struct ultra_txn_list *l, const struct ultra_txn *t)
{
	struct ultra_txn *n = realloc(l->txn, (l->nr + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	l->txn = n;
	l->txn[l->nr++] = *t;
	return 0;
}

int ultra_txn_parse(const char *text, size_t len, struct ultra_txn_list *out,
		    struct ultra_err *e)
{
	struct ultra_txn cur = { 0 };
	struct resdb_text_item it;
	struct resdb_text t;
	bool open = false;
	int ret;

	memset(out, 0, sizeof(*out));
	resdb_text_init(&t, text, len);
	for (;;) {
		ret = resdb_text_next(&t, &it);
		if (ret) {
			ultra_err_set(e, EINVAL, "line %u, column %u: %s", t.err.line, t.err.col,
				      t.err.msg);
			goto fail;
		}
		switch (it.kind) {
		case RESDB_TEXT_END:
			if (open) {
				ultra_err_set(e, EINVAL,
					      "line %u: transaction begun here has no Commit Transaction",
					      cur.line);
				goto fail;
			}
			if (!out->nr) {
				ultra_err_set(e, EINVAL, "no transaction in the input");
				goto fail;
			}
			return 0;
		case RESDB_TEXT_BEGIN:
			if (open) {
				ultra_err_set(e, EINVAL,
					      "line %u, column 1: Begin Transaction inside a transaction",
					      it.line);
				goto fail;
			}
			open = true;
			memset(&cur, 0, sizeof(cur));
			cur.line = it.line;
			cur.steps = calloc(UV_TXN_MAX_STEPS, sizeof(*cur.steps));
			if (!cur.steps) {
				ultra_err_set(e, ENOMEM, "out of memory");
				goto fail;
			}
			break;
		case RESDB_TEXT_STEP:
			if (!open) {
				ultra_err_set(e, EINVAL,
					      "line %u, column 1: step outside Begin/Commit Transaction",
					      it.line);
				goto fail;
			}
			if (cur.nr == UV_TXN_MAX_STEPS) {
				ultra_err_set(e, E2BIG,
					      "line %u: more than %d steps in one transaction",
					      it.line, UV_TXN_MAX_STEPS);
				goto fail;
			}
			cur.steps[cur.nr++] = it.step;
			break;
		case RESDB_TEXT_COMMIT:
		case RESDB_TEXT_ABORT:
			if (!open) {
				ultra_err_set(e, EINVAL,
					      "line %u, column 1: Commit/Abort without Begin Transaction",
					      it.line);
				goto fail;
			}
			open = false;
			if (it.kind == RESDB_TEXT_ABORT || !cur.nr) {
				free(cur.steps);
			} else if (txn_add(out, &cur)) {
				free(cur.steps);
				ultra_err_set(e, ENOMEM, "out of memory");
				goto fail_nocur;
			}
			cur.steps = NULL;
			break;
		default:
			ultra_err_set(e, EINVAL,
				      "line %u, column 1: '@' directives belong to test vectors, not to transactions",
				      it.line);
			goto fail;
		}
	}
fail:
	free(cur.steps);
fail_nocur:
	ultra_txn_list_free(out);
	return -(e && e->err ? e->err : EINVAL);
}

void ultra_txn_list_free(struct ultra_txn_list *l)
{
	uint32_t i;

	for (i = 0; i < l->nr; i++)
		free(l->txn[i].steps);
	free(l->txn);
	l->txn = NULL;
	l->nr = 0;
}

int ultra_txn_submit(int fd, const struct uv_txn_step *steps, uint32_t nr,
		     struct uv_txn_submit *out, struct ultra_err *e)
{
	size_t len = sizeof(struct uv_txn_hdr) + (size_t)nr * sizeof(*steps);
	u64 used;
	void *buf;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	buf = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!buf)
		return ultra_err_set(e, ENOMEM, "out of memory");
	if (resdb_txn_encode(steps, nr, buf, len, &used)) {
		free(buf);
		return ultra_err_set(e, EINVAL, "cannot encode a transaction of %u steps", nr);
	}
	out->txn = (uintptr_t)buf;
	out->txn_len = used;
	if (ioctl(fd, UV_IOC_TXN_SUBMIT, out) < 0) {
		int err = errno;

		out->message[sizeof(out->message) - 1] = '\0';
		if (err == EBADF)
			ret = ultra_err_set(e, err,
					    "transactions need the command channel (open for writing)");
		else if (out->message[0])
			ret = ultra_err_set(e, err, "transaction rejected: %s", out->message);
		else
			ret = ultra_err_set(e, err, "transaction rejected: %s", strerror(err));
	}
	free(buf);
	return ret;
}

int ultra_snapshot(int fd, void **buf, size_t *len, struct uv_snapshot *out,
		   struct ultra_err *e)
{
	size_t room = (size_t)64 * 4104;
	int tries;

	*buf = NULL;
	*len = 0;
	for (tries = 0; tries < 8; tries++) {
		void *b = aligned_alloc(8, room);

		if (!b)
			return ultra_err_set(e, ENOMEM, "out of memory for a %zu byte snapshot",
					     room);
		memset(out, 0, sizeof(*out));
		out->size = sizeof(*out);
		out->buf = (uintptr_t)b;
		out->buf_len = room;
		if (!ioctl(fd, UV_IOC_SNAPSHOT, out)) {
			*buf = b;
			*len = out->len;
			return 0;
		}
		free(b);
		if (errno != ENOSPC)
			return ultra_err_set(e, errno, "snapshot ioctl: %s", strerror(errno));
		room = (out->len + 4095) & ~(size_t)4095;	/* grew meanwhile: retry */
	}
	return ultra_err_set(e, EAGAIN, "the database kept growing while taking a snapshot");
}

int ultra_log_read(int fd, uint64_t from, void *buf, size_t len, struct uv_log_read *out,
		   struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->from_seq = from;
	out->buf = (uintptr_t)buf;
	out->buf_len = len;
	if (ioctl(fd, UV_IOC_LOG_READ, out) < 0) {
		int err = errno;

		if (err == ESTALE)
			return ultra_err_set(e, err,
					     "log records before %llu are overwritten (asked from %llu): resynchronize from a snapshot",
					     (unsigned long long)out->first_seq,
					     (unsigned long long)from);
		return ultra_err_set(e, err, "log read from %llu: %s", (unsigned long long)from,
				     strerror(err));
	}
	return 0;
}

int ultra_check(int fd, struct uv_check *out, struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	if (ioctl(fd, UV_IOC_CHECK, out) < 0) {
		int err = errno;

		out->message[sizeof(out->message) - 1] = '\0';
		return ultra_err_set(e, err, "database check failed: %s",
				     out->message[0] ? out->message : strerror(err));
	}
	return 0;
}

int ultra_pool(int fd, uint32_t op, uint64_t bytes, struct uv_pool *out, struct ultra_err *e)
{
	return ultra_pool_node(fd, op, bytes, 0, 0, out, e);
}

int ultra_pool_node(int fd, uint32_t op, uint64_t bytes, uint32_t node, uint32_t flags,
		    struct uv_pool *out, struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->op = op;
	out->bytes = bytes;
	out->node = node;
	out->flags = flags;
	if (ioctl(fd, op ? UV_IOC_POOL_RESIZE : UV_IOC_POOL_INFO, out) < 0) {
		int err = errno;

		out->message[sizeof(out->message) - 1] = '\0';
		if (err == EBADF)
			return ultra_err_set(e, err,
					     "resizing the pool needs the command channel (open for writing)");
		return ultra_err_set(e, err, "%s",
				     out->message[0] ? out->message : strerror(err));
	}
	return 0;
}

int ultra_owner(int fd, uint64_t pfn, uint32_t *owner, uint32_t *scale, struct ultra_err *e)
{
	struct uv_query q;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.what = UV_QUERY_OWNER;
	q.pfn = pfn;
	if (ioctl(fd, UV_IOC_QUERY, &q) < 0)
		return ultra_err_set(e, errno, "owner of page frame %#llx: %s",
				     (unsigned long long)pfn, strerror(errno));
	*owner = q.owner;
	*scale = q.scale;
	return 0;
}

int ultra_replica_load(struct ultra_replica *r, const void *snap, size_t len,
		       struct ultra_err *e)
{
	const struct uv_snap_hdr *h = snap;
	uint64_t scratch = 1u << 20;
	void *copy;
	int ret;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(*h))
		return ultra_err_set(e, EINVAL, "snapshot of %zu bytes is too short", len);
	if (resdb_sim_init(&r->sim, REPLICA_LOG_BYTES))
		return ultra_err_set(e, ENOMEM, "out of memory for the replica");
	/* resdb reads the image with 8-byte loads: give it an aligned copy */
	copy = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!copy) {
		ultra_replica_fini(r);
		return ultra_err_set(e, ENOMEM, "out of memory for the replica");
	}
	memcpy(copy, snap, len);
	for (;;) {
		void *s = malloc(scratch);

		if (!s) {
			ret = -RESDB_ENOSPC;
			break;
		}
		ret = resdb_snapshot_load(&r->sim.db, copy, len, s, scratch);
		free(s);
		if (ret != -RESDB_ENOSPC || scratch >= (1ull << 32))
			break;
		scratch *= 2;
	}
	free(copy);
	if (ret) {
		ultra_replica_fini(r);
		return ultra_err_set(e, EUCLEAN, "snapshot does not load: %s",
				     resdb_strerror(ret));
	}
	r->snap_seq = h->next_seq;
	return 0;
}

int ultra_replica_sync(struct ultra_replica *r, int fd, struct ultra_err *e)
{
	struct uv_log_read lr;
	size_t room = UV_LOG_READ_MAX;
	void *buf = aligned_alloc(8, room);
	int ret = 0;

	if (!buf)
		return ultra_err_set(e, ENOMEM, "out of memory");
	for (;;) {
		uint64_t from = resdb_log_next_seq(&r->sim.db);

		ret = ultra_log_read(fd, from, buf, room, &lr, e);
		if (ret)
			break;
		if (!lr.len)
			break;
		ret = resdb_replay(&r->sim.db, buf, lr.len);
		if (ret) {
			ret = ultra_err_set(e, EUCLEAN, "replaying the log from %llu: %s",
					    (unsigned long long)from, resdb_strerror(ret));
			break;
		}
		r->replayed += lr.next_seq - from;
		if (lr.next_seq >= lr.head_seq)
			break;
	}
	free(buf);
	return ret;
}

void ultra_replica_fini(struct ultra_replica *r)
{
	resdb_sim_fini(&r->sim);
}

int ultra_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
		return -EINVAL;
	if (shift && v > (~0ull >> shift))
		return -EINVAL;
	*bytes = v << shift;
	return 0;
}
