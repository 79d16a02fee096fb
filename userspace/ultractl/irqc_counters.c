// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt-controller counters of uv_part_status (ABI 1.8): IPIs between
 * a partition's vCPUs and its I/O APIC (docs/guest-platform.md sections 11
 * and 12). One table, so `partition status` and `stats`, text and --json, name
 * them alike; a module before 1.8 leaves them 0.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ultra_json.h"
#include "ultractl.h"

struct irqc_counter {
	const char *group;	/* "ipi" or "ioapic" */
	const char *name;	/* the key in text after the group, and in JSON after "group_" */
	size_t off;		/* of its __u64 in struct uv_part_status */
};

#define C(g, f) { #g, #f, offsetof(struct uv_part_status, g##_##f) }
static const struct irqc_counter counters[] = {
	C(ipi, fixed), C(ipi, init), C(ipi, startup), C(ipi, ignored),
	C(ioapic, reads), C(ioapic, writes), C(ioapic, raised), C(ioapic, delivered),
	C(ioapic, dropped), C(ioapic, refused),
};
#undef C

#define NR_COUNTERS	(sizeof(counters) / sizeof(counters[0]))

static uint64_t value(const struct uv_part_status *s, const struct irqc_counter *c)
{
	return *(const __u64 *)((const char *)s + c->off);
}

void ultractl_irqc_json(struct json_object *o, const struct uv_part_status *s)
{
	char key[32];
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++) {
		snprintf(key, sizeof(key), "%s_%s", counters[i].group, counters[i].name);
		ultra_json_add(o, key, json_object_new_int64((int64_t)value(s, &counters[i])));
	}
}

void ultractl_irqc_keys(const struct uv_part_status *s)
{
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++)
		printf(" %s_%s=%" PRIu64, counters[i].group, counters[i].name,
		       value(s, &counters[i]));
}

void ultractl_irqc_lines(const struct uv_part_status *s)
{
	const char *group = NULL;
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++) {
		if (!group || strcmp(counters[i].group, group) != 0) {
			group = counters[i].group;
			printf("%s%s:", i ? "\n" : "", group);
		}
		printf(" %s=%" PRIu64, counters[i].name, value(s, &counters[i]));
	}
	printf("\n");
}
