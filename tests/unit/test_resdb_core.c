// SPDX-License-Identifier: GPL-2.0
/*
 * Resource database behaviour outside the vectors: every precondition violation is
 * rejected with its error and no change; the checker notices corruption; queries;
 * the log ring; snapshot validation; the binary and text decoders reject bad input.
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "resdb/text.h"
#include "resdb_store.h"

#define GMK(g, m, k) ((u32)((g) << 20 | (m) << 10 | (k)))
#define AVAIL GMK(0, 1, 20)
#define ULTRA GMK(0, 1, 24)
#define MISSING GMK(0, 1, 19)
#define X GMK(0, 1, 25)

static struct resdb_sim sim;

/* The figure 8 boot image plus partition X owning the second 4 GiB. */
static const char boot[] =
	"@format host=64G order=3 region=0,1\n"
	"Begin Transaction\n"
	"Change Owner Map[0,1,18], Index(25), from [0,1,20], to [0,1,24]\n"
	"Initialize Partition[0,1,25] (\"X\", UserX)\n"
	"Change Owner Map[0,1,18], Index(25), from [0,1,24], to [0,1,25]\n"
	"Change Owner Map[0,1,0], Index(1), from [0,1,20], to [0,1,25]\n"
	"Commit Transaction\n";

static void setup(void)
{
	static char line[32768];
	struct resdb_vector_env *env = calloc(1, sizeof(*env));

	ck_assert_int_eq(resdb_sim_init(&sim, 1 << 20), 0);
	env->scratch_len = 1 << 20;
	env->scratch = malloc(env->scratch_len);
	env->line = line;
	env->line_len = sizeof(line);
	ck_assert_int_eq(resdb_vector_run(&sim.db, boot, sizeof(boot) - 1, env), 0);
	free(env->scratch);
	free(env);
}

static void teardown(void)
{
	resdb_sim_fini(&sim);
}

static struct uv_txn_step parse(const char *text)
{
	struct uv_txn_step s;
	struct resdb_text_error err;

	ck_assert_msg(!resdb_text_parse_step(text, strlen(text), &s, &err), "%s: %u: %s", text,
		      err.col, err.msg);
	return s;
}

static int apply1(const char *text)
{
	struct uv_txn_step s = parse(text);

	return resdb_apply(&sim.db, &s, 1);
}

/* Each violation: the named error, the image unchanged, the invariant intact. */
static const struct {
	const char *step;
	int err;
} violations[] = {
	{ "Change Owner Map[0,1,0], Index(3), from [0,1,25], to [0,1,20]", RESDB_EFROM },
	{ "Change Owner Map[0,1,0], IndexRange(1,14), from [0,1,20], to [0,1,25]", RESDB_EFROM },
	{ "Change Owner Map[0,1,0], Index(3), from [0,1,20], to [0,1,30]", RESDB_ENOTPART },
	{ "Change Owner Map[0,1,0], Index(3), from [0,1,20], to [0,1,20]", RESDB_EINVAL },
	{ "Change Owner Map[0,1,5], Index(3), from [0,1,20], to [0,1,25]", RESDB_ENOMAP },
	{ "Change Owner Map[0,1,0], Index(0), from [0,1,20], to [0,1,25]", RESDB_EFROM },
	{ "Change Owner Map[0,1,18], Index(0), from [S,0,1,24], to [0,1,20]", RESDB_EPSEUDO },
	{ "Change Owner Map[0,1,18], Index(30), from [0,1,20], to [S,0,1,24]", RESDB_EPSEUDO },
	{ "Split Map[0,1,0], Index(3), Into Map[0,1,30], {For[0,1,20]}", RESDB_ENOTFREE },
	{ "Split Map[0,1,0], Index(3), Into Map[0,1,2], {For[0,1,25]}", RESDB_EFROM },
	{ "Split Map[0,1,0], Index(3), Into Map[0,1,1], {For[0,1,20]}", RESDB_ENOTFREE },
	{ "Split Map[0,1,18], Index(30), Into Map[0,1,2], {For[0,1,20]}", RESDB_EINVAL },
	{ "Merge Map[0,1,0], Index(0), {From Map[0,1,1], For[0,1,20]}", RESDB_ENOTUNIFORM },
	{ "Merge Map[0,1,0], Index(3), {From Map[0,1,2], For[0,1,20]}", RESDB_ENOMAP },
	{ "Initialize Partition[0,1,30] (\"Z\", UserZ)", RESDB_ENOTFREE },
	{ "Initialize Partition[0,1,25] (\"Z\", UserZ)", RESDB_EBUSY },
	{ "Destroy Partition[0,1,30]", RESDB_ENOTPART },
	{ "Destroy Partition[0,1,25]", RESDB_EBUSY },
	{ "Destroy Partition[0,1,20]", RESDB_EPSEUDO },
	{ "Initialize Processor[0,1,2] (cpu=600)", RESDB_ECPU },
	{ "Change Schedule Processor[0,1,2], Slot(0), from [0,1,21]:0, to [0,1,25]:0",
	  RESDB_ENOTPART },
	{ "Destroy Processor[0,1,25]", RESDB_ENOTPART },
	{ "Change SlotLength Processor[0,1,2], from 1000us, to 500us", RESDB_ENOTPART },
	{ "Initialize Channel[0,1,2] (type=1, client [0,1,20], pages Mem[1,0,0]+1)",
	  RESDB_EPSEUDO },
	{ "Initialize Channel[0,1,2] (type=1, client [0,1,25], pages Mem[2,0,0]+1)", RESDB_EFROM },
	{ "Change Server Channel[0,1,2], Slot(0), from none, to [0,1,25]", RESDB_ENOTPART },
	{ "Destroy Channel[0,1,25]", RESDB_ENOTPART },
};

START_TEST(precondition_violation)
{
	struct resdb_check_report rep;
	struct resdb_store *before = resdb_store_clone(sim.store);
	u64 hash = resdb_image_hash(&sim.db), seq = resdb_log_next_seq(&sim.db);
	int ret = apply1(violations[_i].step);

	ck_assert_msg(ret == -violations[_i].err, "%s: got %s", violations[_i].step,
		      resdb_strerror(ret));
	ck_assert_int_eq(sim.db.err.code, violations[_i].err);
	ck_assert_uint_eq(resdb_image_hash(&sim.db), hash);
	ck_assert(resdb_store_equal(before, sim.store));
	ck_assert_int_eq(resdb_sim_check(&sim, &rep), 0);
	/* logged as BEGIN + ABORT, so a replica sees the attempt too */
	ck_assert_uint_eq(resdb_log_next_seq(&sim.db), seq + 2);
	resdb_store_free(before);
}
END_TEST

/* A later step failing undoes the earlier, applied ones. */
START_TEST(failure_rolls_back_earlier_steps)
{
	struct uv_txn_step s[2] = {
		parse("Change Owner Map[0,1,0], IndexRange(2,14), from [0,1,20], to [0,1,25]"),
		parse("Change Owner Map[0,1,0], Index(2), from [0,1,20], to [0,1,25]"),
	};
	u64 hash = resdb_image_hash(&sim.db);

	ck_assert_int_eq(resdb_apply(&sim.db, s, 2), -RESDB_EFROM);
	ck_assert_uint_eq(sim.db.err.step, 1);
	ck_assert_uint_eq(sim.db.err.index, 2);
	ck_assert_uint_eq(resdb_image_hash(&sim.db), hash);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 2, 0, 0), AVAIL);
}
END_TEST

/* Commit refuses a partition whose descriptor page it no longer owns. */
START_TEST(commit_requires_self_owned_descriptor)
{
	struct uv_txn_step s = parse("Change Owner Map[0,1,18], Index(25), from [0,1,25], "
				     "to [0,1,24]");
	struct uv_txn_step give = parse("Change Owner Map[0,1,0], Index(1), from [0,1,25], "
					"to [0,1,20]");
	u64 hash = resdb_image_hash(&sim.db);

	ck_assert_int_eq(resdb_apply(&sim.db, &s, 1), -RESDB_ESELF);
	ck_assert_uint_eq(resdb_image_hash(&sim.db), hash);
	ck_assert_int_eq(resdb_apply(&sim.db, &give, 1), 0);
	ck_assert_uint_eq(resdb_partition(&sim.db, X)->pages, 1);
}
END_TEST

START_TEST(state_errors)
{
	struct uv_txn_step s = parse("Destroy Partition[0,1,25]");

	ck_assert_int_eq(resdb_txn_commit(&sim.db), -RESDB_ESTATE);
	ck_assert_int_eq(resdb_txn_step(&sim.db, &s), -RESDB_ESTATE);
	ck_assert_int_eq(resdb_txn_begin(&sim.db), 0);
	ck_assert_int_eq(resdb_txn_begin(&sim.db), -RESDB_ESTATE);
	ck_assert_int_eq(resdb_txn_abort(&sim.db), 0);
	s.flags = 1;
	ck_assert_int_eq(resdb_apply(&sim.db, &s, 1), -RESDB_EINVAL);
	s.flags = 0;
	s.raw[100] = 1;		/* bytes past the member must be zero */
	ck_assert_int_eq(resdb_apply(&sim.db, &s, 1), -RESDB_EINVAL);
}
END_TEST

/* ---- checker ---- */

static void corrupt_and_expect(u64 pfn, u32 word, u32 value, const char *why)
{
	struct resdb_check_report rep;
	u32 *page = resdb_store_peek(sim.store, pfn);

	ck_assert_ptr_nonnull(page);
	page[word] = value;
	ck_assert_int_eq(resdb_sim_check(&sim, &rep), -RESDB_ECORRUPT);
	ck_assert_msg(strstr(rep.msg, why), "got '%s', want '%s'", rep.msg, why);
}

START_TEST(check_catches_owner_without_descriptor)
{
	corrupt_and_expect(GMK(0, 1, 1), 5, GMK(0, 1, 30), "entry names no partition");
}
END_TEST

START_TEST(check_catches_wrong_total)
{
	/* an entry moved behind the database's back: totals no longer match */
	corrupt_and_expect(GMK(0, 1, 1), 5, X, "page total differs");
}
END_TEST

START_TEST(check_catches_double_reference)
{
	corrupt_and_expect(GMK(0, 1, 0), 3, UV_ENTRY_REF | GMK(0, 1, 18), "referenced twice");
}
END_TEST

START_TEST(check_catches_index_page_not_control)
{
	corrupt_and_expect(GMK(0, 1, 18), 1, ULTRA, "index page not ultravisor control");
}
END_TEST

START_TEST(check_catches_descriptor_not_self_owned)
{
	struct resdb_check_report rep;
	u32 *pkm = resdb_store_peek(sim.store, GMK(0, 1, 18));
	struct resdb_partition *x = resdb_store_peek(sim.store, X);
	struct resdb_partition *u = resdb_store_peek(sim.store, ULTRA);

	/* X's descriptor page handed to the ultravisor, totals kept consistent */
	pkm[25] = ULTRA;
	x->pages--;
	u->pages++;
	ck_assert_int_eq(resdb_sim_check(&sim, &rep), -RESDB_ECORRUPT);
	ck_assert_msg(strstr(rep.msg, "not owned by itself"), "%s", rep.msg);
}
END_TEST

START_TEST(check_needs_scratch)
{
	struct resdb_check_report rep;
	char small[64];

	ck_assert_int_eq(resdb_check(&sim.db, small, sizeof(small), &rep), -RESDB_ENOSPC);
}
END_TEST

/* ---- queries ---- */

struct ext {
	u64 pfn[8], nr[8];
	u32 entry[8], n;
};

static int ext_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct ext *e = ctx;

	ck_assert_uint_lt(e->n, 8);
	e->pfn[e->n] = pfn;
	e->nr[e->n] = nr;
	e->entry[e->n++] = entry;
	return 0;
}

static int count_cb(void *ctx, const struct resdb_partition *p)
{
	(*(u32 *)ctx)++;
	ck_assert_uint_eq(p->hdr.me & 0xfffffc00u, GMK(0, 1, 0));
	return 0;
}

START_TEST(queries)
{
	struct ext e = { .n = 0 };
	u32 owner, scale, n = 0;

	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 1, 0, 0), X);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 1, 1023, 1023), X);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 16, 0, 0), MISSING);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 0, 1, 24), ULTRA);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 0, 0, 1, 18), ULTRA | UV_ENTRY_CTRL);
	ck_assert_uint_eq(resdb_get_mem_owner(&sim.db, 1, 0, 0, 0), UV_NONE);
	ck_assert_uint_eq(resdb_owner_of_addr(&sim.db, (1ull << 32) + 12345), X);
	ck_assert_int_eq(resdb_owner_of_pfn(&sim.db, GMK(0, 1, 25), &owner, &scale), 0);
	ck_assert_uint_eq(owner, X);
	ck_assert_uint_eq(scale, 1);
	ck_assert_int_eq(resdb_partition_extents(&sim.db, X, ext_cb, &e), 0);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_uint_eq(e.pfn[0], GMK(0, 1, 25));
	ck_assert_uint_eq(e.nr[0], 1);
	ck_assert_uint_eq(e.pfn[1], 1ull << 20);
	ck_assert_uint_eq(e.nr[1], 1ull << 20);
	ck_assert_int_eq(resdb_partition_list(&sim.db, count_cb, &n), 0);
	ck_assert_uint_eq(n, 6);	/* missing, available, idle, boot, ultravisor, X */
	ck_assert_str_eq(resdb_partition(&sim.db, X)->name, "X");
	ck_assert_ptr_null(resdb_partition(&sim.db, GMK(0, 1, 30)));
}
END_TEST

/* ---- log ring ---- */

START_TEST(log_ring_overwrites_oldest)
{
	struct resdb_sim small;
	struct resdb_format f = { .host_pages = 1 << 18, .region = 1 };
	struct uv_txn_step s[2] = {
		parse("Change Owner Map[0,1,0], Index(5), from [0,1,20], to [0,1,22]"),
		parse("Change Owner Map[0,1,0], Index(5), from [0,1,22], to [0,1,20]"),
	};
	u64 len, next;
	char buf[4096];
	int i;

	ck_assert_int_eq(resdb_sim_init(&small, (u64)4 * RESDB_STAGE_SIZE), 0);
	ck_assert_int_eq(resdb_format(&small.db, &f), 0);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(resdb_apply(&small.db, &s[i & 1], 1), 0);
	ck_assert_uint_gt(resdb_log_first_seq(&small.db), 1);
	ck_assert_int_eq(resdb_log_read(&small.db, 1, buf, sizeof(buf), &len, &next),
			 -RESDB_ESTALE);
	ck_assert_int_eq(resdb_log_read(&small.db, resdb_log_first_seq(&small.db), buf,
					sizeof(buf), &len, &next), 0);
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_eq(((struct uv_log_rec *)buf)->seq, resdb_log_first_seq(&small.db));
	resdb_sim_fini(&small);
}
END_TEST

START_TEST(log_full_aborts)
{
	struct resdb_sim small;
	struct resdb_format f = { .host_pages = 1 << 18, .region = 1 };
	struct uv_txn_step s = parse("Change Owner Map[0,1,0], Index(5), from [0,1,20], "
				     "to [0,1,22]");
	struct uv_txn_step t = parse("Change Owner Map[0,1,0], Index(5), from [0,1,22], "
				     "to [0,1,20]");
	u64 hash;
	int i, ret = 0;

	ck_assert_int_eq(resdb_sim_init(&small, (u64)4 * RESDB_STAGE_SIZE), 0);
	ck_assert_int_eq(resdb_format(&small.db, &f), 0);
	hash = resdb_image_hash(&small.db);
	ck_assert_int_eq(resdb_txn_begin(&small.db), 0);
	for (i = 0; i < 1000 && !ret; i++)
		ret = resdb_txn_step(&small.db, i & 1 ? &t : &s);
	ck_assert_int_eq(ret, -RESDB_ELOGFULL);
	ck_assert(!small.db.in_txn);
	ck_assert_uint_eq(resdb_image_hash(&small.db), hash);
	resdb_sim_fini(&small);
}
END_TEST

START_TEST(replay_detects_divergence)
{
	u64 size, len, next;
	void *snap, *buf = malloc(1 << 16);
	struct resdb_sim rep;
	void *scratch = malloc(1 << 20);
	u64 from;

	ck_assert_int_eq(resdb_snapshot_size(&sim.db, &size), 0);
	snap = malloc(size);
	ck_assert_int_eq(resdb_snapshot_write(&sim.db, snap, size, &len), 0);
	ck_assert_int_eq(resdb_sim_init(&rep, 1 << 20), 0);
	ck_assert_int_eq(resdb_snapshot_load(&rep.db, snap, len, scratch, 1 << 20), 0);
	from = resdb_log_next_seq(&rep.db);
	ck_assert_int_eq(apply1("Change Owner Map[0,1,0], Index(3), from [0,1,20], to [0,1,25]"),
			 0);
	/* the replica was changed behind the log's back */
	((u32 *)resdb_store_peek(rep.store, GMK(0, 1, 0)))[3] = GMK(0, 1, 22);
	ck_assert_int_eq(resdb_log_read(&sim.db, from, buf, 1 << 16, &len, &next), 0);
	ck_assert_int_eq(resdb_replay(&rep.db, buf, len), -RESDB_EDIVERGED);
	resdb_sim_fini(&rep);
	free(scratch);
	free(snap);
	free(buf);
}
END_TEST

/* A submitter's tag lands in its BEGIN record only, and a replica's log keeps it. */
START_TEST(tag_in_begin_record_and_replica)
{
	struct uv_txn_step s = parse("Change Owner Map[0,1,0], Index(3), from [0,1,20], to [0,1,25]");
	u64 size, len, next, from, rlen, rnext, off;
	u8 *buf = malloc(1 << 16), *rbuf = malloc(1 << 16);
	void *snap, *scratch = malloc(1 << 20);
	struct resdb_sim rep;
	u32 begins = 0;

	ck_assert_int_eq(resdb_snapshot_size(&sim.db, &size), 0);
	snap = malloc(size);
	ck_assert_int_eq(resdb_snapshot_write(&sim.db, snap, size, &len), 0);
	ck_assert_int_eq(resdb_sim_init(&rep, 1 << 20), 0);
	ck_assert_int_eq(resdb_snapshot_load(&rep.db, snap, len, scratch, 1 << 20), 0);
	from = resdb_log_next_seq(&sim.db);
	ck_assert_int_eq(resdb_apply_tagged(&sim.db, &s, 1, 0x1234567890abcdefull), 0);
	/* a failed one keeps its tag too: BEGIN, ABORT */
	ck_assert_int_eq(resdb_apply_tagged(&sim.db, &s, 1, 7), -RESDB_EFROM);
	ck_assert_int_eq(resdb_log_read(&sim.db, from, buf, 1 << 16, &len, &next), 0);
	for (off = 0; off < len; off += ((struct uv_log_rec *)(buf + off))->size) {
		const struct uv_log_rec *r = (const void *)(buf + off);

		if (r->type == UV_LOG_BEGIN)
			ck_assert_uint_eq(r->tag, begins++ ? 7 : 0x1234567890abcdefull);
		else if (r->type == UV_LOG_STEP)
			ck_assert_uint_eq(r->status, 0);	/* step index, not the tag */
	}
	ck_assert_uint_eq(begins, 2);
	ck_assert_int_eq(resdb_replay(&rep.db, buf, len), 0);
	ck_assert_int_eq(resdb_log_read(&rep.db, from, rbuf, 1 << 16, &rlen, &rnext), 0);
	ck_assert_uint_eq(rlen, len);
	ck_assert(!memcmp(rbuf, buf, len));
	resdb_sim_fini(&rep);
	free(scratch);
	free(snap);
	free(buf);
	free(rbuf);
}
END_TEST

START_TEST(snapshot_rejects_corruption)
{
	u64 size, len;
	unsigned char *snap;
	struct resdb_sim rep;
	void *scratch = malloc(1 << 20);
	struct uv_snap_hdr *h;

	ck_assert_int_eq(resdb_snapshot_size(&sim.db, &size), 0);
	snap = malloc(size);
	ck_assert_int_eq(resdb_snapshot_write(&sim.db, snap, size, &len), 0);
	h = (struct uv_snap_hdr *)snap;
	ck_assert_int_eq(resdb_sim_init(&rep, 1 << 20), 0);
	h->reserved[0] = 1;
	ck_assert_int_eq(resdb_snapshot_load(&rep.db, snap, len, scratch, 1 << 20),
			 -RESDB_ECORRUPT);
	h->reserved[0] = 0;
	ck_assert_int_eq(resdb_snapshot_load(&rep.db, snap, len - 1, scratch, 1 << 20),
			 -RESDB_ECORRUPT);
	/* a map entry naming nothing: the load's check refuses it */
	/* cppcheck-suppress unreadVariable ; read by resdb_snapshot_load() through snap */
	((u32 *)((struct uv_snap_page *)(h + 1))[0].data)[7] = GMK(0, 1, 31);
	ck_assert_int_eq(resdb_snapshot_load(&rep.db, snap, len, scratch, 1 << 20),
			 -RESDB_ECORRUPT);
	ck_assert(!rep.db.attached);
	resdb_sim_fini(&rep);
	free(scratch);
	free(snap);
}
END_TEST

/* ---- binary and text decoders ---- */

/* Decode a copy of the encoded transaction @buf with byte @off set to @val. */
static int decode_poked(const u64 *buf, u64 len, size_t off, u8 val)
{
	static u64 copy[64];
	const struct uv_txn_step *out;
	u32 nr;

	ck_assert_uint_le(len, sizeof(copy));
	memcpy(copy, buf, len);
	((u8 *)copy)[off] = val;
	return resdb_txn_decode(copy, len, &out, &nr);
}

START_TEST(binary_roundtrip_and_rejects)
{
	struct uv_txn_step s[2] = {
		parse("Change Owner Map[0,1,0], Index(3), from [0,1,20], to [0,1,25]"),
		parse("Initialize Partition[0,1,30] (\"Z\", UserZ, type=io)"),
	};
	u64 buf[64], len;
	const struct uv_txn_step *out;
	struct uv_txn_hdr *h = (struct uv_txn_hdr *)buf;
	u32 nr;

	ck_assert_int_eq(resdb_txn_encode(s, 2, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), 0);
	ck_assert_uint_eq(nr, 2);
	/* the ABI defines every byte (explicit pads, checked zero): compare them all */
	ck_assert(!memcmp(out, s, sizeof(s))); /* NOLINT(bugprone-suspicious-memory-comparison) */
	ck_assert_int_eq(resdb_txn_decode(buf, len - 8, &out, &nr), -RESDB_EINVAL);
	ck_assert_int_eq(resdb_txn_decode((char *)buf + 4, len, &out, &nr), -RESDB_EINVAL);
	h->reserved[0] = 1;
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), -RESDB_EINVAL);
	h->reserved[0] = 0;
	h->tag = ~0ull;		/* the submitter's: any value */
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), 0);
	h->tag = 0;
	h->version = 2;
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), -RESDB_EINVAL);
	h->version = UV_TXN_VERSION;
	/* a nonzero pad, a nonzero byte past the member used, an unknown op */
	ck_assert_int_eq(decode_poked(buf, len, sizeof(*h) +
				      offsetof(struct uv_txn_step, change_owner.at.pad2), 1),
			 -RESDB_EINVAL);
	ck_assert_int_eq(decode_poked(buf, len, sizeof(*h) +
				      offsetof(struct uv_txn_step, raw[119]), 1), -RESDB_EINVAL);
	ck_assert_int_eq(decode_poked(buf, len, sizeof(*h) + offsetof(struct uv_txn_step, op), 99),
			 -RESDB_EINVAL);
}
END_TEST

/* A slot length outside 100 us .. 1 s never gets past decoding. */
START_TEST(slot_length_bounds)
{
	struct uv_txn_step s = parse("Change SlotLength Processor[0,1,27], from 1000us, to 100us");
	const struct uv_txn_step *out;
	u64 buf[64], len;
	u32 nr;

	ck_assert_int_eq(resdb_txn_encode(&s, 1, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), 0);
	ck_assert_uint_eq(out->slot_length.to_us, 100);
	s.slot_length.to_us = UV_SLOT_US_MIN - 1;
	ck_assert_int_eq(resdb_txn_encode(&s, 1, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), -RESDB_EINVAL);
	s.slot_length.to_us = UV_SLOT_US_MAX + 1;
	ck_assert_int_eq(resdb_txn_encode(&s, 1, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), -RESDB_EINVAL);
	s.slot_length.to_us = UV_SLOT_US_MAX;
	s.slot_length.pad = 1;
	ck_assert_int_eq(resdb_txn_encode(&s, 1, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(resdb_txn_decode(buf, len, &out, &nr), -RESDB_EINVAL);
}
END_TEST

static const struct {
	/* cppcheck-suppress unusedStructMember ; used through START_TEST's _i */
	const char *text;
	u32 line, col;
} parse_errors[] = {
	{ "Begin Transaction\nChange Ownr Map[0,1,0], Index(1), from [0,1,20], to [0,1,25]\n",
	  2, 8 },
	{ "Begin Transaction\nChange Owner Map[0,1,0], Index(1024), from [0,1,20], to [0,1,25]\n",
	  2, 35 },
	{ "Split Map[0,1,0], IndexRange(1,2), Into Map[0,1,2], {For[0,1,20]}\n", 1, 19 },
	{ "\n\n  Destroy Partition[0,1,25] junk\n", 3, 29 },
	{ "Initialize Partition[0,1,25] (\"X, UserX)\n", 1, 41 },
	{ "Begin Transaction extra\n", 1, 19 },
};

START_TEST(parse_error_names_line_and_column)
{
	struct resdb_text t;
	struct resdb_text_item it;
	int ret;

	resdb_text_init(&t, parse_errors[_i].text, strlen(parse_errors[_i].text));
	do {
		ret = resdb_text_next(&t, &it);
	} while (!ret && it.kind != RESDB_TEXT_END);
	ck_assert_int_eq(ret, -RESDB_EPARSE);
	ck_assert_uint_eq(t.err.line, parse_errors[_i].line);
	ck_assert_msg(t.err.col == parse_errors[_i].col, "col %u (%s), want %u", t.err.col,
		      t.err.msg, parse_errors[_i].col);
	ck_assert(t.err.msg[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resdb_core");
	TCase *tc = tcase_create("core");
	TCase *td = tcase_create("decoders");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, precondition_violation, 0,
			    (int)(sizeof(violations) / sizeof(violations[0])));
	tcase_add_test(tc, failure_rolls_back_earlier_steps);
	tcase_add_test(tc, commit_requires_self_owned_descriptor);
	tcase_add_test(tc, state_errors);
	tcase_add_test(tc, check_catches_owner_without_descriptor);
	tcase_add_test(tc, check_catches_wrong_total);
	tcase_add_test(tc, check_catches_double_reference);
	tcase_add_test(tc, check_catches_index_page_not_control);
	tcase_add_test(tc, check_catches_descriptor_not_self_owned);
	tcase_add_test(tc, check_needs_scratch);
	tcase_add_test(tc, queries);
	tcase_add_test(tc, replay_detects_divergence);
	tcase_add_test(tc, tag_in_begin_record_and_replica);
	tcase_add_test(tc, snapshot_rejects_corruption);
	tcase_add_test(tc, binary_roundtrip_and_rejects);
	tcase_add_test(tc, slot_length_bounds);
	tcase_add_test(td, log_ring_overwrites_oldest);
	tcase_add_test(td, log_full_aborts);
	tcase_add_loop_test(td, parse_error_names_line_and_column, 0,
			    (int)(sizeof(parse_errors) / sizeof(parse_errors[0])));
	suite_add_tcase(s, tc);
	suite_add_tcase(s, td);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
