/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text form of transactions, in the seed's notation ([0111], [0112], [0222]-[0224]):
 *
 *   Begin Transaction
 *   Change Owner Map[0,1,18], Index(25), from [0,1,20], to [0,1,24]
 *   Initialize Partition[0,1,25] ("X", UserX, ...)
 *   Change Owner Map[0,1,1], IndexRange(768,1023), from [0,1,20], to [0,1,26]
 *   Split Map[0,1,0], Index(15), Into Map[0,1,16], {For[0,1,20]}
 *   Merge Map[0,1,0], Index(15), {From Map[0,1,16], For[0,1,20]}
 *   Destroy Partition[0,1,25]
 *   Commit Transaction            (or "End Transaction", [0222]; "Abort Transaction")
 *
 * plus steps the seed does not spell out (processors, channels), in the same style;
 * see docs/resdb.md. [S,G,M,K] is a number with S (control memory, [0206]).
 * A '#' starts a comment; lines starting with '@' are directives for the caller.
 * Also the Figure 8 dump of index pages with run-length ranges.
 */
#ifndef RESDB_TEXT_H
#define RESDB_TEXT_H

#include "resdb/resdb.h"

struct resdb_text_error {
	u32 line;		/* 1-based */
	u32 col;		/* 1-based */
	char msg[80];
};

enum resdb_text_kind {
	RESDB_TEXT_END = 0,
	RESDB_TEXT_BEGIN,
	RESDB_TEXT_STEP,
	RESDB_TEXT_COMMIT,
	RESDB_TEXT_ABORT,
	RESDB_TEXT_DIRECTIVE,	/* a line starting with '@' */
};

struct resdb_text_item {
	u32 kind;
	u32 line;
	struct uv_txn_step step;	/* RESDB_TEXT_STEP */
	const char *text;		/* RESDB_TEXT_DIRECTIVE: after '@', to end of line */
	u32 text_len;
};

struct resdb_text {
	const char *buf;
	u64 len;
	u64 pos;
	u32 line;
	struct resdb_text_error err;
};

void resdb_text_init(struct resdb_text *t, const char *buf, u64 len);
/* Next non-empty line. -RESDB_EPARSE with t->err set on a malformed line. */
int resdb_text_next(struct resdb_text *t, struct resdb_text_item *item);
/* Parse one step line (no directive, no Begin/Commit). */
int resdb_text_parse_step(const char *line, u64 len, struct uv_txn_step *step,
			  struct resdb_text_error *err);

/* Print a step as one line, NUL terminated; returns its length or -RESDB_ENOSPC. */
int resdb_text_print_step(const struct uv_txn_step *s, char *buf, u64 len);
/* Print one log record (Begin/step/Commit/Abort). */
int resdb_text_print_rec(const struct uv_log_rec *rec, char *buf, u64 len);
/* "[G,M,K]", "[S,G,M,K]" or "[-,G,M,K]". */
int resdb_text_print_number(u32 v, char *buf, u64 len);

/* Figure 8 dump of one index page: "Map[0,1,0] PGM: 0:[-,0,1,1] 1:[0,1,25] ..." */
int resdb_dump_page(const struct resdb *db, u32 map, char *buf, u64 len);
/* "UVIndex[0,1,23]: MapHigh=[0,0,0] MapLow=[0,1,0] Order=3 Ultra=[0,1,24] Avail=[0,1,20]" */
int resdb_dump_uv_index(const struct resdb *db, char *buf, u64 len);
/* Every index page, parents first; fn gets each line. */
typedef int (*resdb_line_fn)(void *ctx, const char *line, u64 len);
int resdb_dump(const struct resdb *db, char *buf, u64 len, resdb_line_fn fn, void *ctx);

/* ---- binary form (binary.c) ---- */

/*
 * Validate a struct uv_txn_hdr + steps buffer (8-byte aligned) of exactly len bytes
 * from an untrusted source; on success *steps points into buf. The header's tag
 * is the submitter's and takes any value (the caller reads it from the header).
 */
int resdb_txn_decode(const void *buf, u64 len, const struct uv_txn_step **steps, u32 *nr);
int resdb_txn_encode(const struct uv_txn_step *steps, u32 nr, void *buf, u64 len,
		     u64 *out_len);

/* ---- test vectors (vector.c) ---- */

/*
 * A vector is text-form transactions and directives:
 *   @format host=64G order=3 region=0,1 [owner=host] [with-host]
 *   @expect Map[0,1,0] PGM: ...      the dump of that page must be exactly this
 *   @expect UVIndex[0,1,23]: ...
 *   @check                           resdb_check() passes
 *   @fail EFROM                      the next transaction fails with that error and
 *                                    leaves the image unchanged
 * Every transaction is applied with env->apply (resdb_apply when NULL).
 */
#define RESDB_VECTOR_MAX_STEPS	64

struct resdb_vector_env {
	void *scratch;			/* for resdb_check() */
	u64 scratch_len;
	char *line;			/* for dumps: 24 KiB is enough for any page */
	u64 line_len;
	int (*apply)(void *ctx, struct resdb *db, const struct uv_txn_step *s, u32 nr);
	void *ctx;
	/* results */
	struct resdb_text_error err;	/* where and why the vector failed */
	u32 txns;
	u32 expects;
	struct uv_txn_step steps[RESDB_VECTOR_MAX_STEPS];
};

/* db: resdb_init()ed, not formatted. 0, or the error with env->err set. */
int resdb_vector_run(struct resdb *db, const char *text, u64 len,
		     struct resdb_vector_env *env);

#endif /* RESDB_TEXT_H */
