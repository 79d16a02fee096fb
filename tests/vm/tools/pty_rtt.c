// SPDX-License-Identifier: GPL-2.0
/*
 * pty_rtt PTY N: round trips through a guest's shell on its console PTY (the one
 * ultra-consoled made). N times: write "echo rttK", wait for the line "rttK"
 * (the command's output, not its echo), and time it with CLOCK_MONOTONIC.
 * Prints "rtt n=N min_us=.. median_us=.. max_us=.." (scripts/bench-chanirq).
 * Exit 1 if an answer does not come within 10 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 1000

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Read from @fd until a line equal to @want arrives; 0, or -1 after 10 s. */
static int wait_line(int fd, const char *want)
{
	static char line[512];
	static size_t len;
	long long deadline = now_us() + 10000000;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	while (now_us() < deadline) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(fd, &c, 1) != 1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = 0;
		len = 0;
		if (!strcmp(line, want))
			return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static long long rtt[MAX_ROUNDS];
	struct termios t;
	char cmd[64], want[32];
	int fd, n, i;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > MAX_ROUNDS) {
		fprintf(stderr, "usage: pty_rtt PTY N (1..%d)\n", MAX_ROUNDS);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	/* raw: no echo or line editing on our side of the PTY */
	if (!tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	for (i = 0; i < n; i++) {
		long long t0;
		int len;

		snprintf(want, sizeof(want), "rtt%d", i);
		len = snprintf(cmd, sizeof(cmd), "echo %s\n", want);
		t0 = now_us();
		if (write(fd, cmd, (size_t)len) != len || wait_line(fd, want)) {
			fprintf(stderr, "pty_rtt: no answer to round %d\n", i);
			return 1;
		}
		rtt[i] = now_us() - t0;
	}
	qsort(rtt, (size_t)n, sizeof(rtt[0]), cmp_ll);
	printf("rtt n=%d min_us=%lld median_us=%lld max_us=%lld\n", n, rtt[0], rtt[n / 2],
	       rtt[n - 1]);
	return 0;
}
