// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over both forms of a transaction. The first byte picks the form:
 * even - text form (parsed line by line, every transaction applied); odd - binary
 * form (decoded like the ioctl will, then applied). The database is the figure 8
 * boot image; after each input the invariant must hold and a failed transaction
 * must have left the image as it was. Anything else aborts the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resdb/text.h"
#include "resdb_store.h"

static void must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_resdb_txn: %s\n", what);
		abort();
	}
}

static void boot(struct resdb_sim *sim)
{
	struct resdb_format f = { .host_pages = 16ull << 20, .order = 3, .region = 1 };

	must(!resdb_sim_init(sim, 1 << 18), "init");
	must(!resdb_format(&sim->db, &f), "format");
}

static void apply(struct resdb_sim *sim, const struct uv_txn_step *s, uint32_t nr)
{
	struct resdb_check_report rep;
	uint64_t before = resdb_image_hash(&sim->db);
	int ret = resdb_apply(&sim->db, s, nr);

	must(!sim->db.in_txn && !sim->db.cut, "transaction left open");
	if (ret)
		must(resdb_image_hash(&sim->db) == before, "failed transaction changed image");
	must(!resdb_sim_check(sim, &rep), rep.msg);
}

static void text(struct resdb_sim *sim, const char *buf, size_t len)
{
	static struct uv_txn_step steps[64];
	struct resdb_text t;
	struct resdb_text_item it;
	uint32_t nr = 0;

	resdb_text_init(&t, buf, len);
	while (!resdb_text_next(&t, &it) && it.kind != RESDB_TEXT_END) {
		if (it.kind == RESDB_TEXT_STEP && nr < 64) {
			char line[512];

			/* the printer must cope with anything the parser accepts */
			must(resdb_text_print_step(&it.step, line, sizeof(line)) > 0, "print");
			steps[nr++] = it.step;
		} else if (it.kind == RESDB_TEXT_COMMIT && nr) {
			apply(sim, steps, nr);
			nr = 0;
		} else if (it.kind == RESDB_TEXT_BEGIN) {
			nr = 0;
		}
	}
	if (nr)
		apply(sim, steps, nr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resdb_sim sim;
	const struct uv_txn_step *s;
	uint32_t nr;
	uint64_t *copy;

	if (!size)
		return 0;
	boot(&sim);
	/* aligned private copy, as the module copies from userspace */
	copy = calloc(1, size + 8);
	must(copy != NULL, "oom");
	memcpy(copy, data + 1, size - 1);
	if (!(data[0] & 1))
		text(&sim, (const char *)copy, size - 1);
	else if (!resdb_txn_decode(copy, size - 1, &s, &nr))
		apply(&sim, s, nr);
	free(copy);
	resdb_sim_fini(&sim);
	return 0;
}
