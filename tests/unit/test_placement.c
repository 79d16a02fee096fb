// SPDX-License-Identifier: GPL-2.0
/*
 * Placement policy of the command daemon, through its real request path (service,
 * plan, master backend, replica):
 *  - Figure 5: duties 8, 4, 4 on a shared CPU get offsets 0, 8, 12;
 *  - Figure 6: two I/O partitions on dedicated CPUs, command and operations sharing
 *    one, 11 user partitions on the other five of an 8-CPU host;
 *  - an I/O partition a host daemon plays takes no slots (2 CPUs, two 2-vCPU guests);
 *  - memory in the largest pages that fit, contiguous;
 *  - a Boot channel over the top page of a partition's memory, and its removal;
 *  - NUMA: memory from the node of the partition's first CPU on a two-node host;
 *  - 10 000 random create/destroy requests: the replica passes resdb_check(), equals
 *    the master, and the map stays coarse (4 KiB index pages counted and bounded);
 *    once everything is destroyed the map is back to its first shape.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd/commandd.h"
#include "resdb_store.h"

#include "commandd/rcu.h"

static struct cmdd_master *master;
static struct cmdd_backend *be;
static struct cmdd_service *svc;
static unsigned int req_no;

static void open_host(u64 gib, u32 cpus)
{
	struct cmdd_master_cfg mc = { .host_pages = gib << 18, .nr_cpus = cpus };
	struct cmdd_config cfg = { 0 };
	struct ultra_err e = { 0 };

	master = cmdd_master_new(&mc, &e);
	ck_assert_msg(master, "%s", e.msg);
	ck_assert_int_eq(cmdd_master_open(master, &be, &e), 0);
	ck_assert_msg(!cmdd_service_open(&svc, be, &cfg, &e), "%s", e.msg);
}

/* The same with a synthetic NUMA topology: memory and CPUs cut evenly. */
static void open_host_numa(u64 gib, u32 cpus, u32 nodes)
{
	struct cmdd_master_cfg mc = { .host_pages = gib << 18, .nr_cpus = cpus };
	struct cmdd_config cfg = { 0 };
	struct ultra_err e = { 0 };

	cmdd_numa_even(&cfg.numa, nodes, mc.host_pages, cpus);
	master = cmdd_master_new(&mc, &e);
	ck_assert_msg(master, "%s", e.msg);
	ck_assert_int_eq(cmdd_master_open(master, &be, &e), 0);
	ck_assert_msg(!cmdd_service_open(&svc, be, &cfg, &e), "%s", e.msg);
}

static void setup(void)
{
	cmdd_log_set_level(CMDD_LOG_WARNING);
	open_host(64, 8);
}

static void teardown(void)
{
	cmdd_service_close(svc);
	be->ops->close(be);
	cmdd_master_free(master);
}

/* Send one request line; returns the errno (0 on success) and the result. */
static int request(const char *op, const char *args, json_object **result)
{
	char line[4096];
	json_object *resp, *ok, *v;
	int err = 0;

	snprintf(line, sizeof(line), "{\"id\":\"t%u\",\"op\":\"%s\"%s%s}", ++req_no, op,
		 args ? ",\"args\":" : "", args ? args : "");
	resp = cmdd_service_handle_text(svc, line, strlen(line));
	ck_assert_ptr_nonnull(resp);
	ck_assert(json_object_object_get_ex(resp, "ok", &ok));
	if (!json_object_get_boolean(ok)) {
		ck_assert(json_object_object_get_ex(resp, "error", &v));
		ck_assert(json_object_object_get_ex(v, "errno", &v));
		err = json_object_get_int(v);
	}
	if (result)
		*result = json_object_object_get_ex(resp, "result", &v) ? json_object_get(v) : NULL;
	json_object_put(resp);
	return err;
}

static void create(const char *name, const char *role, u64 mem, u32 duty)
{
	char args[256];
	int err;

	/* an I/O partition here runs on its dedicated CPU (processors 1, not a host daemon) */
	snprintf(args, sizeof(args),
		 "{\"name\":\"%s\",\"role\":\"%s\",\"memory\":%llu,\"duty\":%u%s}", name, role,
		 (unsigned long long)mem, duty, strcmp(role, "io") ? "" : ",\"processors\":1");
	err = request("create", args, NULL);
	ck_assert_msg(!err, "create %s: errno %d", name, err);
}

/* The partition in each slot of each CPU, by name ('.' for idle). */
static void schedule_of(char names[8][UV_SLOTS][UV_NAME_LEN])
{
	struct cmdd_replica *r = cmdd_service_replica(svc);
	const struct resdb *db;
	u32 cpu, i;

	rcu_register_thread();
	db = cmdd_replica_read_lock(r);
	for (cpu = 0; cpu < 8; cpu++) {
		const struct resdb_processor *p = resdb_processor(db, cpu);

		ck_assert_ptr_nonnull(p);
		for (i = 0; i < UV_SLOTS; i++) {
			const struct resdb_partition *q = resdb_partition(db, p->slot[i].partition);

			ck_assert_ptr_nonnull(q);
			snprintf(names[cpu][i], UV_NAME_LEN, "%s",
				 p->slot[i].partition == db->idle ? "." : q->name);
		}
	}
	cmdd_replica_read_unlock(r);
	rcu_unregister_thread();
}

static void print_schedule(const char *title, char names[8][UV_SLOTS][UV_NAME_LEN])
{
	u32 cpu, i;

	printf("%s\n", title);
	for (cpu = 0; cpu < 8; cpu++) {
		printf("  cpu%u:", cpu);
		for (i = 0; i < UV_SLOTS; i++)
			printf(" %-5.5s", names[cpu][i]);
		printf("\n");
	}
}

/* First slot and width of name on cpu; -1 if absent. Asserts the slots are contiguous. */
static int slots_of(char names[8][UV_SLOTS][UV_NAME_LEN], u32 cpu, const char *name, u32 *width)
{
	int first = -1;
	u32 i, n = 0;

	for (i = 0; i < UV_SLOTS; i++)
		if (!strcmp(names[cpu][i], name)) {
			if (first < 0)
				first = (int)i;
			ck_assert_msg((int)i == first + (int)n, "%s: slots not contiguous", name);
			n++;
		}
	*width = n;
	return first;
}

static int cpu_of(char names[8][UV_SLOTS][UV_NAME_LEN], const char *name)
{
	u32 cpu, w;
	int found = -1;

	for (cpu = 0; cpu < 8; cpu++)
		if (slots_of(names, cpu, name, &w) >= 0) {
			ck_assert_msg(found < 0, "%s on two CPUs", name);
			found = (int)cpu;
		}
	return found;
}

START_TEST(figure5_offsets)
{
	char names[8][UV_SLOTS][UV_NAME_LEN];
	u32 w;
	int cpu;

	create("A", "user", 64 << 20, 8);
	create("B", "user", 64 << 20, 4);
	create("C", "user", 64 << 20, 4);
	schedule_of(names);
	print_schedule("Figure 5 (A=8, B=4, C=4):", names);
	cpu = cpu_of(names, "A");
	ck_assert_int_ge(cpu, 0);
	ck_assert_int_eq(cpu_of(names, "B"), cpu);
	ck_assert_int_eq(cpu_of(names, "C"), cpu);
	ck_assert_int_eq(slots_of(names, (u32)cpu, "A", &w), 0);
	ck_assert_uint_eq(w, 8);
	ck_assert_int_eq(slots_of(names, (u32)cpu, "B", &w), 8);
	ck_assert_uint_eq(w, 4);
	ck_assert_int_eq(slots_of(names, (u32)cpu, "C", &w), 12);
	ck_assert_uint_eq(w, 4);
}
END_TEST

/* The answer's errno and message. */
static int request_msg(const char *op, const char *args, char *msg, size_t len)
{
	char line[4096];
	json_object *resp, *ok, *err, *v;
	int ret = 0;

	snprintf(line, sizeof(line), "{\"id\":\"t%u\",\"op\":\"%s\",\"args\":%s}", ++req_no, op,
		 args);
	resp = cmdd_service_handle_text(svc, line, strlen(line));
	ck_assert_ptr_nonnull(resp);
	ck_assert(json_object_object_get_ex(resp, "ok", &ok));
	msg[0] = 0;
	if (!json_object_get_boolean(ok)) {
		ck_assert(json_object_object_get_ex(resp, "error", &err));
		ck_assert(json_object_object_get_ex(err, "errno", &v));
		ret = json_object_get_int(v);
		ck_assert(json_object_object_get_ex(err, "message", &v));
		snprintf(msg, len, "%s", json_object_get_string(v));
	}
	json_object_put(resp);
	return ret;
}

/* Placement requests (--cpu/--offset): honoured where they say, collisions refused. */
START_TEST(explicit_placement)
{
	static const char *const figure5[] = {
		"{\"name\":\"A\",\"memory\":16777216,\"cpu\":2,\"duty\":8,\"offset\":0}",
		"{\"name\":\"B\",\"memory\":16777216,\"cpu\":2,\"duty\":4,\"offset\":8}",
		"{\"name\":\"C\",\"memory\":16777216,\"cpu\":2,\"duty\":4,\"offset\":12}",
	};
	char names[8][UV_SLOTS][UV_NAME_LEN], msg[512];
	u32 i, w;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(request_msg("create", figure5[i], msg, sizeof(msg)), 0);
	/* CPU 2 is one the policy would not pick for users first (it places from the top) */
	ck_assert_int_eq(request_msg("create",
				     "{\"name\":\"D\",\"memory\":16777216,\"cpu\":2,\"duty\":4,\"offset\":6}",
				     msg, sizeof(msg)), EBUSY);
	printf("collision: %s\n", msg);
	ck_assert_msg(strstr(msg, "collide with A (slot 6)") && strstr(msg, "EFROM"), "%s", msg);
	ck_assert_int_eq(request_msg("create",
				     "{\"name\":\"D\",\"memory\":16777216,\"cpu\":9,\"duty\":4}",
				     msg, sizeof(msg)), ENOENT);
	/* cpu alone: the tightest free run there */
	ck_assert_int_eq(request_msg("create",
				     "{\"name\":\"E\",\"memory\":16777216,\"cpu\":3,\"duty\":4}",
				     msg, sizeof(msg)), 0);
	schedule_of(names);
	print_schedule("requested: A 8 @0, B 4 @8, C 4 @12 on CPU 2; E 4 on CPU 3", names);
	ck_assert_int_eq(slots_of(names, 2, "A", &w), 0);
	ck_assert_uint_eq(w, 8);
	ck_assert_int_eq(slots_of(names, 2, "B", &w), 8);
	ck_assert_uint_eq(w, 4);
	ck_assert_int_eq(slots_of(names, 2, "C", &w), 12);
	ck_assert_uint_eq(w, 4);
	ck_assert_int_eq(cpu_of(names, "D"), -1);
	ck_assert_int_eq(cpu_of(names, "E"), 3);
}
END_TEST

START_TEST(figure6_schedule)
{
	static const u32 duty[11] = { 16, 8, 8, 4, 4, 8, 8, 8, 4, 4, 8 };
	char names[8][UV_SLOTS][UV_NAME_LEN], n[16];
	int io_a, io_b, cmd;
	u32 i, cpu, w, used[8] = { 0 };

	create("io-a", "io", 256 << 20, 16);
	create("io-b", "io", 256 << 20, 16);
	create("command", "command", 128 << 20, 8);
	create("operations", "operations", 128 << 20, 8);
	for (i = 0; i < 11; i++) {
		snprintf(n, sizeof(n), "user%u", i);
		create(n, "user", 64 << 20, duty[i]);
	}
	schedule_of(names);
	print_schedule("Figure 6 (8 CPUs):", names);
	io_a = cpu_of(names, "io-a");
	io_b = cpu_of(names, "io-b");
	cmd = cpu_of(names, "command");
	ck_assert_int_ge(io_a, 0);
	ck_assert_int_ge(io_b, 0);
	ck_assert_int_ne(io_a, io_b);
	/* dedicated: all 16 slots, nobody else */
	ck_assert_int_eq(slots_of(names, (u32)io_a, "io-a", &w), 0);
	ck_assert_uint_eq(w, UV_SLOTS);
	ck_assert_int_eq(slots_of(names, (u32)io_b, "io-b", &w), 0);
	ck_assert_uint_eq(w, UV_SLOTS);
	/* command and operations share one CPU, with nobody else */
	ck_assert_int_eq(cpu_of(names, "operations"), cmd);
	ck_assert_int_ne(cmd, io_a);
	ck_assert_int_ne(cmd, io_b);
	ck_assert_int_eq(slots_of(names, (u32)cmd, "command", &w), 0);
	ck_assert_uint_eq(w, 8);
	ck_assert_int_eq(slots_of(names, (u32)cmd, "operations", &w), 8);
	ck_assert_uint_eq(w, 8);
	/* 11 user partitions on the other five CPUs, which they fill exactly */
	for (i = 0; i < 11; i++) {
		int c;

		snprintf(n, sizeof(n), "user%u", i);
		c = cpu_of(names, n);
		ck_assert_int_ge(c, 0);
		ck_assert_int_ne(c, io_a);
		ck_assert_int_ne(c, io_b);
		ck_assert_int_ne(c, cmd);
		ck_assert_int_ge(slots_of(names, (u32)c, n, &w), 0);
		ck_assert_uint_eq(w, duty[i]);
		used[c] += w;
	}
	for (cpu = 0; cpu < 8; cpu++)
		if ((int)cpu != io_a && (int)cpu != io_b && (int)cpu != cmd)
			ck_assert_uint_eq(used[cpu], UV_SLOTS);
	/* no room is left for another user partition, nor an I/O one */
	ck_assert_int_eq(request("create", "{\"name\":\"late\",\"memory\":4194304,\"duty\":1}",
				 NULL), ENOSPC);
	ck_assert_int_eq(request("create",
				 "{\"name\":\"io-c\",\"role\":\"io\",\"memory\":4194304,\"processors\":1}",
				 NULL), ENOSPC);
	/* but one a host daemon plays needs no CPU */
	ck_assert_int_eq(request("create",
				 "{\"name\":\"io-d\",\"role\":\"io\",\"memory\":4194304}", NULL), 0);
}
END_TEST

static u64 jget(json_object *o, const char *k);

/* Slots of partition name on each CPU of the replica (cpus at most 8). */
static u32 slots_by_cpu(const char *name, u32 cpus, u32 per_cpu[8])
{
	struct cmdd_replica *r = cmdd_service_replica(svc);
	const struct resdb *db;
	u32 cpu, i, total = 0;

	rcu_register_thread();
	db = cmdd_replica_read_lock(r);
	for (cpu = 0; cpu < cpus; cpu++) {
		const struct resdb_processor *p = resdb_processor(db, cpu);

		ck_assert_ptr_nonnull(p);
		per_cpu[cpu] = 0;
		for (i = 0; i < UV_SLOTS; i++) {
			const struct resdb_partition *q = resdb_partition(db, p->slot[i].partition);

			if (p->slot[i].partition != db->idle && q && !strcmp(q->name, name))
				per_cpu[cpu]++;
		}
		total += per_cpu[cpu];
	}
	cmdd_replica_read_unlock(r);
	rcu_unregister_thread();
	return total;
}

/* The vCPU label of partition name's first slot on cpu; -1: none there. */
static int vcpu_on(const char *name, u32 cpu)
{
	struct cmdd_replica *r = cmdd_service_replica(svc);
	const struct resdb_processor *p;
	const struct resdb *db;
	int v = -1;
	u32 i;

	rcu_register_thread();
	db = cmdd_replica_read_lock(r);
	p = resdb_processor(db, cpu);
	for (i = 0; p && i < UV_SLOTS && v < 0; i++) {
		const struct resdb_partition *q = resdb_partition(db, p->slot[i].partition);

		if (p->slot[i].partition != db->idle && q && !strcmp(q->name, name))
			v = (int)p->slot[i].vcpu;
	}
	cmdd_replica_read_unlock(r);
	rcu_unregister_thread();
	return v;
}

/*
 * Users are placed from the top CPU down, but the module runs vCPU i on the i-th
 * CPU in ascending order (docs/schedule.md): the slots' labels must agree with it.
 */
START_TEST(vcpus_numbered_by_cpu)
{
	teardown();
	open_host(1, 4);
	ck_assert_int_eq(request("create", "{\"name\":\"smp\",\"memory\":4194304,"
				 "\"processors\":3,\"duty\":4}", NULL), 0);
	ck_assert_int_eq(vcpu_on("smp", 0), -1);
	ck_assert_int_eq(vcpu_on("smp", 1), 0);
	ck_assert_int_eq(vcpu_on("smp", 2), 1);
	ck_assert_int_eq(vcpu_on("smp", 3), 2);
	ck_assert_int_eq(request("destroy", "{\"name\":\"smp\"}", NULL), 0);
}
END_TEST

/*
 * The emulated test host: 2 CPUs. The console server's I/O partition (played by
 * ultra-consoled) takes no slots, so two Linux guests with 2 processors each fit;
 * asking it for a processor gives it a dedicated CPU again, and then they do not.
 */
START_TEST(io_partition_without_slots)
{
	static const char a[] = "{\"name\":\"A\",\"memory\":8388608,\"processors\":2,\"duty\":8}";
	static const char b[] = "{\"name\":\"B\",\"memory\":8388608,\"processors\":2,\"duty\":4}";
	struct resdb_check_report rep;
	json_object *res;
	u32 per[8];

	teardown();
	open_host(1, 2);
	ck_assert_int_eq(request("create",
				 "{\"name\":\"console-io\",\"role\":\"io\",\"memory\":4194304,"
				 "\"channels\":[]}", &res), 0);
	json_object_put(res);
	ck_assert_uint_eq(slots_by_cpu("console-io", 2, per), 0);
	ck_assert_int_eq(request("show", "{\"name\":\"console-io\"}", &res), 0);
	ck_assert_uint_eq(jget(res, "processors"), 0);
	json_object_put(res);
	/* it serves channels: a client whose Console channel names it */
	ck_assert_int_eq(request("create",
				 "{\"name\":\"C\",\"memory\":4194304,\"duty\":4,"
				 "\"channels\":[{\"type\":4,\"pages\":2,\"server\":\"console-io\"}]}",
				 NULL), 0);
	ck_assert_int_eq(request("destroy", "{\"name\":\"C\"}", NULL), 0);
	ck_assert_int_eq(request("create", a, NULL), 0);
	ck_assert_int_eq(request("create", b, NULL), 0);
	ck_assert_uint_eq(slots_by_cpu("A", 2, per), 16);
	ck_assert_uint_eq(per[0], 8);
	ck_assert_uint_eq(slots_by_cpu("B", 2, per), 8);
	ck_assert_uint_eq(per[1], 4);
	/* no CPU is free for a dedicated one now: asking for a processor fails... */
	ck_assert_int_eq(request("set_schedule", "{\"name\":\"console-io\",\"processors\":1}",
				 NULL), ENOSPC);
	ck_assert_uint_eq(slots_by_cpu("console-io", 2, per), 0);
	ck_assert_int_eq(request("destroy", "{\"name\":\"B\"}", NULL), 0);
	ck_assert_int_eq(request("destroy", "{\"name\":\"A\"}", NULL), 0);
	/* ...and with the guests gone it takes a whole CPU, and gives it back with 0 */
	ck_assert_int_eq(request("set_schedule", "{\"name\":\"console-io\",\"processors\":1}",
				 NULL), 0);
	ck_assert_uint_eq(slots_by_cpu("console-io", 2, per), UV_SLOTS);
	ck_assert_int_eq(request("set_schedule", "{\"name\":\"console-io\",\"processors\":0}",
				 NULL), 0);
	ck_assert_uint_eq(slots_by_cpu("console-io", 2, per), 0);
	/* 0 is only for an I/O partition */
	ck_assert_int_eq(request("create", "{\"name\":\"u\",\"memory\":4194304}", NULL), 0);
	ck_assert_int_eq(request("set_schedule", "{\"name\":\"u\",\"processors\":0}", NULL),
			 EINVAL);
	ck_assert_int_eq(request("destroy", "{\"name\":\"u\"}", NULL), 0);
	ck_assert_int_eq(request("destroy", "{\"name\":\"console-io\"}", NULL), 0);
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);
}
END_TEST

static u64 jget(json_object *o, const char *k)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no %s", k);
	return (u64)json_object_get_int64(v);
}

START_TEST(memory_largest_pages_contiguous)
{
	json_object *r, *ext, *x;

	/* 9 GiB: two whole 4 GiB entries and 1 GiB of 4 MiB entries */
	ck_assert_int_eq(request("create", "{\"name\":\"big\",\"memory\":9663676416}", &r), 0);
	ck_assert_uint_eq(jget(r, "memory"), 9ull << 30);
	ck_assert(json_object_object_get_ex(r, "extents", &ext));
	/* descriptor page, 1 GiB run, 8 GiB run */
	ck_assert_uint_eq(json_object_array_length(ext), 3);
	x = json_object_array_get_idx(ext, 2);
	ck_assert_uint_eq(jget(x, "pages"), 2ull << 20);
	ck_assert_uint_eq(jget(x, "pfn") % (1ull << 20), 0);	/* 4 GiB aligned */
	x = json_object_array_get_idx(ext, 1);
	ck_assert_uint_eq(jget(x, "pages"), 1ull << 18);
	ck_assert_uint_eq(jget(x, "pfn") % 1024, 0);
	json_object_put(r);
	/* too much for the host: refused, nothing changes */
	ck_assert_int_eq(request("create", "{\"name\":\"huge\",\"memory\":68719476736}", NULL),
			 ENOSPC);
}
END_TEST

struct live {
	char name[16];
	bool alive;
};

static u32 pkm_pages(u32 *pmm)
{
	struct cmdd_replica *r = cmdd_service_replica(svc);
	struct cmdd_map_stats st;
	const struct resdb *db;

	rcu_register_thread();
	db = cmdd_replica_read_lock(r);
	ck_assert_int_eq(cmdd_map_stats(db, &st), 0);
	cmdd_replica_read_unlock(r);
	rcu_unregister_thread();
	if (pmm)
		*pmm = st.index_pages[2];
	return st.index_pages[1];
}

struct boot_arg {
	u32 number;
	u32 channel;
};

static int boot_fn(struct cmdd_plan *pl, void *arg)
{
	struct boot_arg *b = arg;

	return cmdd_place_boot_channel(pl, b->number, &b->channel);
}

struct top {
	u32 number;
	u64 desc, top, pages;
};

static int top_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct top *t = ctx;
	u64 i;

	for (i = 0; entry == t->number && i < nr; i++) {
		t->pages++;
		if (pfn + i != t->desc && pfn + i > t->top)
			t->top = pfn + i;
	}
	return 0;
}

/*
 * The Boot channel: one page over the top page of the partition's guest memory
 * (not its descriptor), no memory changes owner, its descriptor page is the
 * ultravisor's; dropping it gives that page back and the database stays sound. The
 * master backend has no monitor: a create with an image is EOPNOTSUPP.
 */
START_TEST(boot_channel_top_page)
{
	struct boot_arg b = { .number = UV_NONE, .channel = UV_NONE };
	struct ultra_err e = { 0 };
	struct resdb_check_report rep;
	const struct resdb *db;
	const struct resdb_channel *ch;
	struct top t0 = { 0 }, t1 = { 0 };
	u64 free0, free1;
	u32 n = 0;

	create("b1", "user", 8ull << 20, 4);
	create("b2", "user", 12ull << 20, 4);
	db = cmdd_replica_standby(cmdd_service_replica(svc));
	b.number = cmdd_find_partition(db, "b2");
	ck_assert_uint_ne(b.number, UV_NONE);
	t0.number = b.number;
	t0.desc = db->base_pfn + b.number;
	ck_assert_int_eq(resdb_partition_extents(db, b.number, top_cb, &t0), 0);
	free0 = resdb_partition(db, db->avail)->pages;

	ck_assert_msg(!cmdd_service_txn(svc, boot_fn, &b, &e), "%s", e.msg);
	db = cmdd_replica_standby(cmdd_service_replica(svc));
	ch = resdb_channel(db, b.channel);
	ck_assert_ptr_nonnull(ch);
	ck_assert_uint_eq(ch->type, 3);
	ck_assert_uint_eq(ch->client, b.number);
	ck_assert_uint_eq(ch->nr_pages, 1);
	ck_assert_uint_eq(ch->first_pfn, t0.top);
	t1.number = b.number;
	t1.desc = t0.desc;
	ck_assert_int_eq(resdb_partition_extents(db, b.number, top_cb, &t1), 0);
	ck_assert_uint_eq(t1.pages, t0.pages);	/* no memory changed hands */
	ck_assert_uint_eq(resdb_partition(db, db->avail)->pages, free0 - 1);

	ck_assert_msg(!cmdd_boot_drop(svc, UV_NONE, &n, &e), "%s", e.msg);
	ck_assert_uint_eq(n, 1);
	db = cmdd_replica_standby(cmdd_service_replica(svc));
	ck_assert_ptr_null(resdb_channel(db, b.channel));
	free1 = resdb_partition(db, db->avail)->pages;
	ck_assert_uint_eq(free1, free0);
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);
	ck_assert_int_eq(cmdd_boot_drop(svc, UV_NONE, &n, &e), 0);
	ck_assert_uint_eq(n, 0);

	ck_assert_int_eq(request("create", "{\"name\":\"b3\",\"memory\":4194304,\"image\":\"/bin/sh\"}",
				 NULL), EOPNOTSUPP);
}
END_TEST

struct span {
	u32 number;
	u64 desc;
	u64 lo, hi;	/* lowest and one past the highest page frame of its memory */
	u64 pages;
};

static int span_cb(void *ctx, u64 pfn, u64 nr, u32 entry)
{
	struct span *x = ctx;

	if (entry != x->number || pfn == x->desc)
		return 0;
	if (!x->pages || pfn < x->lo)
		x->lo = pfn;
	if (pfn + nr > x->hi)
		x->hi = pfn + nr;
	x->pages += nr;
	return 0;
}

static struct span span_of(const char *name)
{
	const struct resdb *db = cmdd_replica_standby(cmdd_service_replica(svc));
	struct span x = { .number = cmdd_find_partition(db, name) };

	ck_assert_uint_ne(x.number, UV_NONE);
	x.desc = db->base_pfn + x.number;
	ck_assert_int_eq(resdb_partition_extents(db, x.number, span_cb, &x), 0);
	return x;
}

/*
 * NUMA on a synthetic two-node host (64 GiB, 8 CPUs: node 0 has the first 32 GiB
 * and CPUs 0-3, node 1 the rest): a user partition goes on the highest CPU and
 * gets its memory from node 1, though the lowest free memory is node 0's; an I/O
 * partition gets CPU 0 and node 0's memory; one bigger than what its node has
 * left gets all of that node's and the rest elsewhere. The same requests on one
 * node put the user's memory at the lowest address (no preference).
 */
START_TEST(numa_memory_on_cpu_node)
{
	const u64 half = 32ull << 18;	/* pages in 32 GiB */
	struct resdb_check_report rep;
	struct span u, io, big;

	teardown();
	open_host_numa(64, 8, 2);
	create("u1", "user", 8ull << 30, 4);
	u = span_of("u1");
	printf("numa: u1 (CPU 7) memory in frames [%#llx, %#llx)\n", (unsigned long long)u.lo,
	       (unsigned long long)u.hi);
	ck_assert_uint_ge(u.lo, half);
	ck_assert_uint_eq(u.pages, 8ull << 18);
	create("io1", "io", 4ull << 30, 16);
	io = span_of("io1");
	printf("numa: io1 (CPU 0) memory in frames [%#llx, %#llx)\n", (unsigned long long)io.lo,
	       (unsigned long long)io.hi);
	ck_assert_uint_le(io.hi, half);
	/* node 0 has about 28 GiB left: 40 GiB takes it and 12 GiB from node 1 */
	create("io2", "io", 40ull << 30, 16);
	big = span_of("io2");
	ck_assert_uint_eq(big.pages, 40ull << 18);
	ck_assert_uint_lt(big.lo, half);
	ck_assert_uint_gt(big.hi, half);
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);

	/* one node: no preference, the user's memory starts low */
	teardown();
	open_host_numa(64, 8, 1);
	create("u1", "user", 8ull << 30, 4);
	u = span_of("u1");
	ck_assert_uint_lt(u.lo, half);
}
END_TEST

START_TEST(random_requests_stay_coarse)
{
	enum { N = 10000, SLOTS = 64 };
	static struct live live[SLOTS];
	struct resdb_check_report rep;
	struct cmdd_replica *r = cmdd_service_replica(svc);
	u32 i, created = 0, destroyed = 0, refused = 0, max_pkm = 0, first_pkm, first_pmm, pmm;
	u32 alive = 0, max_alive = 0;
	json_object *v;
	unsigned int seed = 12345;

	first_pkm = pkm_pages(&first_pmm);
	/* an I/O partition to serve channels */
	create("io", "io", 64 << 20, 16);
	for (i = 0; i < N; i++) {
		u32 k = (u32)rand_r(&seed) % SLOTS;
		char args[512];

		if (!live[k].alive) {
			static const u64 mem[] = { 4ull << 20, 64ull << 20, 256ull << 20, 1ull << 30,
						   (4ull << 30) + (8ull << 20) };
			u32 ch = (u32)rand_r(&seed) % 3;

			snprintf(live[k].name, sizeof(live[k].name), "p%u", k);
			snprintf(args, sizeof(args),
				 "{\"name\":\"%s\",\"memory\":%llu,\"duty\":%u,\"processors\":%u%s%s%s}",
				 live[k].name, (unsigned long long)mem[rand_r(&seed) % 5],
				 1 + (u32)rand_r(&seed) % 4, 1 + (u32)rand_r(&seed) % 2,
				 ch == 1 ? ",\"channels\":[{\"type\":1,\"pages\":4,\"server\":\"io\"}]" : "",
				 ch == 2 ? ",\"channels\":[{\"type\":2,\"pages\":64},{\"type\":3,\"pages\":1}]" : "",
				 "");
			int err = request("create", args, NULL);

			ck_assert_msg(!err || err == ENOSPC, "create: errno %d", err);
			if (!err) {
				live[k].alive = true;
				created++;
				alive++;
			} else {
				refused++;
			}
		} else {
			snprintf(args, sizeof(args), "{\"name\":\"%s\"}", live[k].name);
			ck_assert_int_eq(request("destroy", args, NULL), 0);
			live[k].alive = false;
			destroyed++;
			alive--;
		}
		if (alive > max_alive)
			max_alive = alive;
		if (i % 500 == 0) {
			u32 pkm = pkm_pages(NULL);

			if (pkm > max_pkm)
				max_pkm = pkm;
		}
	}
	ck_assert_int_eq(request("db_verify", NULL, &v), 0);
	json_object_put(v);
	rcu_register_thread();
	{
		const struct resdb *db = cmdd_replica_read_lock(r);
		u64 need = resdb_check_scratch_size(db);
		void *scratch = malloc(need);

		ck_assert_int_eq(resdb_check(db, scratch, need, &rep), 0);
		free(scratch);
		cmdd_replica_read_unlock(r);
	}
	rcu_unregister_thread();
	ck_assert_int_eq(cmdd_master_check(master, &rep), 0);
	printf("random: %u created, %u destroyed, %u refused (full); at most %u alive;\n"
	       "        4 KiB index pages: %u at start, at most %u during the run\n",
	       created, destroyed, refused, max_alive, first_pkm, max_pkm);
	/*
	 * Bounded: at most (64 partitions x (1 descriptor + 2 channel descriptors +
	 * 64 pages)) 4 KiB pages live at once, which is 5 index pages if perfectly
	 * packed; the policy packs into the fullest page and merges empty ones.
	 */
	ck_assert_uint_le(max_pkm, first_pkm + 5);
	ck_assert_uint_gt(created, N / 4);
	ck_assert_uint_gt(destroyed, N / 5);

	/* everything gone: the map is back to its first shape */
	for (i = 0; i < SLOTS; i++) {
		char args[64];

		if (!live[i].alive)
			continue;
		snprintf(args, sizeof(args), "{\"name\":\"%.15s\"}", live[i].name);
		ck_assert_int_eq(request("destroy", args, NULL), 0);
	}
	ck_assert_int_eq(request("destroy", "{\"name\":\"io\"}", NULL), 0);
	ck_assert_uint_eq(pkm_pages(&pmm), first_pkm);
	ck_assert_uint_eq(pmm, first_pmm);
	ck_assert_int_eq(request("db_verify", NULL, &v), 0);
	json_object_put(v);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("placement");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, figure5_offsets);
	tcase_add_test(tc, figure6_schedule);
	tcase_add_test(tc, io_partition_without_slots);
	tcase_add_test(tc, vcpus_numbered_by_cpu);
	tcase_add_test(tc, explicit_placement);
	tcase_add_test(tc, memory_largest_pages_contiguous);
	tcase_add_test(tc, boot_channel_top_page);
	tcase_add_test(tc, numa_memory_on_cpu_node);
	tcase_add_test(tc, random_requests_stay_coarse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
