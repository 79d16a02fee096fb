// SPDX-License-Identifier: GPL-2.0
/*
 * The resource service ([0092], [0183]-[0187]): requests in, transactions out.
 *
 * A request that changes something runs under update_lock (one updater):
 *
 *   1. a request id already answered gets the same answer again (journal);
 *   2. the change is planned as one transaction on the standby replica (dry run);
 *   3. the journal records it in flight, with the log's next sequence number and
 *      a tag of its own that the transaction carries into its BEGIN record;
 *   4. the backend applies it; the replica catches up from the log;
 *   5. the answer is journaled, then sent.
 *
 * After a crash anywhere in there, cmdd_service_open() settles the entry left in
 * flight from the module's log, where the tag tells its transaction from any the
 * module or a channel server submitted meanwhile: it committed -> the answer is rebuilt
 * from the replica and journaled (roll forward); it aborted or never arrived -> the
 * entry is dropped (nothing changed), so the client's retry simply runs it. Read-only
 * requests never lock: they read the published replica under RCU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "rcu.h"

#include "commandd.h"
#include "resdb/text.h"
#include "ultra_json.h"
#include "ultra_part.h"

struct cmdd_service {
	struct cmdd_backend *be;
	struct cmdd_replica rep;
	pthread_mutex_t update_lock;
	struct cmdd_journal *journal;
	struct cmdd_plan plan;
	struct cmdd_numa numa;
	u32 nr_cpus;
	u64 pool_max, pool_floor;
	u64 pool_grown, pool_shrunk;	/* bytes, by the policy (statistics) */
	enum cmdd_failpoint failpoint;
	bool dead;
	bool txn_tags;			/* the module keeps our tags (ABI 1.5) */
	double started;
	double resync_ms;
	u32 recovered, forward, aborted;
	/* statistics, updated atomically */
	u64 requests[CMDD_OP_MAX];
	u64 errors[CMDD_OP_MAX];
	u64 replayed;
	u64 transactions;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_number(json_object *o, const char *k, u32 number)
{
	char buf[32];

	resdb_text_print_number(number, buf, sizeof(buf));
	add_str(o, k, buf);
}

static json_object *error_response(const char *id, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static json_object *error_response(const char *id, int err, const char *fmt, ...)
{
	struct ultra_err e;
	va_list ap;

	va_start(ap, fmt);
	ultra_err_vset(&e, err, fmt, ap);
	va_end(ap);
	return cmdd_response_error(id, &e);
}

/* ---- describing partitions ---------------------------------------------------------- */

static int extent_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	json_object *x = json_object_new_object();

	add_int(x, "pfn", (int64_t)pfn);
	add_int(x, "pages", (int64_t)nr);
	if (entry & UV_ENTRY_CTRL)
		json_object_object_add(x, "control", json_object_new_boolean(true));
	json_object_array_add(ctx, x);
	return 0;
}

static const char *name_of(const struct resdb *db, u32 number, char *buf, size_t len)
{
	const struct resdb_partition *p = resdb_partition(db, number);

	if (p)
		snprintf(buf, len, "%.*s", UV_NAME_LEN, p->name);
	else
		resdb_text_print_number(number, buf, len);
	return buf;
}

struct chan_ctx {
	const struct resdb *db;
	u32 number;
	json_object *arr;
	u64 client_pages;	/* pages of its own channels */
};

static int channel_page(void *ctx, const struct cmdd_ipage *p)
{
	struct chan_ctx *c = ctx;
	u32 i, k;

	if (p->scale != 1)
		return 0;
	for (i = 0; i < RESDB_ENTRIES; i++) {
		u32 n = cmdd_pfn_gmk(c->db, cmdd_entry_pfn(1, p->frame, i));
		const struct resdb_channel *ch;
		json_object *x, *srv;
		bool mine;
		char buf[40];

		if (p->e[i] != (c->db->ultra | UV_ENTRY_CTRL))
			continue;
		ch = resdb_channel(c->db, n);
		if (!ch)
			continue;
		mine = ch->client == c->number;
		/* a Boot channel lies over the top page of guest memory: not extra pages */
		if (mine && ch->type != UV_CHANNEL_TYPE_BOOT)
			c->client_pages += ch->nr_pages;
		for (k = 0; k < UV_CHANNEL_SERVERS; k++)
			mine |= ch->server[k] == c->number;
		if (!mine)
			continue;
		x = json_object_new_object();
		srv = json_object_new_array();
		add_number(x, "number", n);
		add_int(x, "type", ch->type);
		add_str(x, "client", name_of(c->db, ch->client, buf, sizeof(buf)));
		add_int(x, "first_pfn", (int64_t)ch->first_pfn);
		add_int(x, "pages", ch->nr_pages);
		for (k = 0; k < UV_CHANNEL_SERVERS; k++)
			if (ch->server[k] != UV_NONE)
				json_object_array_add(srv, json_object_new_string(
							name_of(c->db, ch->server[k], buf, sizeof(buf))));
		json_object_object_add(x, "servers", srv);
		json_object_array_add(c->arr, x);
	}
	return 0;
}

/* Virtual processors and the slots that run them. */
static json_object *schedule_json(const struct resdb *db, u32 number, u32 *vcpus, u32 *duty)
{
	json_object *arr = json_object_new_array();
	u32 cpu, seen = 0, slots = 0;

	for (cpu = 0; cpu < RESDB_MAX_CPUS; cpu++) {
		const struct resdb_processor *p = resdb_processor(db, cpu);
		u32 i = 0;

		while (p && i < UV_SLOTS) {
			json_object *x;
			u32 s = i, v = p->slot[i].vcpu;

			if (p->slot[i].partition != number) {
				i++;
				continue;
			}
			while (i < UV_SLOTS && p->slot[i].partition == number && p->slot[i].vcpu == v)
				i++;
			x = json_object_new_object();
			add_int(x, "vcpu", v);
			add_int(x, "cpu", cpu);
			add_int(x, "first", s);
			add_int(x, "width", i - s);
			json_object_array_add(arr, x);
			if (v < 32)
				seen |= 1u << v;
			slots += i - s;
		}
	}
	*vcpus = (u32)__builtin_popcount(seen);
	*duty = *vcpus ? slots / *vcpus : 0;
	return arr;
}

static const char *const run_state_names[] = { "defined", "created", "loaded", "running",
					       "paused", "stopped", "faulted" };

/* The monitor's view of a partition; false when there is none to ask. */
static bool run_status(struct cmdd_service *svc, u32 number, struct cmdd_run_status *st)
{
	struct ultra_err e;

	memset(st, 0, sizeof(*st));
	return svc->be->ops->status && !svc->be->ops->status(svc->be, number, st, &e);
}

static json_object *run_json(const struct cmdd_run_status *st)
{
	json_object *o = json_object_new_object();

	add_int(o, "cpu", st->cpu);
	add_int(o, "exits", (int64_t)st->exits);
	add_int(o, "exits_host", (int64_t)st->exits_host);
	add_int(o, "console_bytes", (int64_t)st->console_bytes);
	add_int(o, "mem_bytes", (int64_t)st->mem_bytes);
	json_object_object_add(o, "exited", json_object_new_boolean(st->exited != 0));
	if (st->exited) {
		add_int(o, "exit_code", st->exit_code);
		json_object_object_add(o, "exited_by",
				       json_object_new_string(ultra_exited_name(st->exit_how)));
	}
	if (st->state == UV_PSTATE_FAULTED) {
		add_int(o, "fault_reason", st->fault_reason);
		add_int(o, "fault_gpa", (int64_t)st->fault_gpa);
	}
	return o;
}

static json_object *partition_json(struct cmdd_service *svc, const struct resdb *db,
				   u32 number, bool detail)
{
	const struct resdb_partition *p = resdb_partition(db, number);
	struct cmdd_run_status st;
	bool have_run;
	json_object *o;
	u32 vcpus = 0, duty = 0;

	if (!p)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string_len(p->name,
					  (int)strnlen(p->name, UV_NAME_LEN)));
	add_number(o, "number", number);
	add_str(o, "type", cmdd_type_name(p->type));
	json_object_object_add(o, "role", json_object_new_string_len(p->role,
					  (int)strnlen(p->role, UV_ROLE_LEN)));
	have_run = (p->type == UV_PT_USER || p->type == UV_PT_IO || p->type == UV_PT_COMMAND ||
		    p->type == UV_PT_OPERATIONS) && run_status(svc, number, &st);
	add_str(o, "state", have_run && st.state < 7 ? run_state_names[st.state] : "defined");
	add_int(o, "owned_bytes", (int64_t)(p->pages * RESDB_PAGE_SIZE));
	add_int(o, "slots", p->slots);
	add_int(o, "channels", p->channels);
	if (detail) {
		json_object *ext = json_object_new_array();
		struct chan_ctx c = { .db = db, .number = number, .arr = json_object_new_array() };
		json_object *sched = schedule_json(db, number, &vcpus, &duty);

		resdb_partition_extents(db, number, extent_cb, ext);
		json_object_object_add(o, "extents", ext);
		add_int(o, "processors", vcpus);
		add_int(o, "duty", duty);
		json_object_object_add(o, "schedule", sched);
		cmdd_map_visit(db, channel_page, &c);
		add_int(o, "memory", (int64_t)((p->pages - 1 - c.client_pages) * RESDB_PAGE_SIZE));
		json_object_object_add(o, "channel_list", c.arr);
		if (have_run && st.state != UV_PSTATE_NONE)
			json_object_object_add(o, "run", run_json(&st));
	}
	return o;
}

/* ---- transactions -------------------------------------------------------------------- */

static int submit_plan(struct cmdd_service *svc, u64 tag, struct cmdd_submit_res *res,
		       struct ultra_err *e)
{
	struct cmdd_plan *pl = &svc->plan;
	u64 len = sizeof(struct uv_txn_hdr) + (u64)pl->nr * sizeof(struct uv_txn_step), out = 0;
	void *buf = malloc(len);
	int ret;

	if (!buf)
		return ultra_err_set(e, ENOMEM, "out of memory");
	ret = resdb_txn_encode(pl->steps, pl->nr, buf, len, &out);
	if (ret) {
		ret = ultra_err_set(e, EINVAL, "encoding the transaction: %s", resdb_strerror(ret));
	} else {
		((struct uv_txn_hdr *)buf)->tag = tag;
		ret = svc->be->ops->submit(svc->be, buf, out, res, e);
	}
	free(buf);
	if (!ret)
		__atomic_add_fetch(&svc->transactions, 1, __ATOMIC_RELAXED);
	return ret;
}

/* Plan with fn, then submit; the replica catches up either way. Updater only. */
static int plan_and_submit(struct cmdd_service *svc, int (*fn)(struct cmdd_plan *, void *),
			   void *arg, struct ultra_err *e)
{
	struct cmdd_submit_res res;
	int ret;

	ret = cmdd_plan_begin(&svc->plan, cmdd_replica_standby(&svc->rep), e);
	if (ret)
		return ret;
	ret = fn(&svc->plan, arg);
	cmdd_plan_end(&svc->plan);
	if (ret || !svc->plan.nr)
		return ret;
	ret = submit_plan(svc, 0, &res, e);
	if (!ret) {
		struct ultra_err e2;

		if (cmdd_replica_catch_up(&svc->rep, &e2))
			cmdd_log(CMDD_LOG_ERR, "replica catch-up failed: %s", e2.msg);
	}
	return ret;
}

/* ---- images: read here, loaded through a Boot channel (boot.c) ------------------------ */

/* An ELF file (Multiboot) or a bzImage (Linux: "HdrS" at 0x202); boot.c checks the rest. */
static bool image_kind_ok(const unsigned char *b, size_t len)
{
	static const unsigned char elf[4] = { 0x7f, 'E', 'L', 'F' };

	return !memcmp(b, elf, sizeof(elf)) || (len > 0x206 && !memcmp(b + 0x202, "HdrS", 4));
}

/* The whole image file, checked to be an ELF file or a bzImage of at most UV_IMAGE_MAX. */
static int read_image(const char *path, void **buf, size_t *len, struct ultra_err *e)
{
	struct stat sb;
	size_t got = 0;
	char *b;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return ultra_err_set(e, errno, "args.image: %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 64 ||
	    (u64)sb.st_size > UV_IMAGE_MAX) {
		close(fd);
		return ultra_err_set(e, ENOEXEC,
				     "args.image: %s: not a regular file of 64 bytes to %u MiB",
				     path, UV_IMAGE_MAX >> 20);
	}
	b = malloc((size_t)sb.st_size);
	if (!b) {
		close(fd);
		return ultra_err_set(e, ENOMEM, "out of memory for a %lld-byte image",
				     (long long)sb.st_size);
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, b + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)sb.st_size || !image_kind_ok((unsigned char *)b, got)) {
		free(b);
		return ultra_err_set(e, ENOEXEC, "args.image: %s: %s", path,
				     got != (size_t)sb.st_size ? "short read" :
				     "neither an ELF file nor a Linux bzImage");
	}
	*buf = b;
	*len = got;
	return 0;
}

/* The image at path, through a Boot channel (boot.c). Updater only. */
static int load_image(struct cmdd_service *svc, u32 number, const char *path,
		      const char *initrd, const char *cmdline,
		      const struct cmdd_create_spec *spec, u32 *cpu, u32 *channel,
		      struct ultra_err *e)
{
	void *image;
	size_t len;
	int ret;

	if (!svc->be->ops->build)
		return ultra_err_set(e, EOPNOTSUPP, "the %s backend cannot load images",
				     svc->be->ops->name);
	ret = read_image(path, &image, &len, e);
	if (!ret)
		ret = cmdd_boot_image(svc, number, path, image, len, initrd, cmdline, spec, cpu,
				      channel, e);
	free(image);
	return ret;
}

/* A monitor instance that does not run (created, loaded) keeps the module from destroying. */
static int unload_idle(struct cmdd_service *svc, u32 number, struct ultra_err *e)
{
	struct cmdd_run_status st;

	if (!run_status(svc, number, &st) ||
	    (st.state != UV_PSTATE_CREATED && st.state != UV_PSTATE_LOADED))
		return 0;
	return svc->be->ops->control(svc->be, number, CMDD_CTL_UNLOAD, e);
}

static void pool_trim(struct cmdd_service *svc);

static int undo_destroy_fn(struct cmdd_plan *pl, void *arg)
{
	return cmdd_place_destroy(pl, *(u32 *)arg);
}

/* A create committed and its image did not load: take the partition away again. */
static void undo_create(struct cmdd_service *svc, u32 number, const char *name)
{
	struct ultra_err e = { 0 };

	if (unload_idle(svc, number, &e) || plan_and_submit(svc, undo_destroy_fn, &number, &e))
		cmdd_log(CMDD_LOG_ERR, "undoing the create of '%s': %s", name, e.msg);
	pool_trim(svc);
}

struct settled_load {
	bool loaded;
	u32 cpu;
	u32 channel;	/* UV_NONE: loaded before the crash, its channel is gone */
};

/*
 * Settling a create that committed: load its image if the crash came before the
 * load finished (no instance, or one still CREATED: its Boot channel was cut).
 */
static void settle_load(struct cmdd_service *svc, const struct cmdd_jentry *x,
			struct settled_load *sl)
{
	const struct resdb *db = cmdd_replica_standby(&svc->rep);
	u32 number = cmdd_find_partition(db, x->name);
	struct cmdd_create_spec spec;
	struct cmdd_run_status st;
	struct ultra_err e = { 0 };

	sl->loaded = false;
	sl->cpu = 0;
	sl->channel = UV_NONE;
	if (number == UV_NONE)
		return;
	if (run_status(svc, number, &st)) {
		sl->loaded = st.state != UV_PSTATE_NONE && st.state != UV_PSTATE_CREATED;
		sl->cpu = st.cpu;
	}
	if (sl->loaded)
		return;
	/* the channels the create asked for: a Linux image's are placed with its load */
	memset(&spec, 0, sizeof(spec));
	spec.nr_channels = x->nr_channels;
	memcpy(spec.channels, x->channels, sizeof(spec.channels));
	if (load_image(svc, number, x->image, x->initrd[0] ? x->initrd : NULL, x->cmdline,
		       &spec, &sl->cpu, &sl->channel, &e)) {
		cmdd_log(CMDD_LOG_ERR, "request %s: loading %s into '%s': %s", x->id, x->image,
			 x->name, e.msg);
		return;
	}
	sl->loaded = true;
	cmdd_log(CMDD_LOG_NOTICE, "request %s: loaded %s into '%s' (CPU %u)", x->id, x->image,
		 x->name, sl->cpu);
}

/* What a direct answer would have said about the image. */
static void settled_json(json_object *result, const struct cmdd_jentry *x,
			 const struct settled_load *sl)
{
	add_str(result, "image", x->image);
	json_object_object_add(result, "image_loaded", json_object_new_boolean(sl->loaded));
	if (sl->loaded)
		add_int(result, "image_cpu", sl->cpu);
	if (sl->channel != UV_NONE)
		add_number(result, "boot_channel", sl->channel);
}

/* ---- settling what was in flight ---------------------------------------------------- */

enum outcome { OUT_NONE, OUT_COMMIT, OUT_ABORT };

/*
 * What became of the transaction journaled when the log was at seq. Tagged: its
 * BEGIN is the first at or after seq with its tag (nothing else carries the tag;
 * anyone may have submitted in between). Untagged (a module older than ABI 1.5):
 * the BEGIN it predicted at seq, which only holds if nobody else submitted.
 */
static int outcome_of(struct cmdd_service *svc, u64 seq, u64 tag, enum outcome *out,
		      struct ultra_err *e)
{
	size_t cap = 4u << 20;
	u8 *buf = malloc(cap);
	u64 from = seq, begin = seq;
	bool found = !tag;	/* untagged: BEGIN at seq, or nothing */
	int ret = 0;

	*out = OUT_NONE;
	if (!buf)
		return ultra_err_set(e, ENOMEM, "out of memory");
	for (;;) {
		size_t got = 0, off = 0;
		u64 next = 0, head = 0;

		ret = svc->be->ops->log_read(svc->be, from, buf, cap, &got, &next, &head, e);
		if (ret)
			break;
		while (off + sizeof(struct uv_log_rec) <= got) {
			const struct uv_log_rec *rec = (const void *)(buf + off);

			if (rec->size < sizeof(*rec) || rec->size > got - off)
				break;
			if (!found && rec->type == UV_LOG_BEGIN && rec->tag == tag) {
				begin = rec->seq;
				found = true;
			}
			if (!tag && rec->seq == seq && rec->type != UV_LOG_BEGIN)
				goto done;	/* not ours: it never began */
			if (found && rec->txn == begin && rec->type == UV_LOG_COMMIT) {
				*out = OUT_COMMIT;
				goto done;
			}
			if (found && rec->txn == begin && rec->type == UV_LOG_ABORT) {
				*out = OUT_ABORT;
				goto done;
			}
			off += rec->size;
		}
		if (!got || next >= head)
			break;
		from = next;
	}
done:
	free(buf);
	return ret;
}

static json_object *result_for(struct cmdd_service *svc, const struct resdb *db,
			       const struct cmdd_jentry *x)
{
	u32 number = cmdd_find_partition(db, x->name);

	if (x->op == CMDD_OP_DESTROY) {
		json_object *o = json_object_new_object();

		add_str(o, "name", x->name);
		json_object_object_add(o, "destroyed", json_object_new_boolean(true));
		return o;
	}
	return number == UV_NONE ? NULL : partition_json(svc, db, number, true);
}

static int settle(struct cmdd_service *svc, const struct cmdd_jentry *in, struct ultra_err *e)
{
	struct cmdd_jentry x = *in;
	const struct resdb *db = cmdd_replica_standby(&svc->rep);
	struct settled_load sl = { .channel = UV_NONE };
	enum outcome out = OUT_NONE;
	json_object *result, *resp;
	int ret;

	if (x.op != CMDD_OP_CREATE && x.op != CMDD_OP_DESTROY && x.op != CMDD_OP_SET_SCHEDULE) {
		/*
		 * Run control is no transaction: nothing in the log says whether it
		 * happened. The retry runs it again, and run control goes by the state
		 * it finds (start of a running partition is done, ...).
		 */
		cmdd_log(CMDD_LOG_NOTICE, "request %s (%s %s) was in flight: dropped, a retry runs it",
			 x.id, cmdd_op_name(x.op), x.name);
		svc->aborted++;
		return cmdd_journal_forget(svc->journal, x.id, e);
	}
	ret = outcome_of(svc, x.seq, x.tag, &out, e);
	if (ret == -ESTALE) {
		/* the log moved on: judge from the state, where the op allows it */
		bool exists = cmdd_find_partition(db, x.name) != UV_NONE;

		if (x.op == CMDD_OP_CREATE)
			out = exists ? OUT_COMMIT : OUT_ABORT;
		else if (x.op == CMDD_OP_DESTROY)
			out = exists ? OUT_ABORT : OUT_COMMIT;
		else
			out = OUT_ABORT;	/* set_schedule: running it again is harmless */
		ret = 0;
	}
	if (ret)
		return ret;
	if (out != OUT_COMMIT) {
		cmdd_log(CMDD_LOG_NOTICE, "request %s (%s %s) had not taken effect: dropped", x.id,
			 cmdd_op_name(x.op), x.name);
		svc->aborted++;
		return cmdd_journal_forget(svc->journal, x.id, e);
	}
	if (x.op == CMDD_OP_CREATE && x.image[0]) {
		settle_load(svc, &x, &sl);
		db = cmdd_replica_standby(&svc->rep);	/* the load changed it */
	}
	result = result_for(svc, db, &x);
	if (result && x.op == CMDD_OP_CREATE && x.image[0])
		settled_json(result, &x, &sl);
	if (!result)
		return ultra_err_set(e, EUCLEAN, "request %s committed but '%s' is gone", x.id,
				     x.name);
	resp = cmdd_response_ok(x.id, result);
	ret = cmdd_journal_finish(svc->journal, x.id, ultra_json_string(resp, false), e);
	json_object_put(resp);
	cmdd_log(CMDD_LOG_NOTICE, "request %s (%s %s) had committed: rolled forward", x.id,
		 cmdd_op_name(x.op), x.name);
	svc->forward++;
	return ret;
}

static int settle_all(struct cmdd_service *svc, struct ultra_err *e)
{
	u32 i;
	int ret;

	for (i = 0; i < cmdd_journal_count(svc->journal);) {
		const struct cmdd_jentry *x = cmdd_journal_entry(svc->journal, i);

		if (x->state != CMDD_J_INFLIGHT) {
			i++;
			continue;
		}
		svc->recovered++;
		ret = settle(svc, x, e);	/* removes or completes the entry */
		if (ret)
			return ret;
		i = 0;
	}
	return 0;
}

/* ---- the pool: memory from Linux, as creates need it ------------------------------------ */

u64 cmdd_pool_grow_amount(u64 need, u64 free_big, u64 pool_bytes, u64 pool_max)
{
	u64 amount = need > free_big ? need - free_big : 0;

	amount = (amount + CMDD_MEM_UNIT - 1) / CMDD_MEM_UNIT * CMDD_MEM_UNIT;
	if (!amount)
		amount = CMDD_MEM_UNIT;
	if (pool_max && (pool_bytes >= pool_max || amount > pool_max - pool_bytes))
		return 0;
	return amount;
}

u64 cmdd_pool_shrink_amount(u64 pool_bytes, u64 free_bytes, u64 floor)
{
	u64 over = pool_bytes > floor ? pool_bytes - floor : 0;
	u64 n = free_bytes < over ? free_bytes : over;

	return n / CMDD_MEM_UNIT * CMDD_MEM_UNIT;
}

/* Bytes "available" has in free entries of 4 MiB and up; its free 4 KiB pages. */
static void free_memory(const struct resdb *db, u64 *big, u64 *small)
{
	struct cmdd_map_stats st;
	u32 s;

	*big = *small = 0;
	if (cmdd_map_stats(db, &st))
		return;
	for (s = 2; s <= db->order && s <= RESDB_SCALE_MAX; s++)
		*big += st.free_entries[s] << (12 + 10 * (s - 1));
	*small = st.free_entries[1];
}

/* Updater: resize the pool and let the replica see it. */
static int pool_resize(struct cmdd_service *svc, enum cmdd_pool_op op, u64 bytes,
		       struct cmdd_pool_info *info, struct ultra_err *e)
{
	struct ultra_err e2;
	int ret = svc->be->ops->pool(svc->be, op, bytes, info, e);

	if (op != CMDD_POOL_INFO && cmdd_replica_catch_up(&svc->rep, &e2))
		cmdd_log(CMDD_LOG_ERR, "replica catch-up after a pool resize failed: %s", e2.msg);
	if (!ret && op == CMDD_POOL_GROW)
		svc->pool_grown += bytes;
	if (!ret && op == CMDD_POOL_SHRINK)
		svc->pool_shrunk += bytes;
	return ret;
}

/*
 * Updater: give free whole 4 MiB pages of the pool back to Linux, keeping the
 * floor. After destroys, and at start (a daemon killed between a destroy and
 * its shrink, or a create that grew the pool and then died, left some).
 */
static void pool_trim(struct cmdd_service *svc)
{
	struct cmdd_pool_info info = { 0 };
	struct ultra_err e = { 0 };
	u64 n;

	if (!svc->be->ops->pool || svc->be->ops->pool(svc->be, CMDD_POOL_INFO, 0, &info, &e))
		return;
	n = cmdd_pool_shrink_amount(info.pool_bytes, info.free_bytes, svc->pool_floor);
	if (!n)
		return;
	if (pool_resize(svc, CMDD_POOL_SHRINK, n, &info, &e))
		cmdd_log(CMDD_LOG_WARNING, "%s", e.msg);
	else
		cmdd_log(CMDD_LOG_INFO, "pool shrunk by %llu MiB to %llu MiB",
			 (unsigned long long)(n >> 20), (unsigned long long)(info.pool_bytes >> 20));
}

static int plan_create(struct cmdd_service *svc, int (*fn)(struct cmdd_plan *, void *),
		       void *arg, struct ultra_err *e)
{
	int ret = cmdd_plan_begin(&svc->plan, cmdd_replica_standby(&svc->rep), e);

	if (!ret)
		ret = fn(&svc->plan, arg);
	cmdd_plan_end(&svc->plan);
	return ret;
}

/*
 * A create that found too little free memory: grow the pool by what is missing
 * (4 MiB steps, within pool_max), then plan again; a second 4 MiB step when the
 * 4 KiB pages for descriptors and channels ran short. If the plan still fails,
 * the pool goes back to what it was and the first reason stands.
 */
static int plan_create_growing(struct cmdd_service *svc, const struct cmdd_create_spec *c,
			       int (*fn)(struct cmdd_plan *, void *), void *arg,
			       struct ultra_err *e)
{
	struct cmdd_pool_info info = { 0 };
	struct ultra_err e2 = { 0 };
	u64 big, small, grown = 0, need = c->memory, amount;
	u32 i, small_need = 1 + 2;	/* descriptor, two kept to build index pages */
	int tries, ret = plan_create(svc, fn, arg, e);

	if (ret != -ENOSPC || !svc->be->ops->pool)
		return ret;
	for (i = 0; i < c->nr_channels; i++)
		small_need += c->channels[i].pages;
	for (tries = 0; tries < 2 && ret == -ENOSPC; tries++) {
		free_memory(cmdd_replica_standby(&svc->rep), &big, &small);
		if (tries == 0 && big >= need && small >= small_need)
			return ret;	/* memory is not what is missing */
		if (tries == 1 && small >= small_need + 1024)
			break;
		if (svc->be->ops->pool(svc->be, CMDD_POOL_INFO, 0, &info, &e2)) {
			cmdd_log(CMDD_LOG_WARNING, "%s", e2.msg);
			break;
		}
		amount = cmdd_pool_grow_amount(tries ? CMDD_MEM_UNIT : need, tries ? 0 : big,
					       info.pool_bytes, svc->pool_max);
		if (!amount) {
			ultra_err_set(e, ENOSPC,
				      "'%s' needs %llu MiB of memory, %llu MiB are free, and the pool (%llu MiB) may not grow past %llu MiB (--pool-max)",
				      c->name, (unsigned long long)(need >> 20),
				      (unsigned long long)(big >> 20),
				      (unsigned long long)(info.pool_bytes >> 20),
				      (unsigned long long)(svc->pool_max >> 20));
			break;
		}
		if (pool_resize(svc, CMDD_POOL_GROW, amount, &info, &e2)) {
			ultra_err_set(e, e2.err, "'%s' needs more memory than is free: %s",
				      c->name, e2.msg);
			ret = -e2.err;
			break;
		}
		grown += amount;
		cmdd_log(CMDD_LOG_INFO, "pool grown by %llu MiB to %llu MiB for '%s'",
			 (unsigned long long)(amount >> 20),
			 (unsigned long long)(info.pool_bytes >> 20), c->name);
		ret = plan_create(svc, fn, arg, e);
	}
	if (ret && grown) {
		if (pool_resize(svc, CMDD_POOL_SHRINK, grown, &info, &e2))
			cmdd_log(CMDD_LOG_WARNING, "giving back what '%s' grew: %s", c->name,
				 e2.msg);
	}
	return ret;
}

static int processors_fn(struct cmdd_plan *pl, void *arg)
{
	return cmdd_place_processors(pl, *(u32 *)arg);
}

/* ---- open/close ------------------------------------------------------------------------ */

int cmdd_service_open(struct cmdd_service **out, struct cmdd_backend *be,
		      const struct cmdd_config *cfg, struct ultra_err *e)
{
	struct cmdd_service *svc = calloc(1, sizeof(*svc));
	struct cmdd_host_info host = { 0 };
	u32 i, n = 0;
	int ret;

	*out = NULL;
	if (!svc)
		return ultra_err_set(e, ENOMEM, "out of memory");
	svc->be = be;
	svc->started = now_ms();
	pthread_mutex_init(&svc->update_lock, NULL);
	if (cmdd_plan_init(&svc->plan)) {
		ret = ultra_err_set(e, ENOMEM, "out of memory");
		goto fail_plan;
	}
	ret = cmdd_replica_init(&svc->rep, be, e);
	if (ret)
		goto fail_replica;
	svc->resync_ms = svc->rep.last_resync_ms;
	ret = cmdd_journal_open(cfg->journal_path, cfg->journal_max, &svc->journal, e);
	if (ret)
		goto fail;
	ret = be->ops->host_info(be, &host, e);
	if (ret)
		goto fail;
	svc->nr_cpus = cfg->nr_cpus && cfg->nr_cpus < host.nr_cpus ? cfg->nr_cpus : host.nr_cpus;
	svc->txn_tags = host.txn_tags;
	if (!svc->txn_tags)
		cmdd_log(CMDD_LOG_WARNING,
			 "the module does not keep transaction tags (ABI < 1.5): a restart judges an interrupted request by its predicted log position, which another submitter can take");
	svc->pool_max = cfg->pool_max / CMDD_MEM_UNIT * CMDD_MEM_UNIT;
	svc->pool_floor = cfg->pool_floor / CMDD_MEM_UNIT * CMDD_MEM_UNIT;
	for (i = 0; i < RESDB_MAX_CPUS; i++)
		svc->plan.cpu_allowed[i] = i < svc->nr_cpus;
	svc->numa = cfg->numa;
	svc->plan.numa = &svc->numa;
	if (svc->numa.nr_nodes > 1)
		cmdd_log(CMDD_LOG_INFO, "NUMA: %u nodes: guest memory from the node of its first CPU where it can",
			 svc->numa.nr_nodes);
	/*
	 * Boot channels are only ever in use inside one request: any found now were
	 * left by a daemon that died (the module detached them with its fd). A
	 * create cut in its load is loaded again by settle_all's roll-forward.
	 */
	ret = cmdd_boot_drop(svc, UV_NONE, &n, e);
	if (ret)
		goto fail;
	if (n)
		cmdd_log(CMDD_LOG_NOTICE, "%u Boot channel(s) left by an earlier daemon destroyed", n);
	ret = settle_all(svc, e);
	if (ret)
		goto fail;
	ret = plan_and_submit(svc, processors_fn, &svc->nr_cpus, e);
	if (ret)
		goto fail;
	pool_trim(svc);
	*out = svc;
	return 0;
fail:
	cmdd_journal_close(svc->journal);
	cmdd_replica_fini(&svc->rep);
fail_replica:
	cmdd_plan_fini(&svc->plan);
fail_plan:
	pthread_mutex_destroy(&svc->update_lock);
	free(svc);
	return ret;
}

void cmdd_service_close(struct cmdd_service *svc)
{
	if (!svc)
		return;
	cmdd_journal_close(svc->journal);
	cmdd_replica_fini(&svc->rep);
	cmdd_plan_fini(&svc->plan);
	pthread_mutex_destroy(&svc->update_lock);
	free(svc);
}

struct cmdd_replica *cmdd_service_replica(struct cmdd_service *svc)
{
	return &svc->rep;
}

struct cmdd_backend *cmdd_service_backend(struct cmdd_service *svc)
{
	return svc->be;
}

int cmdd_service_txn(struct cmdd_service *svc, int (*fn)(struct cmdd_plan *, void *), void *arg,
		     struct ultra_err *e)
{
	return plan_and_submit(svc, fn, arg, e);
}

void cmdd_service_set_failpoint(struct cmdd_service *svc, enum cmdd_failpoint fp)
{
	svc->failpoint = fp;
}

bool cmdd_service_dead(const struct cmdd_service *svc)
{
	return svc->dead;
}

double cmdd_service_resync_ms(const struct cmdd_service *svc)
{
	return svc->resync_ms;
}

u32 cmdd_service_recovered(const struct cmdd_service *svc, u32 *forward, u32 *aborted)
{
	if (forward)
		*forward = svc->forward;
	if (aborted)
		*aborted = svc->aborted;
	return svc->recovered;
}

/* ---- mutating requests ---------------------------------------------------------------- */

struct mut {
	const struct cmdd_request *req;
	const struct cmdd_create_spec *spec;	/* create: req->c, or the Linux variant */
	u32 number;
};

static int create_fn(struct cmdd_plan *pl, void *arg)
{
	struct mut *m = arg;

	return cmdd_place_create(pl, m->spec, &m->number);
}

static int destroy_fn(struct cmdd_plan *pl, void *arg)
{
	struct mut *m = arg;

	return cmdd_place_destroy(pl, m->number);
}

static int schedule_fn(struct cmdd_plan *pl, void *arg)
{
	struct mut *m = arg;
	const struct resdb_partition *p = resdb_partition(&pl->db, m->number);
	u32 vcpus = 0, duty = 0;
	json_object *cur;
	int ret;

	if (!p)
		return ultra_err_set(pl->e, ENOENT, "no such partition");
	if (p->type != UV_PT_USER && p->type != UV_PT_IO && p->type != UV_PT_COMMAND &&
	    p->type != UV_PT_OPERATIONS)
		return ultra_err_set(pl->e, EPERM, "'%s' is a built-in partition", m->req->c.name);
	cur = schedule_json(&pl->db, m->number, &vcpus, &duty);
	json_object_put(cur);
	if (m->req->has_processors)
		vcpus = m->req->c.processors;
	if (m->req->has_duty)
		duty = m->req->c.duty;
	if (m->req->has_processors && !vcpus && p->type != UV_PT_IO)
		return ultra_err_set(pl->e, EINVAL,
				     "processors 0: only an I/O partition (one a host daemon plays)");
	if (!vcpus && !(m->req->has_processors && p->type == UV_PT_IO))
		vcpus = 1;
	if (p->type == UV_PT_IO && m->req->has_duty && duty != UV_SLOTS)
		return ultra_err_set(pl->e, EINVAL,
				     "I/O partitions get dedicated CPUs (duty 16)");
	ret = cmdd_schedule_release(pl, m->number);
	if (!ret)
		ret = cmdd_schedule_place(pl, m->number, cmdd_role_of_type(p->type), vcpus,
					  duty ? duty : UV_SLOTS);
	return ret;
}

/*
 * Test hook (tests/vm/commandd-interleave.sh): with ULTRA_COMMANDD_TEST_HOLD_<WHERE>
 * naming a file, a mutating request waits here while that file exists (at most
 * 120 s), so a test can submit through another client, or kill the daemon, at a
 * point of its choosing. JOURNAL: in flight journaled, not submitted; SUBMIT: the
 * module applied it, no answer journaled.
 */
static void test_hold(const char *where, const char *id)
{
	char var[48];
	const char *path;
	int i;

	snprintf(var, sizeof(var), "ULTRA_COMMANDD_TEST_HOLD_%s", where);
	path = getenv(var);
	if (!path || access(path, F_OK))
		return;
	cmdd_log(CMDD_LOG_WARNING, "test hook: request %s holding after %s while %s exists", id,
		 where, path);
	for (i = 0; i < 1200 && !access(path, F_OK); i++)
		usleep(100000);
}

static bool failpoint(struct cmdd_service *svc, enum cmdd_failpoint fp)
{
	if (svc->failpoint != fp)
		return false;
	svc->dead = true;
	return true;
}

/* What a response says about a partition after a change: its detail. */
static json_object *created_result(struct cmdd_service *svc, const struct cmdd_request *req,
				   bool loaded, u32 cpu, u32 channel)
{
	const struct resdb *db = cmdd_replica_standby(&svc->rep);
	json_object *result = partition_json(svc, db, cmdd_find_partition(db, req->c.name), true);

	if (result && req->image[0]) {
		add_str(result, "image", req->image);
		json_object_object_add(result, "image_loaded", json_object_new_boolean(loaded));
		if (loaded) {
			add_int(result, "image_cpu", cpu);
			add_number(result, "boot_channel", channel);
		}
	}
	return result;
}

static bool running(const struct cmdd_run_status *st)
{
	return st->state == UV_PSTATE_RUNNING || st->state == UV_PSTATE_PAUSED;
}

/*
 * Run control goes by the state it finds, so a retried request does what is
 * left to do: start of a running partition is done, stop of a stopped one too.
 * start of a partition with no image loaded (never loaded, or stopped) loads
 * args.image first.
 */
static int control(struct cmdd_service *svc, const struct cmdd_request *req, u32 number,
		   struct ultra_err *e)
{
	struct cmdd_run_status st;
	u32 cpu = 0, chan = UV_NONE;
	int ret;

	if (!svc->be->ops->status)
		return svc->be->ops->control(svc->be, number,
					     (enum cmdd_ctl)(req->op - CMDD_OP_START + CMDD_CTL_START),
					     e);
	ret = svc->be->ops->status(svc->be, number, &st, e);
	if (ret)
		return ret;
	switch (req->op) {
	case CMDD_OP_START:
		if (st.state == UV_PSTATE_RUNNING)
			return 0;
		if (st.state == UV_PSTATE_PAUSED)
			return ultra_err_set(e, EINVAL, "'%s' is paused: resume it", req->c.name);
		if (st.state != UV_PSTATE_LOADED) {
			if (!req->image[0])
				return ultra_err_set(e, EINVAL,
						     "'%s' has no image loaded (state %s): start it with an image",
						     req->c.name, st.state < 7 ? run_state_names[st.state] : "?");
			ret = load_image(svc, number, req->image,
					 req->initrd[0] ? req->initrd : NULL, req->cmdline, NULL,
					 &cpu, &chan, e);
			if (ret)
				return ret;
		}
		/* ¶[0126]: once it boots, its Boot channel is destroyed */
		ret = cmdd_boot_drop(svc, number, NULL, e);
		if (ret)
			return ret;
		return svc->be->ops->control(svc->be, number, CMDD_CTL_START, e);
	case CMDD_OP_PAUSE:
		return svc->be->ops->control(svc->be, number, CMDD_CTL_PAUSE, e);
	case CMDD_OP_RESUME:
		if (st.state == UV_PSTATE_RUNNING)
			return 0;
		return svc->be->ops->control(svc->be, number, CMDD_CTL_RESUME, e);
	default:
		if (st.state == UV_PSTATE_STOPPED && !st.exited)
			return 0;	/* stopped already */
		if (st.state == UV_PSTATE_FAULTED)
			return 0;	/* not running either */
		if (!running(&st) && st.state != UV_PSTATE_STOPPED)
			return ultra_err_set(e, EINVAL, "'%s' is not running (state %s)",
					     req->c.name, st.state < 7 ? run_state_names[st.state] : "?");
		return svc->be->ops->control(svc->be, number, CMDD_CTL_STOP, e);
	}
}

static json_object *mutate(struct cmdd_service *svc, const struct cmdd_request *req)
{
	const struct cmdd_jentry *j;
	struct cmdd_jentry x;
	struct cmdd_submit_res res;
	struct cmdd_run_status st;
	struct ultra_err e = { 0 };
	struct mut m = { .req = req, .spec = &req->c, .number = UV_NONE };
	struct cmdd_create_spec linux_spec;
	int (*fn)(struct cmdd_plan *, void *) = NULL;
	json_object *resp = NULL, *result;
	const struct resdb *db;
	void *image = NULL;
	size_t image_len = 0;
	bool ctl = false, loaded = false;
	u32 cpu = 0, chan = UV_NONE;
	int ret;

	pthread_mutex_lock(&svc->update_lock);
	if (svc->dead) {
		resp = error_response(req->id, ECANCELED, "the daemon is stopping");
		goto out;
	}
	j = cmdd_journal_find(svc->journal, req->id);
	if (j) {
		if (j->op != req->op || j->fingerprint != req->fingerprint) {
			resp = error_response(req->id, EEXIST,
					      "request id '%s' was already used for another request",
					      req->id);
		} else if (j->state == CMDD_J_DONE) {
			resp = json_tokener_parse(j->response);
			if (resp)
				json_object_object_add(resp, "replayed",
						       json_object_new_boolean(true));
			__atomic_add_fetch(&svc->replayed, 1, __ATOMIC_RELAXED);
		}
		if (resp || j->state == CMDD_J_DONE)
			goto out;
	}
	ret = cmdd_replica_catch_up(&svc->rep, &e);
	if (ret) {
		resp = cmdd_response_error(req->id, &e);
		goto out;
	}
	db = cmdd_replica_standby(&svc->rep);
	if (req->op != CMDD_OP_CREATE) {
		m.number = cmdd_find_partition(db, req->c.name);
		if (m.number == UV_NONE) {
			resp = error_response(req->id, ENOENT, "no partition named '%s'",
					      req->c.name);
			goto out;
		}
	}
	switch (req->op) {
	case CMDD_OP_CREATE:
		if (cmdd_find_partition(db, req->c.name) != UV_NONE) {
			resp = error_response(req->id, EEXIST, "a partition named '%s' exists",
					      req->c.name);
			goto out;
		}
		/* a bad image is refused before anything changes */
		if (req->image[0]) {
			if (!svc->be->ops->build) {
				resp = error_response(req->id, EOPNOTSUPP,
						      "the %s backend cannot load images",
						      svc->be->ops->name);
				goto out;
			}
			ret = read_image(req->image, &image, &image_len, &e);
			if (ret) {
				resp = cmdd_response_error(req->id, &e);
				goto out;
			}
			/* a Linux partition's channels come after its build (boot.c) */
			if (cmdd_boot_is_linux(image, image_len)) {
				linux_spec = req->c;
				linux_spec.chan_area = true;
				m.spec = &linux_spec;
			}
		}
		fn = create_fn;
		break;
	case CMDD_OP_DESTROY:
		if (run_status(svc, m.number, &st) && running(&st)) {
			resp = error_response(req->id, EBUSY, "'%s' is %s: stop it first",
					      req->c.name, run_state_names[st.state]);
			goto out;
		}
		fn = destroy_fn;
		break;
	case CMDD_OP_SET_SCHEDULE:
		fn = schedule_fn;
		break;
	default:
		/* run control changes no database entry: journaled for retries only */
		if (resdb_partition(db, m.number)->type != UV_PT_USER &&
		    resdb_partition(db, m.number)->type != UV_PT_IO &&
		    resdb_partition(db, m.number)->type != UV_PT_COMMAND &&
		    resdb_partition(db, m.number)->type != UV_PT_OPERATIONS) {
			resp = error_response(req->id, EPERM, "'%s' is a built-in partition",
					      req->c.name);
			goto out;
		}
		ctl = true;
		break;
	}
	if (!ctl) {
		/* plan (a create may first grow the pool: that is not the request's change) */
		if (req->op == CMDD_OP_CREATE)
			ret = plan_create_growing(svc, m.spec, fn, &m, &e);
		else
			ret = plan_create(svc, fn, &m, &e);
		if (ret) {
			resp = cmdd_response_error(req->id, &e);
			goto out;
		}
	}
	/* journal, submit */
	memset(&x, 0, sizeof(x));
	memcpy(x.id, req->id, sizeof(x.id));
	x.op = req->op;
	x.fingerprint = req->fingerprint;
	/* a lower bound: the replica never runs ahead of the module */
	x.seq = resdb_log_next_seq(cmdd_replica_standby(&svc->rep));
	x.tag = svc->txn_tags && !ctl ? cmdd_journal_new_tag(svc->journal) : 0;
	memcpy(x.name, req->c.name, sizeof(x.name));
	if (req->op == CMDD_OP_CREATE) {
		memcpy(x.image, req->image, sizeof(x.image));
		memcpy(x.initrd, req->initrd, sizeof(x.initrd));
		memcpy(x.cmdline, req->cmdline, sizeof(x.cmdline));
		x.nr_channels = req->c.nr_channels;
		memcpy(x.channels, req->c.channels, sizeof(x.channels));
	}
	ret = cmdd_journal_begin(svc->journal, &x, &e);
	if (ret) {
		resp = cmdd_response_error(req->id, &e);
		goto out;
	}
	if (failpoint(svc, CMDD_FAIL_AFTER_JOURNAL))
		goto crashed;
	test_hold("JOURNAL", req->id);
	/* a loaded instance that never ran would make the module refuse the destroy */
	ret = req->op == CMDD_OP_DESTROY ? unload_idle(svc, m.number, &e) : 0;
	if (!ret && ctl)
		ret = control(svc, req, m.number, &e);
	else if (!ret)
		ret = svc->plan.nr ? submit_plan(svc, x.tag, &res, &e) : 0;
	if (ret) {
		struct ultra_err e2;

		resp = cmdd_response_error(req->id, &e);
		if (!ctl && cmdd_replica_catch_up(&svc->rep, &e2))
			cmdd_log(CMDD_LOG_ERR, "replica catch-up failed: %s", e2.msg);
		if (cmdd_journal_forget(svc->journal, req->id, &e2))
			cmdd_log(CMDD_LOG_ERR, "%s", e2.msg);
		goto out;
	}
	if (failpoint(svc, CMDD_FAIL_AFTER_SUBMIT))
		goto crashed;
	test_hold("SUBMIT", req->id);
	ret = ctl ? 0 : cmdd_replica_catch_up(&svc->rep, &e);
	if (ret) {
		resp = cmdd_response_error(req->id, &e);
		goto out;
	}
	db = cmdd_replica_standby(&svc->rep);
	if (req->op == CMDD_OP_DESTROY) {
		result = json_object_new_object();
		add_str(result, "name", req->c.name);
		json_object_object_add(result, "destroyed", json_object_new_boolean(true));
	} else if (req->op == CMDD_OP_CREATE && image) {
		u32 number = cmdd_find_partition(db, req->c.name);

		ret = cmdd_boot_image(svc, number, req->image, image, image_len,
				      req->initrd[0] ? req->initrd : NULL, req->cmdline, m.spec,
				      &cpu, &chan, &e);
		if (ret) {
			/* the image is part of the request: undo the create */
			resp = cmdd_response_error(req->id, &e);
			undo_create(svc, number, req->c.name);
			if (cmdd_journal_forget(svc->journal, req->id, &e))
				cmdd_log(CMDD_LOG_ERR, "%s", e.msg);
			goto out;
		}
		loaded = true;
		result = created_result(svc, req, loaded, cpu, chan);
	} else if (req->op == CMDD_OP_CREATE) {
		result = created_result(svc, req, false, 0, UV_NONE);
	} else {
		result = partition_json(svc, db, m.number, true);
	}
	resp = cmdd_response_ok(req->id, result);
	ret = cmdd_journal_finish(svc->journal, req->id, ultra_json_string(resp, false), &e);
	if (ret) {
		/* done in the module; only the retry cache failed: say so in the log */
		cmdd_log(CMDD_LOG_ERR, "request %s done but not journaled: %s", req->id, e.msg);
	}
	if (failpoint(svc, CMDD_FAIL_AFTER_FINISH))
		goto crashed;
	cmdd_log(CMDD_LOG_INFO, "%s %s: done (request %s, %u steps)", cmdd_op_name(req->op),
		 req->c.name, req->id, ctl ? 0 : svc->plan.nr);
	if (req->op == CMDD_OP_DESTROY)
		pool_trim(svc);
	goto out;
crashed:
	json_object_put(resp);
	resp = error_response(req->id, ECANCELED, "simulated crash");
out:
	pthread_mutex_unlock(&svc->update_lock);
	free(image);
	return resp;
}

/* ---- read-only requests ---------------------------------------------------------------- */

struct list_ctx {
	struct cmdd_service *svc;
	const struct resdb *db;
	json_object *arr;
};

static int list_cb(void *ctx, const struct resdb_partition *p)
{
	struct list_ctx *l = ctx;

	json_object_array_add(l->arr, partition_json(l->svc, l->db, p->hdr.me, false));
	return 0;
}

static int count_cb(void *ctx, const struct resdb_partition *p)
{
	(*(u32 *)ctx)++;
	return 0;
}

static int dump_line(void *ctx, const char *line, u64 len)
{
	json_object_array_add(ctx, json_object_new_string_len(line, (int)len));
	return 0;
}

static json_object *stats_json(struct cmdd_service *svc, const struct resdb *db)
{
	json_object *o = json_object_new_object(), *req = json_object_new_object();
	json_object *idx = json_object_new_object(), *rep = json_object_new_object();
	struct cmdd_map_stats st;
	static const char *const scale_names[] = { "", "4K", "4M", "4G", "4T", "4P", "4E" };
	u32 i, n = 0;

	for (i = 0; i < CMDD_OP_MAX; i++) {
		json_object *x = json_object_new_object();

		add_int(x, "requests", (int64_t)__atomic_load_n(&svc->requests[i], __ATOMIC_RELAXED));
		add_int(x, "errors", (int64_t)__atomic_load_n(&svc->errors[i], __ATOMIC_RELAXED));
		json_object_object_add(req, cmdd_op_name((enum cmdd_op)i), x);
	}
	json_object_object_add(o, "requests", req);
	add_int(o, "replayed", (int64_t)__atomic_load_n(&svc->replayed, __ATOMIC_RELAXED));
	add_int(o, "transactions", (int64_t)__atomic_load_n(&svc->transactions, __ATOMIC_RELAXED));
	add_int(o, "uptime_ms", (int64_t)(now_ms() - svc->started));
	add_str(o, "backend", svc->be->ops->name);
	add_int(o, "cpus", svc->nr_cpus);
	if (!cmdd_map_stats(db, &st)) {
		for (i = 1; i <= db->order; i++) {
			json_object *x = json_object_new_object();

			add_int(x, "index_pages", st.index_pages[i]);
			add_int(x, "free_entries", (int64_t)st.free_entries[i]);
			json_object_object_add(idx, scale_names[i], x);
		}
		add_int(o, "free_memory", (int64_t)(st.free_pages * RESDB_PAGE_SIZE));
	}
	json_object_object_add(o, "map", idx);
	resdb_partition_list(db, count_cb, &n);
	add_int(o, "partitions", n);
	add_int(rep, "next_seq", (int64_t)resdb_log_next_seq(db));
	add_int(rep, "resyncs", (int64_t)svc->rep.resyncs);
	add_int(rep, "log_bytes", (int64_t)svc->rep.log_bytes);
	json_object_object_add(rep, "last_resync_ms",
			       json_object_new_double(svc->rep.last_resync_ms));
	add_int(rep, "recovered", svc->recovered);
	add_int(rep, "rolled_forward", svc->forward);
	add_int(rep, "dropped", svc->aborted);
	json_object_object_add(o, "replica", rep);
	add_int(o, "journal_entries", cmdd_journal_count(svc->journal));
	if (svc->be->ops->pool) {
		struct cmdd_pool_info info = { 0 };
		struct ultra_err e = { 0 };
		json_object *pool = json_object_new_object();

		/* the module answers this read-only ioctl under its own lock */
		if (!svc->be->ops->pool(svc->be, CMDD_POOL_INFO, 0, &info, &e)) {
			add_int(pool, "pool_bytes", (int64_t)info.pool_bytes);
			add_int(pool, "free_bytes", (int64_t)info.free_bytes);
			add_int(pool, "available_bytes", (int64_t)info.available_bytes);
		}
		add_int(pool, "max_bytes", (int64_t)svc->pool_max);
		add_int(pool, "floor_bytes", (int64_t)svc->pool_floor);
		add_int(pool, "grown_bytes", (int64_t)svc->pool_grown);
		add_int(pool, "shrunk_bytes", (int64_t)svc->pool_shrunk);
		json_object_object_add(o, "pool", pool);
	}
	return o;
}

/* db verify: the replica's snapshot bytes against the module's. */
static json_object *verify(struct cmdd_service *svc, const struct cmdd_request *req)
{
	struct ultra_err e = { 0 };
	void *mod = NULL, *mine = NULL;
	size_t mod_len = 0;
	u64 len = 0, out = 0;
	const struct resdb *db;
	struct resdb_check_report rep;
	json_object *o, *resp;
	void *scratch = NULL;
	bool equal;
	int ret, chk = -RESDB_ENOPAGE;

	pthread_mutex_lock(&svc->update_lock);
	ret = cmdd_replica_catch_up(&svc->rep, &e);
	if (!ret)
		ret = svc->be->ops->snapshot(svc->be, &mod, &mod_len, &e);
	if (ret) {
		pthread_mutex_unlock(&svc->update_lock);
		return cmdd_response_error(req->id, &e);
	}
	db = cmdd_replica_read_lock(&svc->rep);
	ret = db ? resdb_snapshot_size(db, &len) : -RESDB_ESTATE;
	mine = ret ? NULL : malloc(len);
	if (mine)
		ret = resdb_snapshot_write(db, mine, len, &out);
	equal = mine && !ret && out == mod_len && !memcmp(mine, mod, mod_len);
	memset(&rep, 0, sizeof(rep));
	if (db) {
		u64 need = resdb_check_scratch_size(db);

		scratch = malloc(need);
		if (scratch)
			chk = resdb_check(db, scratch, need, &rep);
	}
	o = json_object_new_object();
	json_object_object_add(o, "equal", json_object_new_boolean(equal));
	add_int(o, "module_bytes", (int64_t)mod_len);
	add_int(o, "replica_bytes", (int64_t)out);
	add_int(o, "module_next_seq", (int64_t)((const struct uv_snap_hdr *)mod)->next_seq);
	add_int(o, "replica_next_seq", db ? (int64_t)resdb_log_next_seq(db) : 0);
	add_str(o, "replica_check", chk ? resdb_strerror(chk) : "ok");
	if (chk && rep.msg[0])
		add_str(o, "replica_check_message", rep.msg);
	add_int(o, "partitions", rep.partitions);
	add_int(o, "index_pages", rep.index_pages);
	add_int(o, "processors", rep.processors);
	add_int(o, "channels", rep.channels);
	cmdd_replica_read_unlock(&svc->rep);
	pthread_mutex_unlock(&svc->update_lock);
	free(scratch);
	free(mine);
	free(mod);
	if (!equal || chk) {
		json_object_put(o);
		return error_response(req->id, EUCLEAN, "replica and module differ%s",
				      chk ? " (and the replica fails its check)" : "");
	}
	resp = cmdd_response_ok(req->id, o);
	return resp;
}

static json_object *read_only(struct cmdd_service *svc, const struct cmdd_request *req)
{
	const struct resdb *db = cmdd_replica_read_lock(&svc->rep);
	json_object *result = NULL, *resp;
	u32 number;

	if (!db) {
		cmdd_replica_read_unlock(&svc->rep);
		return error_response(req->id, EAGAIN, "the replica is not synchronised yet");
	}
	switch (req->op) {
	case CMDD_OP_LIST: {
		struct list_ctx l = { .svc = svc, .db = db, .arr = json_object_new_array() };

		resdb_partition_list(db, list_cb, &l);
		result = json_object_new_object();
		json_object_object_add(result, "partitions", l.arr);
		break;
	}
	case CMDD_OP_SHOW:
		number = cmdd_find_partition(db, req->c.name);
		result = number == UV_NONE ? NULL : partition_json(svc, db, number, true);
		if (!result) {
			cmdd_replica_read_unlock(&svc->rep);
			return error_response(req->id, ENOENT, "no partition named '%s'",
					      req->c.name);
		}
		break;
	case CMDD_OP_DB_DUMP: {
		json_object *lines = json_object_new_array();
		char *buf = malloc(32768);

		if (buf) {
			if (resdb_dump_uv_index(db, buf, 32768) >= 0)
				json_object_array_add(lines, json_object_new_string(buf));
			resdb_dump(db, buf, 32768, dump_line, lines);
		}
		free(buf);
		result = json_object_new_object();
		add_int(result, "next_seq", (int64_t)resdb_log_next_seq(db));
		json_object_object_add(result, "lines", lines);
		break;
	}
	default:
		result = stats_json(svc, db);
	}
	cmdd_replica_read_unlock(&svc->rep);
	resp = cmdd_response_ok(req->id, result);
	return resp;
}

json_object *cmdd_service_handle(struct cmdd_service *svc, const struct cmdd_request *req)
{
	json_object *resp, *ok;

	if (req->op >= CMDD_OP_MAX)
		return error_response(req->id, EOPNOTSUPP, "unknown operation");
	__atomic_add_fetch(&svc->requests[req->op], 1, __ATOMIC_RELAXED);
	if (req->op == CMDD_OP_DB_VERIFY)
		resp = verify(svc, req);
	else if (cmdd_op_mutates(req->op))
		resp = mutate(svc, req);
	else
		resp = read_only(svc, req);
	if (!resp || !json_object_object_get_ex(resp, "ok", &ok) || !json_object_get_boolean(ok))
		__atomic_add_fetch(&svc->errors[req->op], 1, __ATOMIC_RELAXED);
	return resp;
}

json_object *cmdd_service_handle_text(struct cmdd_service *svc, const char *buf, size_t len)
{
	struct cmdd_request *req = malloc(sizeof(*req));
	struct ultra_err e = { 0 };
	json_object *resp;

	if (!req)
		return NULL;
	if (cmdd_request_parse(buf, len, req, &e))
		resp = cmdd_response_error(req->id, &e);
	else
		resp = cmdd_service_handle(svc, req);
	free(req);
	return resp;
}
