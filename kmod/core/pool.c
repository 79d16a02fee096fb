// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: 4 MiB physically contiguous pages (order-10 allocations) taken from
 * Linux and moved from the "host" pseudo partition to "available" by one
 * transaction per grow, and back by one transaction per shrink. Partitions get
 * their memory from "available" (the command daemon's business).
 *
 * All or nothing: a grow allocates every page first (nothing locked), then
 * takes uv_db.lock, makes the pages reachable through the page hook and runs
 * one transaction; any failure frees every page it took and leaves the
 * database as it was. A shrink picks whole 4 MiB pages owned by "available",
 * gives them to "host" in one transaction, then zeroes them (a partition may
 * have left data in them) and frees them. Pages are zeroed when allocated too,
 * so "available" never holds stale Linux data.
 *
 * A grow may name a NUMA node (the daemon's choice: the node of the CPUs the
 * memory is for): pages then come from that node with __GFP_THISNODE while it
 * has them, and from anywhere after that unless the caller said strict; the
 * caller learns how much came from the node, and the log says so.
 *
 * Locking: uv_db.lock (db.c); uv_db.pool and pool_chunks change only with it
 * held for writing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "db.h"
#include "events.h"

/* What a grow leaves Linux at least (MemAvailable), so the host keeps working. */
#define UV_POOL_RESERVE_PAGES	(64ul << (20 - PAGE_SHIFT))
/* Upper bound of one resize: 1 TiB. */
#define UV_POOL_MAX_CHUNKS	BIT(18)

static int uv_cmp_page(const void *a, const void *b)
{
	unsigned long x = page_to_pfn(*(struct page * const *)a);
	unsigned long y = page_to_pfn(*(struct page * const *)b);

	return x < y ? -1 : x > y;
}

static void uv_chunk_free(struct page *p)
{
	memset(page_address(p), 0, UV_CHUNK_PAGES << PAGE_SHIFT);
	__free_pages(p, UV_CHUNK_ORDER);
}

/*
 * Steps moving the 4 MiB pages @pages[0..n) (sorted) from @from to @to, one
 * Change Owner per run of neighbouring entries. Every page must be a whole
 * scale-2 entry owned by @from.
 */
static int uv_pool_steps(struct page **pages, u64 n, u32 from, u32 to,
			 struct uv_txn_step *steps, u32 *nr)
{
	struct uv_txn_change_owner *c = NULL;
	struct uv_map_pos pos;
	u64 i;
	int ret;

	*nr = 0;
	for (i = 0; i < n; i++) {
		ret = uv_map_find(page_to_pfn(pages[i]), 2, &pos);
		if (ret)
			return ret;
		if (pos.scale != 2 || pos.value != from)
			return -EBUSY;
		if (c && c->at.map == pos.map && c->at.last + 1 == pos.index) {
			c->at.last++;
			continue;
		}
		if (*nr == UV_TXN_MAX_STEPS)
			return -E2BIG;
		memset(&steps[*nr], 0, sizeof(steps[*nr]));
		steps[*nr].op = UV_TXN_CHANGE_OWNER;
		c = &steps[(*nr)++].change_owner;
		c->at.map = pos.map;
		c->at.scale = 2;
		c->at.frame = pos.frame;
		c->at.first = pos.index;
		c->at.last = pos.index;
		c->from = from;
		c->to = to;
	}
	return 0;
}

/* Split host entries above 4 MiB that hold these pages (more RAM than 4 GiB). */
static int uv_pool_split_for(struct page **pages, u64 n, struct uv_txn_step *steps)
{
	struct uv_txn_result res;
	struct uv_map_pos pos;
	u64 i;
	int ret;

	for (i = 0; i < n; i++) {
		u32 nr = 0;

		for (;;) {
			ret = uv_map_find(page_to_pfn(pages[i]), 2, &pos);
			if (ret || pos.scale == 2)
				break;
			if (pos.value != uv_db.db.host)
				return -EBUSY;
			nr = 0;
			ret = uv_map_split_steps(&pos, steps, &nr);
			if (!ret)
				ret = uv_db_apply_locked(steps, nr, false, &res);
			if (ret)
				return ret;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* One 4 MiB page, from @node first when it is not NUMA_NO_NODE. */
static struct page *uv_chunk_alloc(gfp_t gfp, int node, bool strict, bool *node_dry)
{
	struct page *p = NULL;

	if (node != NUMA_NO_NODE && !*node_dry) {
		p = alloc_pages_node(node, gfp | __GFP_THISNODE, UV_CHUNK_ORDER);
		*node_dry = !p;	/* do not ask a drained node again */
	}
	if (!p && (node == NUMA_NO_NODE || !strict))
		p = alloc_pages(gfp, UV_CHUNK_ORDER);
	return p;
}

static int uv_pool_grow(u64 n, int node, bool strict, u64 *log_seq, u64 *node_bytes,
			char *msg, size_t len)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO | __GFP_NORETRY;
	long avail = si_mem_available();
	struct uv_txn_step *steps = NULL;
	struct uv_txn_result *res = NULL;
	struct page **pages;
	u64 i, got = 0, stored = 0, on_node = 0;
	bool node_dry = false;
	u32 nr;
	int ret;

	if (avail < 0 || n * UV_CHUNK_PAGES + UV_POOL_RESERVE_PAGES > (u64)avail) {
		scnprintf(msg, len,
			  "pool grow by %llu MiB: Linux has %ld MiB available and keeps %lu MiB: nothing changed",
			  n * 4, max(avail, 0L) >> (20 - PAGE_SHIFT),
			  UV_POOL_RESERVE_PAGES >> (20 - PAGE_SHIFT));
		return -ENOMEM;
	}
	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	steps = kvcalloc(UV_TXN_MAX_STEPS, sizeof(*steps), GFP_KERNEL);
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!pages || !steps || !res) {
		ret = -ENOMEM;
		scnprintf(msg, len, "pool grow: out of memory for bookkeeping: nothing changed");
		goto out;
	}
	for (got = 0; got < n; got++) {
		pages[got] = uv_chunk_alloc(gfp, node, strict, &node_dry);
		if (!pages[got])
			break;
		if (node != NUMA_NO_NODE && page_to_nid(pages[got]) == node)
			on_node++;
		cond_resched();
	}
	if (got < n) {
		ret = -ENOMEM;
		if (strict)
			scnprintf(msg, len,
				  "pool grow by %llu MiB on node %d only: the node gave %llu of %llu 4 MiB pages (order-%d): nothing changed",
				  n * 4, node, got, n, UV_CHUNK_ORDER);
		else
			scnprintf(msg, len,
				  "pool grow by %llu MiB: Linux gave only %llu of %llu 4 MiB pages (order-%d): nothing changed",
				  n * 4, got, n, UV_CHUNK_ORDER);
		goto out;
	}
	sort(pages, n, sizeof(*pages), uv_cmp_page, NULL);

	if (down_write_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto out;
	}
	for (stored = 0; stored < n; stored++) {
		ret = xa_insert(&uv_db.pool, page_to_pfn(pages[stored]) >> UV_CHUNK_ORDER,
				pages[stored], GFP_KERNEL);
		if (ret)
			break;
	}
	if (stored < n) {
		scnprintf(msg, len, "pool grow: cannot index the pages (error %d): nothing changed",
			  ret);
		goto unlock;
	}
	ret = uv_pool_split_for(pages, n, steps);
	if (!ret)
		ret = uv_pool_steps(pages, n, uv_db.db.host, uv_db.db.avail, steps, &nr);
	if (ret) {
		scnprintf(msg, len, "pool grow: %s (error %d): nothing changed",
			  ret == -E2BIG ?
			  "the pages are too scattered for one transaction; grow in smaller steps" :
			  "the pages are not whole host entries of the database", ret);
		goto unlock;
	}
	ret = uv_db_apply_locked(steps, nr, false, res);
	if (ret) {
		scnprintf(msg, len, "pool grow: %s", res->message);
		goto unlock;
	}
	uv_db.pool_chunks += n;
	*log_seq = res->log_seq;
	up_write(&uv_db.lock);
	uv_event_txn_commit(res->log_seq, nr);
	*node_bytes = on_node * UV_POOL_CHUNK;
	if (node == NUMA_NO_NODE) {
		pr_info("pool grew by %llu MiB to %llu MiB\n", n * 4, uv_db.pool_chunks * 4);
	} else if (on_node == n) {
		pr_info("pool grew by %llu MiB to %llu MiB, all from node %d\n", n * 4,
			uv_db.pool_chunks * 4, node);
	} else {
		scnprintf(msg, len,
			  "node %d had %llu of the %llu MiB: the rest came from other nodes",
			  node, on_node * 4, n * 4);
		pr_info("pool grew by %llu MiB to %llu MiB: %s\n", n * 4, uv_db.pool_chunks * 4,
			msg);
	}
	got = 0;	/* the pool owns them now */
	goto out;

unlock:
	for (i = 0; i < stored; i++)
		xa_erase(&uv_db.pool, page_to_pfn(pages[i]) >> UV_CHUNK_ORDER);
	up_write(&uv_db.lock);
out:
	for (i = 0; i < got; i++)
		__free_pages(pages[i], UV_CHUNK_ORDER);
	kvfree(pages);
	kvfree(steps);
	kfree(res);
	return ret;
}

static int uv_pool_shrink(u64 n, u64 *log_seq, char *msg, size_t len)
{
	struct uv_txn_step *steps;
	struct uv_txn_result *res;
	struct page **pages, *p;
	unsigned long idx;
	u64 i, got = 0;
	u32 nr;
	int ret;

	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	steps = kvcalloc(UV_TXN_MAX_STEPS, sizeof(*steps), GFP_KERNEL);
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!pages || !steps || !res) {
		ret = -ENOMEM;
		scnprintf(msg, len, "pool shrink: out of memory for bookkeeping: nothing changed");
		goto out;
	}
	if (down_write_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto out;
	}
	/* whole 4 MiB pages owned by available, highest first */
	xa_for_each(&uv_db.pool, idx, p) {
		struct uv_map_pos pos;

		if (uv_map_find(page_to_pfn(p), 2, &pos) || pos.scale != 2 ||
		    pos.value != uv_db.db.avail)
			continue;
		if (got == n)
			memmove(pages, pages + 1, (n - 1) * sizeof(*pages));
		pages[got == n ? n - 1 : got++] = p;
	}
	if (got < n) {
		ret = -EBUSY;
		scnprintf(msg, len,
			  "pool shrink by %llu MiB: only %llu MiB of the pool's %llu MiB is free (whole 4 MiB pages owned by available): nothing changed",
			  n * 4, got * 4, uv_db.pool_chunks * 4);
		goto unlock;
	}
	ret = uv_pool_steps(pages, n, uv_db.db.avail, uv_db.db.host, steps, &nr);
	if (!ret)
		ret = uv_db_apply_locked(steps, nr, false, res);
	if (ret) {
		scnprintf(msg, len, "pool shrink: %s",
			  res->message[0] ? res->message : "the pages are too scattered");
		goto unlock;
	}
	for (i = 0; i < n; i++)
		xa_erase(&uv_db.pool, page_to_pfn(pages[i]) >> UV_CHUNK_ORDER);
	uv_db.pool_chunks -= n;
	*log_seq = res->log_seq;
	up_write(&uv_db.lock);

	uv_event_txn_commit(res->log_seq, nr);
	for (i = 0; i < n; i++) {
		uv_chunk_free(pages[i]);
		cond_resched();
	}
	pr_info("pool shrank by %llu MiB to %llu MiB\n", n * 4, uv_db.pool_chunks * 4);
	goto out;

unlock:
	up_write(&uv_db.lock);
out:
	kvfree(pages);
	kvfree(steps);
	kfree(res);
	return ret;
}

int uv_pool_resize_node(u32 op, u64 bytes, int node, bool strict, u64 *log_seq,
			u64 *node_bytes, char *msg, size_t len)
{
	u64 n = bytes / UV_POOL_CHUNK, have;

	*log_seq = 0;
	*node_bytes = 0;
	if (node != NUMA_NO_NODE && (node < 0 || node >= MAX_NUMNODES || !node_online(node))) {
		scnprintf(msg, len, "NUMA node %d is not online: nothing changed", node);
		return -EINVAL;
	}
	if (op != UV_POOL_GROW && node != NUMA_NO_NODE) {
		scnprintf(msg, len, "only a grow takes a NUMA node");
		return -EINVAL;
	}
	if (bytes % UV_POOL_CHUNK) {
		scnprintf(msg, len, "pool sizes are multiples of 4 MiB (got %llu bytes)", bytes);
		return -EINVAL;
	}
	if (op == UV_POOL_SET) {
		have = READ_ONCE(uv_db.pool_chunks);
		if (n == have)
			return 0;
		op = n > have ? UV_POOL_GROW : UV_POOL_SHRINK;
		n = n > have ? n - have : have - n;
	}
	if (op != UV_POOL_GROW && op != UV_POOL_SHRINK) {
		scnprintf(msg, len, "unknown pool operation %u", op);
		return -EINVAL;
	}
	if (!n)
		return 0;
	if (n > UV_POOL_MAX_CHUNKS) {
		scnprintf(msg, len, "one pool resize is at most %lu MiB",
			  UV_POOL_MAX_CHUNKS * 4);
		return op == UV_POOL_GROW ? -ENOMEM : -EINVAL;
	}
	return op == UV_POOL_GROW ?
		uv_pool_grow(n, node, strict, log_seq, node_bytes, msg, len) :
		uv_pool_shrink(n, log_seq, msg, len);
}

int uv_pool_resize(u32 op, u64 bytes, u64 *log_seq, char *msg, size_t len)
{
	u64 node_bytes;

	return uv_pool_resize_node(op, bytes, NUMA_NO_NODE, false, log_seq, &node_bytes, msg,
				   len);
}

int uv_pool_info(struct uv_pool *out)
{
	const struct resdb *db = &uv_db.db;
	const struct resdb_partition *p;
	unsigned long idx;
	struct page *pg;
	u64 free = 0;

	if (down_read_killable(&uv_db.lock))
		return -EINTR;
	out->pool_bytes = uv_db.pool_chunks * UV_POOL_CHUNK;
	p = resdb_partition(db, db->avail);
	out->available_bytes = p ? p->pages * RESDB_PAGE_SIZE : 0;
	p = resdb_partition(db, db->host);
	out->host_bytes = p ? p->pages * RESDB_PAGE_SIZE : 0;
	xa_for_each(&uv_db.pool, idx, pg) {
		struct uv_map_pos pos;

		if (!uv_map_find(page_to_pfn(pg), 2, &pos) && pos.scale == 2 &&
		    pos.value == db->avail)
			free++;
	}
	out->free_bytes = free * UV_POOL_CHUNK;
	up_read(&uv_db.lock);
	return 0;
}

/* Module unload: no partitions exist (they pin the module); give every page back. */
void uv_pool_exit(void)
{
	unsigned long idx;
	struct page *p;
	u64 n = 0;

	xa_for_each(&uv_db.pool, idx, p) {
		xa_erase(&uv_db.pool, idx);
		uv_chunk_free(p);
		n++;
	}
	xa_destroy(&uv_db.pool);
	uv_db.pool_chunks = 0;
	if (n)
		pr_info("gave the pool's %llu MiB back to Linux\n", n * 4);
}
