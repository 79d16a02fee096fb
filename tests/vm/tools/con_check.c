// SPDX-License-Identifier: GPL-2.0
/*
 * con_check LOG BYTES: checks that ultra-consoled's log LOG (after LOG.1 if it
 * exists) holds conwrite's pattern (tests/guests/conwrite.c) of BYTES bytes byte
 * for byte. Lines the server wrote ("[ultra-consoled: ...]\n", after an extra
 * '\n' when the guest's line was unfinished) are skipped; a drop marker
 * ("... N bytes dropped ...") skips N bytes of the pattern. A chain the server
 * logged twice (killed between logging and returning it: delivery is
 * at-least-once) is counted as replayed. Prints the totals; exit 0 if the log is
 * exactly the pattern with the marked gaps, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK "[ultra-consoled: "

static unsigned char pattern(unsigned long long i)
{
	unsigned int line = (unsigned int)(i >> 6), col = (unsigned int)(i & 63);

	if (col == 63)
		return '\n';
	if (col < 8)
		return (unsigned char)"0123456789abcdef"[(line >> (28 - 4 * col)) & 15];
	return (unsigned char)('a' + (line + col) % 26);
}

static char *slurp(const char *path, size_t *len, char *buf, size_t have)
{
	FILE *f = fopen(path, "rb");

	*len = have;
	if (!f)
		return buf;
	for (;;) {
		size_t n;

		buf = realloc(buf, *len + 65536 + 1);
		if (!buf)
			exit(2);
		n = fread(buf + *len, 1, 65536, f);
		*len += n;
		if (!n)
			break;
	}
	fclose(f);
	return buf;
}

static int matches(const char *log, size_t len, size_t p, unsigned long long o, size_t n)
{
	size_t i;

	for (i = 0; i < n && p + i < len; i++)
		if ((unsigned char)log[p + i] != pattern(o + i))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long total, o = 0, dropped = 0, replayed = 0;
	unsigned int markers = 0, drops = 0, sum = 2166136261u;
	char old[4096];
	size_t len = 0, p = 0;
	char *log = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: con_check LOG BYTES\n");
		return 2;
	}
	total = strtoull(argv[2], NULL, 0);
	snprintf(old, sizeof(old), "%s.1", argv[1]);
	log = slurp(old, &len, log, 0);
	log = slurp(argv[1], &len, log, len);
	if (!log) {
		fprintf(stderr, "con_check: %s: empty\n", argv[1]);
		return 1;
	}
	log[len] = 0;
	while (p < len) {
		const char *m = NULL;

		if (!strncmp(log + p, MARK, strlen(MARK)))
			m = log + p;
		else if (log[p] == '\n' && pattern(o) != '\n' && !strncmp(log + p + 1, MARK, strlen(MARK)))
			m = log + p + 1;
		if (m) {
			const char *end = strstr(m, "]\n");
			const char *d = strstr(m, " bytes dropped");

			if (!end) {
				fprintf(stderr, "con_check: unterminated marker at %zu\n", p);
				return 1;
			}
			if (d && d < end) {
				unsigned long long n;

				while (d > m && d[-1] >= '0' && d[-1] <= '9')
					d--;
				n = strtoull(d, NULL, 10);
				dropped += n;
				o += n;
				drops++;
			}
			markers++;
			printf("marker at log byte %zu, pattern byte %llu: %.*s\n", p, o,
			       (int)(end - m + 1), m);
			p = (size_t)(end - log) + 2;
			continue;
		}
		if (o < total && (unsigned char)log[p] == pattern(o)) {
			sum = (sum ^ (unsigned char)log[p]) * 16777619u;
			p++;
			o++;
			continue;
		}
		/* a replayed chain: the bytes just before o again */
		{
			unsigned long long back;
			size_t n = len - p < 64 ? len - p : 64;

			for (back = 1; back <= 65536 && back <= o; back++)
				if (matches(log, len, p, o - back, n))
					break;
			if (back > 65536 || back > o) {
				fprintf(stderr, "con_check: mismatch at log byte %zu (pattern byte %llu): got 0x%02x, want 0x%02x\n",
					p, o, (unsigned char)log[p], o < total ? pattern(o) : 0);
				return 1;
			}
			replayed += back;
			o -= back;
		}
	}
	printf("con_check: bytes=%llu logged=%llu dropped=%llu drop_markers=%u markers=%u replayed=%llu sum=0x%016x\n",
	       total, o - dropped, dropped, drops, markers, replayed, sum);
	if (o != total) {
		fprintf(stderr, "con_check: the log ends at pattern byte %llu of %llu\n", o, total);
		return 1;
	}
	free(log);
	return 0;
}
