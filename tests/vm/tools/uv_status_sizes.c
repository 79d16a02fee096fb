// SPDX-License-Identifier: GPL-2.0
/*
 * uv_status_sizes PARTITION: UV_IOC_PART_STATUS of a loaded partition asked
 * with each struct size a binary may have been built with (docs/uapi.md,
 * STATUS ABI 1.8). A 1.7 binary (UV_PART_STATUS_SIZE_VER0) gets its 184 bytes
 * and not one more; a 1.8 one (VER1) gets the counters; a future, larger one
 * with a zero tail gets the module's size back; a nonzero tail or output field
 * on input is EINVAL. One "ok"/"FAIL" line per check, then "ipi_startup=N
 * ioapic_writes=N" as the new size read them; exit 1 if a check failed, 2 on
 * usage or open errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ultra.h"

#define SENTINEL	0x5a

static int failures;

static void report(bool ok, const char *what, const char *detail)
{
	printf("%s: %s: %s\n", ok ? "ok" : "FAIL", what, detail);
	if (!ok)
		failures++;
}

/* A status asked with @size bytes; the rest of @buf holds SENTINEL. */
static int ask(int fd, uint32_t partition, uint32_t size, unsigned char *buf, size_t len)
{
	struct uv_part_status *s = (struct uv_part_status *)buf;

	memset(buf, SENTINEL, len);
	memset(buf, 0, size);
	s->size = size;
	s->partition = partition;
	return ioctl(fd, UV_IOC_PART_STATUS, buf) ? errno : 0;
}

static bool all_byte(const unsigned char *p, size_t n, unsigned char v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	union {
		struct uv_part_status s;
		unsigned char b[UV_PART_STATUS_SIZE_VER1 + 64];
	} old, cur, big;
	struct ultra_err e = { 0 };
	uint32_t partition;
	char detail[160];
	char *end;
	int fd, err;

	if (argc != 2) {
		fprintf(stderr, "usage: uv_status_sizes PARTITION-NUMBER\n");
		return 2;
	}
	partition = (uint32_t)strtoul(argv[1], &end, 0);
	if (*end) {
		fprintf(stderr, "uv_status_sizes: not a number: %s\n", argv[1]);
		return 2;
	}
	fd = ultra_open(NULL, &e);
	if (fd < 0) {
		fprintf(stderr, "uv_status_sizes: %s\n", e.msg);
		return 2;
	}

	err = ask(fd, partition, UV_PART_STATUS_SIZE_VER0, old.b, sizeof(old.b));
	snprintf(detail, sizeof(detail), "%s, size out %u, state %u, %u vCPUs",
		 err ? strerror(err) : "0", old.s.size, old.s.state, old.s.nr_vcpus);
	report(!err && old.s.size == UV_PART_STATUS_SIZE_VER1 && old.s.state != UV_PSTATE_NONE,
	       "a 1.7 caller (184 bytes) is answered, with the module's size", detail);
	report(all_byte(old.b + UV_PART_STATUS_SIZE_VER0,
			sizeof(old.b) - UV_PART_STATUS_SIZE_VER0, SENTINEL),
	       "nothing written past its 184 bytes", "the rest still the sentinel");

	err = ask(fd, partition, UV_PART_STATUS_SIZE_VER1, cur.b, sizeof(cur.b));
	snprintf(detail, sizeof(detail), "%s, size out %u", err ? strerror(err) : "0", cur.s.size);
	report(!err && cur.s.size == UV_PART_STATUS_SIZE_VER1 &&
	       !memcmp(cur.b + 4, old.b + 4, UV_PART_STATUS_SIZE_VER0 - 4) &&
	       all_byte(cur.b + UV_PART_STATUS_SIZE_VER1,
			sizeof(cur.b) - UV_PART_STATUS_SIZE_VER1, SENTINEL),
	       "a 1.8 caller gets the same first 184 bytes and the counters, no more", detail);

	err = ask(fd, partition, UV_PART_STATUS_SIZE_VER1 + 64, big.b, sizeof(big.b));
	snprintf(detail, sizeof(detail), "%s, size out %u", err ? strerror(err) : "0", big.s.size);
	report(!err && big.s.size == UV_PART_STATUS_SIZE_VER1 &&
	       big.s.ipi_startup == cur.s.ipi_startup &&
	       all_byte(big.b + UV_PART_STATUS_SIZE_VER1, 64, 0),
	       "a larger caller with a zero tail gets the module's size, its tail left 0", detail);

	memset(big.b, 0, sizeof(big.b));
	big.s.size = sizeof(big.b);
	big.s.partition = partition;
	big.b[sizeof(big.b) - 1] = 1;
	err = ioctl(fd, UV_IOC_PART_STATUS, big.b) ? errno : 0;
	report(err == EINVAL, "a nonzero byte in the unknown tail is EINVAL", strerror(err));

	memset(big.b, 0, sizeof(big.b));
	big.s.size = UV_PART_STATUS_SIZE_VER1;
	big.s.partition = partition;
	big.s.ipi_fixed = 1;
	err = ioctl(fd, UV_IOC_PART_STATUS, big.b) ? errno : 0;
	report(err == EINVAL, "a nonzero counter on input is EINVAL", strerror(err));

	printf("ipi_startup=%llu ioapic_writes=%llu\n", (unsigned long long)cur.s.ipi_startup,
	       (unsigned long long)cur.s.ioapic_writes);
	close(fd);
	return failures ? 1 : 0;
}
