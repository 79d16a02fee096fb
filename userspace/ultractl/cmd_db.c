// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl db: the resource database.
 *   dump [--snapshot FILE]   Figure 8 style dump of the index pages, partitions and
 *                            extents, from a snapshot loaded into a userspace replica
 *   check                    the module's checker, then the snapshot checked here
 *   log [--from SEQ]         the audit log, one record per line
 *   snapshot FILE|-          save a snapshot (struct uv_snap_hdr + pages)
 *   sync [--snapshot FILE]   replica = snapshot + the log since; compare with the module
 *   owner ADDR               owner of the page holding physical address ADDR
 * All read-only: they open /dev/ultravisor O_RDONLY and never take the command channel.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_db.h"
#include "ultra_json.h"
#include "ultractl.h"

struct db_opts {
	const char *snapshot;
	uint64_t from;
	bool have_from;
	const char *arg;
};

static int parse_opts(struct ultractl_ctx *ctx, int argc, char **argv, struct db_opts *o,
		      bool want_arg)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jhs:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			return ultractl_help(ctx, &ultractl_cmd_db);
		case 's':
			o->snapshot = optarg;
			break;
		case 'f':
			errno = 0;
			o->from = strtoull(optarg, &end, 0);
			if (errno || *end || !*optarg)
				return ultractl_usage(ctx, &ultractl_cmd_db, "--from wants a number");
			o->have_from = true;
			break;
		default:
			return ultractl_usage(ctx, &ultractl_cmd_db, "unknown option");
		}
	}
	if (want_arg) {
		if (optind != argc - 1)
			return ultractl_usage(ctx, &ultractl_cmd_db, "one argument expected");
		o->arg = argv[optind];
	} else if (optind < argc) {
		return ultractl_usage(ctx, &ultractl_cmd_db, "unexpected argument");
	}
	return ULTRACTL_CONTINUE;
}

static char *read_all(const char *path, size_t *len, struct ultra_err *e)
{
	FILE *f = strcmp(path, "-") != 0 ? fopen(path, "rb") : stdin;
	size_t room = 1 << 16, n = 0;
	char *buf = NULL;

	if (!f) {
		ultra_err_set(e, errno, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		char *b = realloc(buf, room + 1);

		if (!b) {
			ultra_err_set(e, ENOMEM, "out of memory reading %s", path);
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		n += fread(buf + n, 1, room - n, f);
		if (n < room) {
			if (ferror(f)) {
				ultra_err_set(e, EIO, "cannot read %s", path);
				free(buf);
				buf = NULL;
			} else {
				buf[n] = '\0';
				*len = n;
			}
			break;
		}
		room *= 2;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

/* A replica from --snapshot FILE, or from a snapshot the module takes now. */
static int load_replica(struct ultractl_ctx *ctx, const char *file, struct ultra_replica *r,
			struct uv_snapshot *snap, struct ultra_err *e)
{
	size_t len = 0;
	void *buf;
	int ret;

	memset(snap, 0, sizeof(*snap));
	if (file) {
		buf = read_all(file, &len, e);
		if (!buf)
			return -e->err;
	} else {
		int fd = ultra_open(ctx->dev_path, e);

		if (fd < 0)
			return fd;
		ret = ultra_snapshot(fd, &buf, &len, snap, e);
		close(fd);
		if (ret)
			return ret;
	}
	ret = ultra_replica_load(r, buf, len, e);
	free(buf);
	return ret;
}

/* ---- dump ---- */

struct extent {
	uint64_t pfn, nr;
	uint32_t entry;
};

struct dump_ctx {
	const struct resdb *db;
	json_object *maps;		/* JSON: array of lines */
	json_object *parts;
	struct extent *ext;
	size_t n_ext, room;
};

static int dump_line(void *ctx, const char *line, u64 len)
{
	struct dump_ctx *d = ctx;

	if (d->maps)
		return json_object_array_add(d->maps, json_object_new_string_len(line, (int)len));
	printf("%.*s\n", (int)len, line);
	return 0;
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = {
		[UV_PT_PSEUDO] = "pseudo", [UV_PT_ULTRAVISOR] = "ultravisor",
		[UV_PT_COMMAND] = "command", [UV_PT_OPERATIONS] = "operations",
		[UV_PT_IO] = "io", [UV_PT_USER] = "user", [UV_PT_IDLE] = "idle",
		[UV_PT_BOOT] = "boot",
	};

	return t <= UV_PT_MAX && names[t] ? names[t] : "?";
}

static int dump_extent(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct dump_ctx *d = ctx;

	if (d->n_ext == d->room) {
		size_t room = d->room ? 2 * d->room : 256;
		struct extent *x = realloc(d->ext, room * sizeof(*x));

		if (!x)
			return -RESDB_ENOSPC;
		d->ext = x;
		d->room = room;
	}
	d->ext[d->n_ext++] = (struct extent){ pfn, nr, entry };
	return 0;
}

static int dump_partition(void *ctx, const struct resdb_partition *p)
{
	struct dump_ctx *d = ctx;
	char num[32];

	resdb_text_print_number(p->hdr.me, num, sizeof(num));
	if (d->parts) {
		json_object *o = json_object_new_object();

		ultra_json_add(o, "number", json_object_new_string(num));
		ultra_json_add(o, "name", json_object_new_string_len(p->name,
					(int)strnlen(p->name, sizeof(p->name))));
		ultra_json_add(o, "role", json_object_new_string_len(p->role,
					(int)strnlen(p->role, sizeof(p->role))));
		ultra_json_add(o, "type", json_object_new_string(type_name(p->type)));
		ultra_json_add(o, "pages", json_object_new_int64((int64_t)p->pages));
		json_object_array_add(d->parts, o);
	} else {
		printf("Partition %-12s %-12.*s %-12.*s %-10s %10" PRIu64 " pages (%" PRIu64
		       " KiB)\n", num, (int)sizeof(p->name), p->name, (int)sizeof(p->role),
		       p->role, type_name(p->type), (uint64_t)p->pages, (uint64_t)p->pages * 4);
	}
	return resdb_partition_extents(d->db, p->hdr.me, dump_extent, d);
}

static int cmp_extent(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static const char *owner_name(const struct resdb *db, uint32_t entry, char *buf, size_t len)
{
	const struct resdb_partition *p = resdb_partition(db, entry & UV_ENTRY_GMK);
	char num[32];

	resdb_text_print_number(entry, num, sizeof(num));
	snprintf(buf, len, "%s %.*s", num, p ? (int)strnlen(p->name, sizeof(p->name)) : 1,
		 p ? p->name : "?");
	return buf;
}

static int db_dump(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct dump_ctx d = { 0 };
	struct ultra_replica r;
	struct uv_snapshot snap;
	struct ultra_err e = { 0 };
	json_object *root = NULL, *exts = NULL;
	char line[32768], name[96];
	size_t i;
	int ret;

	if (load_replica(ctx, o->snapshot, &r, &snap, &e))
		return ultractl_fail(ctx, &e);
	d.db = &r.sim.db;
	if (ctx->json) {
		root = json_object_new_object();
		d.maps = json_object_new_array();
		d.parts = json_object_new_array();
		exts = json_object_new_array();
	}
	ret = resdb_dump(d.db, line, sizeof(line), dump_line, &d);
	if (!ret)
		ret = resdb_partition_list(d.db, dump_partition, &d);
	if (ret) {
		ultra_err_set(&e, EIO, "dump failed: %s", resdb_strerror(ret));
		ultra_replica_fini(&r);
		free(d.ext);
		json_object_put(root);
		json_object_put(d.maps);
		json_object_put(d.parts);
		json_object_put(exts);
		return ultractl_fail(ctx, &e);
	}
	qsort(d.ext, d.n_ext, sizeof(*d.ext), cmp_extent);
	for (i = 0; i < d.n_ext; i++) {
		uint64_t start = d.ext[i].pfn * 4096, end = (d.ext[i].pfn + d.ext[i].nr) * 4096 - 1;

		owner_name(d.db, d.ext[i].entry, name, sizeof(name));
		if (exts) {
			json_object *x = json_object_new_object();

			ultra_json_add(x, "start", json_object_new_int64((int64_t)start));
			ultra_json_add(x, "end", json_object_new_int64((int64_t)end));
			ultra_json_add(x, "owner", json_object_new_string(name));
			json_object_array_add(exts, x);
		} else {
			printf("Extent %08" PRIx64 "-%08" PRIx64 " %s\n", start, end, name);
		}
	}
	free(d.ext);
	if (root) {
		ultra_json_add(root, "snapshot_seq", json_object_new_int64((int64_t)r.snap_seq));
		ultra_json_add(root, "maps", d.maps);
		ultra_json_add(root, "partitions", d.parts);
		ultra_json_add(root, "extents", exts);
		ultra_replica_fini(&r);
		return ultractl_json_out(root);
	}
	ultra_replica_fini(&r);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

/* ---- check ---- */

static int db_check(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct resdb_check_report rep;
	struct ultra_err e = { 0 };
	struct ultra_replica r;
	struct uv_snapshot snap;
	struct uv_check c;
	uint64_t hash;
	int fd, ret;

	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_check(fd, &c, &e);
	close(fd);
	if (ret)
		return ultractl_fail(ctx, &e);
	if (load_replica(ctx, NULL, &r, &snap, &e))
		return ultractl_fail(ctx, &e);
	ret = resdb_sim_check(&r.sim, &rep);
	hash = resdb_image_hash(&r.sim.db);
	ultra_replica_fini(&r);
	if (ret) {
		ultra_err_set(&e, EUCLEAN, "the module's snapshot fails the check here: %s: %s",
			      resdb_strerror(ret), rep.msg);
		return ultractl_fail(ctx, &e);
	}
	if (hash != snap.image_hash) {
		ultra_err_set(&e, EUCLEAN,
			      "the snapshot's image hash here %016" PRIx64 " differs from the module's %016"
			      PRIx64, hash, (uint64_t)snap.image_hash);
		return ultractl_fail(ctx, &e);
	}
	if (ctx->json) {
		json_object *j = json_object_new_object();
		char hex[20];

		ultra_json_add(j, "ok", json_object_new_boolean(1));
		ultra_json_add(j, "pages", json_object_new_int64((int64_t)c.pages));
		ultra_json_add(j, "partitions", json_object_new_int64(c.partitions));
		ultra_json_add(j, "index_pages", json_object_new_int64(c.index_pages));
		ultra_json_add(j, "processors", json_object_new_int64(c.processors));
		ultra_json_add(j, "channels", json_object_new_int64(c.channels));
		ultra_json_add(j, "next_seq", json_object_new_int64((int64_t)c.next_seq));
		snprintf(hex, sizeof(hex), "%016" PRIx64, (uint64_t)c.image_hash);
		ultra_json_add(j, "image_hash", json_object_new_string(hex));
		ultra_json_add(j, "region", json_object_new_int64((int64_t)c.region_pfn * 4096));
		ultra_json_add(j, "snapshot_pages", json_object_new_int64((int64_t)rep.pages));
		return ultractl_json_out(j);
	}
	printf("module:   ok: %" PRIu64 " pages described, %u partitions, %u index pages, %u processors, %u channels\n",
	       (uint64_t)c.pages, c.partitions, c.index_pages, c.processors, c.channels);
	printf("          log at seq %" PRIu64 ", image hash %016" PRIx64 ", boot region at %#" PRIx64 "\n",
	       (uint64_t)c.next_seq, (uint64_t)c.image_hash, (uint64_t)c.region_pfn * 4096);
	printf("snapshot: ok: checked here too, seq %" PRIu64 ", image hash %016" PRIx64 "\n",
	       (uint64_t)snap.next_seq, hash);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

/* ---- log ---- */

static int db_log(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct ultra_err e = { 0 };
	struct uv_log_read lr;
	json_object *arr = ctx->json ? json_object_new_array() : NULL;
	size_t room = UV_LOG_READ_MAX;
	uint64_t from = o->from;
	void *buf = aligned_alloc(8, room);
	char text[512], tag[24];
	int fd, ret = 0;

	if (!buf)
		return ULTRACTL_EXIT_FAIL;
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0) {
		free(buf);
		json_object_put(arr);
		return ultractl_fail(ctx, &e);
	}
	if (!o->have_from) {
		/* from 0 is always stale: the answer says where the ring starts */
		if (ultra_log_read(fd, 0, buf, 8, &lr, &e) && e.err != ESTALE)
			goto fail;
		from = lr.first_seq;
		ultra_err_clear(&e);
	}
	for (;;) {
		uint64_t off = 0;

		ret = ultra_log_read(fd, from, buf, room, &lr, &e);
		if (ret || !lr.len)
			break;
		while (off < lr.len) {
			const struct uv_log_rec *rec = (const void *)((char *)buf + off);

			if (resdb_text_print_rec(rec, text, sizeof(text)) < 0)
				snprintf(text, sizeof(text), "(record type %u)", rec->type);
			/* the submitter's tag, as the command daemon's journal writes it */
			tag[0] = 0;
			if (rec->type == UV_LOG_BEGIN && rec->tag)
				snprintf(tag, sizeof(tag), "%016" PRIx64, (uint64_t)rec->tag);
			if (arr) {
				json_object *x = json_object_new_object();

				ultra_json_add(x, "seq", json_object_new_int64((int64_t)rec->seq));
				ultra_json_add(x, "txn", json_object_new_int64((int64_t)rec->txn));
				ultra_json_add(x, "text", json_object_new_string(text));
				if (*tag)
					ultra_json_add(x, "tag", json_object_new_string(tag));
				json_object_array_add(arr, x);
			} else if (*tag) {
				printf("%8" PRIu64 "  %s  (tag %s)\n", (uint64_t)rec->seq, text, tag);
			} else {
				printf("%8" PRIu64 "  %s\n", (uint64_t)rec->seq, text);
			}
			off += rec->size;
		}
		from = lr.next_seq;
		if (from >= lr.head_seq)
			break;
	}
	if (ret) {
fail:
		close(fd);
		free(buf);
		json_object_put(arr);
		return ultractl_fail(ctx, &e);
	}
	close(fd);
	free(buf);
	if (arr)
		return ultractl_json_out(arr);
	return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
}

/* ---- snapshot, sync ---- */

static int db_snapshot(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct ultra_err e = { 0 };
	struct uv_snapshot snap;
	size_t len;
	void *buf;
	FILE *f;
	int fd, ret;

	if (!o->arg)
		return ULTRACTL_EXIT_USAGE;
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_snapshot(fd, &buf, &len, &snap, &e);
	close(fd);
	if (ret)
		return ultractl_fail(ctx, &e);
	f = strcmp(o->arg, "-") != 0 ? fopen(o->arg, "wb") : stdout;
	if (!f || fwrite(buf, 1, len, f) != len || (f != stdout && fclose(f))) {
		ultra_err_set(&e, errno ? errno : EIO, "cannot write %s", o->arg);
		free(buf);
		return ultractl_fail(ctx, &e);
	}
	free(buf);
	if (f == stdout)
		return fflush(stdout) ? ULTRACTL_EXIT_FAIL : ULTRACTL_EXIT_OK;
	if (ctx->json) {
		json_object *j = json_object_new_object();

		ultra_json_add(j, "file", json_object_new_string(o->arg));
		ultra_json_add(j, "bytes", json_object_new_int64((int64_t)len));
		ultra_json_add(j, "next_seq", json_object_new_int64((int64_t)snap.next_seq));
		ultra_json_add(j, "image_hash", json_object_new_int64((int64_t)snap.image_hash));
		return ultractl_json_out(j);
	}
	printf("snapshot: %zu bytes, log seq %" PRIu64 ", image hash %016" PRIx64 " -> %s\n",
	       len, (uint64_t)snap.next_seq, (uint64_t)snap.image_hash, o->arg);
	return ULTRACTL_EXIT_OK;
}

static int db_sync(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct ultra_err e = { 0 };
	struct ultra_replica r;
	struct uv_snapshot snap;
	struct uv_check c;
	uint64_t hash, seq;
	int fd, ret;

	if (load_replica(ctx, o->snapshot, &r, &snap, &e))
		return ultractl_fail(ctx, &e);
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0) {
		ultra_replica_fini(&r);
		return ultractl_fail(ctx, &e);
	}
	ret = ultra_replica_sync(&r, fd, &e);
	if (!ret)
		ret = ultra_check(fd, &c, &e);
	close(fd);
	hash = resdb_image_hash(&r.sim.db);
	seq = resdb_log_next_seq(&r.sim.db);
	ultra_replica_fini(&r);
	if (ret)
		return ultractl_fail(ctx, &e);
	if (seq != c.next_seq || hash != c.image_hash) {
		ultra_err_set(&e, EUCLEAN,
			      "replica (seq %" PRIu64 ", hash %016" PRIx64 ") differs from the module (seq %"
			      PRIu64 ", hash %016" PRIx64 ")", seq, hash, (uint64_t)c.next_seq,
			      (uint64_t)c.image_hash);
		return ultractl_fail(ctx, &e);
	}
	if (ctx->json) {
		json_object *j = json_object_new_object();

		ultra_json_add(j, "equal", json_object_new_boolean(1));
		ultra_json_add(j, "snapshot_seq", json_object_new_int64((int64_t)r.snap_seq));
		ultra_json_add(j, "replayed", json_object_new_int64((int64_t)r.replayed));
		ultra_json_add(j, "next_seq", json_object_new_int64((int64_t)seq));
		ultra_json_add(j, "image_hash", json_object_new_int64((int64_t)hash));
		return ultractl_json_out(j);
	}
	printf("replica: snapshot at seq %" PRIu64 " + %" PRIu64 " log records = seq %" PRIu64
	       ", image hash %016" PRIx64 ": equal to the module's database\n",
	       (uint64_t)r.snap_seq, (uint64_t)r.replayed, seq, hash);
	return ULTRACTL_EXIT_OK;
}

static int db_owner(struct ultractl_ctx *ctx, struct db_opts *o)
{
	struct ultra_err e = { 0 };
	struct ultra_replica r;
	struct uv_snapshot snap;
	uint32_t owner, scale;
	char num[32], name[96] = "?";
	uint64_t addr;
	char *end;
	int fd, ret;

	if (!o->arg)
		return ULTRACTL_EXIT_USAGE;
	errno = 0;
	addr = strtoull(o->arg, &end, 0);
	if (errno || *end || !*o->arg)
		return ultractl_usage(ctx, &ultractl_cmd_db, "owner wants a physical address");
	fd = ultra_open(ctx->dev_path, &e);
	if (fd < 0)
		return ultractl_fail(ctx, &e);
	ret = ultra_owner(fd, addr / 4096, &owner, &scale, &e);
	close(fd);
	if (ret)
		return ultractl_fail(ctx, &e);
	if (!load_replica(ctx, NULL, &r, &snap, &e)) {
		owner_name(&r.sim.db, owner, name, sizeof(name));
		ultra_replica_fini(&r);
	}
	resdb_text_print_number(owner, num, sizeof(num));
	if (ctx->json) {
		json_object *j = json_object_new_object();

		ultra_json_add(j, "address", json_object_new_int64((int64_t)addr));
		ultra_json_add(j, "owner", json_object_new_string(num));
		ultra_json_add(j, "name", json_object_new_string(strchr(name, ' ') ?
								  strchr(name, ' ') + 1 : name));
		ultra_json_add(j, "scale", json_object_new_int64(scale));
		return ultractl_json_out(j);
	}
	printf("%#" PRIx64 ": %s (scale %u entry)\n", addr, name, scale);
	return ULTRACTL_EXIT_OK;
}

static int db_verify(struct ultractl_ctx *ctx, struct db_opts *o)
{
	return ultractl_db_verify(ctx);	/* through the command daemon: cmd_pcreate.c */
}

static int run_db(struct ultractl_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct ultractl_ctx *ctx, struct db_opts *o);
		bool arg;
	} subs[] = {
		{ "dump", db_dump, false },
		{ "check", db_check, false },
		{ "log", db_log, false },
		{ "snapshot", db_snapshot, true },
		{ "sync", db_sync, false },
		{ "owner", db_owner, true },
		{ "verify", db_verify, false },
	};
	struct db_opts o = { 0 };
	size_t i;
	int ret;

	if (argc < 2)
		return ultractl_usage(ctx, &ultractl_cmd_db, "which db command?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return ultractl_help(ctx, &ultractl_cmd_db);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		ret = parse_opts(ctx, argc - 1, argv + 1, &o, subs[i].arg);
		if (ret != ULTRACTL_CONTINUE)
			return ret;
		return subs[i].fn(ctx, &o);
	}
	return ultractl_usage(ctx, &ultractl_cmd_db, "unknown db command");
}

const struct ultractl_cmd ultractl_cmd_db = {
	.name	= "db",
	.run	= run_db,
	.args	= "dump [--snapshot FILE] | check | log [--from SEQ] | snapshot FILE | sync [--snapshot FILE] | owner ADDR | verify",
	.help	= "the resource database: dump, check, audit log, snapshot, replica sync, owner of an address, the command daemon's replica against the module",
};
