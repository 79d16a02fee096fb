// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's logs as vectors (tests/vectors/ (one .txt per scenario)), run three ways:
 *  - plainly: every @expect dump and @check as the seed says;
 *  - with fault injection: before each transaction, for every step N and every
 *    number of images written, cut the transaction there, recover from the log,
 *    and require the database byte-equal to before with the invariant holding;
 *  - with a replica: after each transaction, the log read from the replica's
 *    sequence number and replayed onto it (started from a snapshot) gives the same
 *    snapshot bytes and the same log.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resdb/text.h"
#include "resdb_store.h"

static const char *const vectors[] = {
	"tests/vectors/figure8.txt",
	"tests/vectors/seed_logs.txt",
	"tests/vectors/processors_channels.txt",
	"tests/vectors/hosted.txt",
};
#define NR_VECTORS (int)(sizeof(vectors) / sizeof(vectors[0]))

#define LOG_SIZE (1u << 20)

static char line[32768];

static struct resdb_vector_env *new_env(struct resdb_sim *sim)
{
	struct resdb_vector_env *env = calloc(1, sizeof(*env));

	ck_assert_ptr_nonnull(env);
	env->scratch_len = 1 << 20;
	env->scratch = malloc(env->scratch_len);
	env->line = line;
	env->line_len = sizeof(line);
	(void)sim;
	return env;
}

static int run(const char *path, struct resdb_sim *sim, struct resdb_vector_env *env)
{
	size_t len;
	char *text = resdb_read_file(path, &len);
	int ret;

	ck_assert_msg(text, "cannot read %s (run from the tree top)", path);
	ret = resdb_vector_run(&sim->db, text, len, env);
	if (ret)
		fprintf(stderr, "%s:%u:%u: %s\n", path, env->err.line, env->err.col,
			env->err.msg);
	free(text);
	return ret;
}

START_TEST(vector_plain)
{
	struct resdb_sim sim;
	struct resdb_vector_env *env;

	ck_assert_int_eq(resdb_sim_init(&sim, LOG_SIZE), 0);
	env = new_env(&sim);
	ck_assert_int_eq(run(vectors[_i], &sim, env), 0);
	ck_assert_uint_gt(env->txns, 0);
	ck_assert_uint_gt(env->expects, 0);
	free(env->scratch);
	free(env);
	resdb_sim_fini(&sim);
}
END_TEST

/* ---- fault injection ---- */

struct fault_ctx {
	struct resdb_sim *sim;
	u32 cuts;
	u32 aborts;
};

static void assert_same(struct resdb_sim *sim, struct resdb_store *before, u64 hash)
{
	struct resdb_check_report rep;

	ck_assert(!sim->db.in_txn && !sim->db.cut);
	ck_assert_uint_eq(resdb_image_hash(&sim->db), hash);
	ck_assert_msg(resdb_store_equal(before, sim->store), "store bytes differ");
	ck_assert_int_eq(resdb_sim_check(sim, &rep), 0);
}

static int fault_apply(void *ctx, struct resdb *db, const struct uv_txn_step *s, u32 nr)
{
	struct fault_ctx *f = ctx;
	struct resdb_sim *sim = f->sim;
	u64 hash = resdb_image_hash(db);
	u32 n, img;

	for (n = 0; n < nr; n++) {
		for (img = 0;; img++) {
			struct resdb_store *before;
			u32 i;
			int ret = 0;

			/* pages an attempt maps appear zeroed: equal to absent ones */
			before = resdb_store_clone(sim->store);
			ck_assert_ptr_nonnull(before);
			ck_assert_int_eq(resdb_txn_begin(db), 0);
			db->fault.armed = true;
			db->fault.step = n;
			db->fault.images = img;
			for (i = 0; i <= n && !ret; i++)
				ret = resdb_txn_step(db, &s[i]);
			db->fault.armed = false;
			if (ret == -RESDB_ECUT) {
				ck_assert_int_eq(resdb_recover(db), 0);
				f->cuts++;
			} else if (!ret) {
				/* step n writes fewer images: all were written; abort it */
				ck_assert_int_eq(resdb_txn_abort(db), 0);
				f->aborts++;
			}
			/* else: a step failed its precondition and was rolled back */
			ck_assert_msg(resdb_store_equal(before, sim->store),
				      "step %u image %u: bytes differ", n, img);
			assert_same(sim, before, hash);
			resdb_store_free(before);
			if (ret != -RESDB_ECUT)
				break;
		}
	}
	return resdb_apply(db, s, nr);
}

START_TEST(vector_faults)
{
	struct resdb_sim sim;
	struct resdb_vector_env *env;
	struct fault_ctx f = { .sim = &sim };

	ck_assert_int_eq(resdb_sim_init(&sim, LOG_SIZE), 0);
	env = new_env(&sim);
	env->apply = fault_apply;
	env->ctx = &f;
	ck_assert_int_eq(run(vectors[_i], &sim, env), 0);
	ck_assert_uint_gt(f.cuts, 0);
	free(env->scratch);
	free(env);
	resdb_sim_fini(&sim);
}
END_TEST

/* ---- replica ---- */

struct replica_ctx {
	struct resdb_sim *master;
	struct resdb_sim replica;
	bool started;
	u32 synced;
};

static void *snapshot(struct resdb_sim *sim, u64 *len)
{
	u64 size;
	void *buf;

	ck_assert_int_eq(resdb_snapshot_size(&sim->db, &size), 0);
	buf = malloc(size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(resdb_snapshot_write(&sim->db, buf, size, len), 0);
	ck_assert_uint_eq(*len, size);
	return buf;
}

static void sync_replica(struct replica_ctx *r)
{
	struct resdb_sim *m = r->master;
	u64 from = resdb_log_next_seq(&r->replica.db), next, len, a_len, b_len;
	void *buf = malloc(LOG_SIZE), *a, *b;
	struct resdb_check_report rep;

	ck_assert_ptr_nonnull(buf);
	while (from < resdb_log_next_seq(&m->db)) {
		ck_assert_int_eq(resdb_log_read(&m->db, from, buf, LOG_SIZE, &len, &next), 0);
		ck_assert_int_eq(resdb_replay(&r->replica.db, buf, len), 0);
		from = next;
	}
	ck_assert_uint_eq(resdb_log_next_seq(&r->replica.db), resdb_log_next_seq(&m->db));
	a = snapshot(m, &a_len);
	b = snapshot(&r->replica, &b_len);
	ck_assert_uint_eq(a_len, b_len);
	ck_assert_msg(!memcmp(a, b, a_len), "replica snapshot differs");
	ck_assert_int_eq(resdb_sim_check(&r->replica, &rep), 0);
	r->synced++;
	free(a);
	free(b);
	free(buf);
}

static int replica_apply(void *ctx, struct resdb *db, const struct uv_txn_step *s, u32 nr)
{
	struct replica_ctx *r = ctx;
	int ret;

	if (!r->started) {
		/* the replica starts from a snapshot of the master, then follows the log */
		u64 len;
		void *snap = snapshot(r->master, &len);
		struct resdb_check_report rep;
		u64 need = resdb_check_scratch_size(&r->master->db);
		void *scratch = malloc(need);

		ck_assert_int_eq(resdb_sim_init(&r->replica, LOG_SIZE), 0);
		ck_assert_int_eq(resdb_snapshot_load(&r->replica.db, snap, len, scratch, need), 0);
		ck_assert_int_eq(resdb_sim_check(&r->replica, &rep), 0);
		free(scratch);
		free(snap);
		r->started = true;
	}
	ret = resdb_apply(db, s, nr);
	sync_replica(r);
	return ret;
}

START_TEST(vector_replay)
{
	struct resdb_sim sim;
	struct resdb_vector_env *env;
	struct replica_ctx r = { .master = &sim };

	ck_assert_int_eq(resdb_sim_init(&sim, LOG_SIZE), 0);
	env = new_env(&sim);
	env->apply = replica_apply;
	env->ctx = &r;
	ck_assert_int_eq(run(vectors[_i], &sim, env), 0);
	ck_assert_uint_eq(r.synced, env->txns);
	free(env->scratch);
	free(env);
	resdb_sim_fini(&r.replica);
	resdb_sim_fini(&sim);
}
END_TEST

/* Every step line of every vector prints back to text that parses to the same step. */
START_TEST(vector_text_roundtrip)
{
	size_t len;
	char *text = resdb_read_file(vectors[_i], &len);
	struct resdb_text t;
	struct resdb_text_item it;
	u32 steps = 0;

	ck_assert_ptr_nonnull(text);
	resdb_text_init(&t, text, len);
	while (!resdb_text_next(&t, &it) && it.kind != RESDB_TEXT_END) {
		struct uv_txn_step again;
		struct resdb_text_error err;
		int n;

		if (it.kind != RESDB_TEXT_STEP)
			continue;
		n = resdb_text_print_step(&it.step, line, sizeof(line));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(resdb_text_parse_step(line, n, &again, &err), 0);
		/* the ABI defines every byte of a step (explicit pads): compare them all */
		ck_assert_msg(!memcmp(&again, &it.step, sizeof(again)), /* NOLINT(bugprone-suspicious-memory-comparison) */
			      "%s", line);
		steps++;
	}
	ck_assert_int_eq(it.kind, RESDB_TEXT_END);
	ck_assert_uint_gt(steps, 3);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resdb_vectors");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, vector_plain, 0, NR_VECTORS);
	tcase_add_loop_test(tc, vector_faults, 0, NR_VECTORS);
	tcase_add_loop_test(tc, vector_replay, 0, NR_VECTORS);
	tcase_add_loop_test(tc, vector_text_roundtrip, 0, NR_VECTORS);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
