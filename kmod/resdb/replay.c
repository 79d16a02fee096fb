// SPDX-License-Identifier: GPL-2.0
/*
 * Replay: a replica (the command daemon, [0090], [0106]) applies the master's log
 * records onto its snapshot. It does not re-run the steps' logic: it checks each
 * before image and writes each after image, so a replica that differs from the
 * master stops with -RESDB_EDIVERGED instead of drifting. Records are appended to
 * the replica's own log unchanged, so both logs and sequence numbers stay equal.
 */
#include "resdb/internal.h"

static int replay_one(struct resdb *db, const struct uv_log_rec *rec)
{
	struct uv_log_rec *st = (struct uv_log_rec *)db->stage;
	int ret;

	switch (rec->type) {
	case UV_LOG_BEGIN:
		if (db->in_txn || rec->txn != rec->seq)
			return -RESDB_ECORRUPT;
		return resdb_txn_begin_tagged(db, rec->tag);
	case UV_LOG_STEP:
		if (!db->in_txn || rec->txn != db->txn_seq || rec->status != db->txn_steps)
			return -RESDB_ECORRUPT;
		memcpy(st, rec, rec->size);
		ret = resdb_rec_redo(db, st, 0, true);
		if (ret)
			return ret;
		ret = resdb_log_append(db, st);
		if (!ret)
			ret = resdb_rec_redo(db, st, UV_NONE, false);
		if (!ret)
			db->txn_steps++;
		return ret;
	case UV_LOG_COMMIT:
		if (!db->in_txn || rec->txn != db->txn_seq || rec->status || rec->aux)
			return -RESDB_ECORRUPT;
		ret = resdb_log_mark(db, UV_LOG_COMMIT, 0, 0);
		if (!ret)
			db->in_txn = false;
		return ret;
	default:
		if (!db->in_txn || rec->txn != db->txn_seq)
			return -RESDB_ECORRUPT;
		ret = resdb_txn_rollback(db);
		if (!ret)
			ret = resdb_log_mark(db, UV_LOG_ABORT, rec->status, rec->aux);
		db->in_txn = false;
		return ret;
	}
}

int resdb_replay(struct resdb *db, const void *recs, u64 len)
{
	const u8 *p = recs;
	u64 off = 0;
	int ret;

	if (!db->attached || db->cut)
		return -RESDB_ESTATE;
	if ((unsigned long)recs & 7)
		return -RESDB_EINVAL;
	while (off < len) {
		const struct uv_log_rec *rec = (const void *)(p + off);

		if (len - off < RESDB_REC_MIN)
			return -RESDB_ECORRUPT;
		ret = resdb_rec_check(rec, len - off);
		if (ret)
			return ret;
		off += rec->size;
		if (rec->seq < db->log.next_seq)
			continue;	/* already applied: readers may overlap */
		if (rec->seq > db->log.next_seq)
			return -RESDB_ESTALE;
		ret = replay_one(db, rec);
		if (ret)
			return ret;
	}
	return 0;
}
