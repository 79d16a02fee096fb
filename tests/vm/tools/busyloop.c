// SPDX-License-Identifier: GPL-2.0
/*
 * busyloop MS: spin for MS milliseconds of CLOCK_MONOTONIC and print how many
 * rounds of a fixed amount of work were done - a host task's progress, for
 * the schedule tests (pin it with taskset to the CPU under test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long end, rounds = 0;
	volatile unsigned int x = 0;
	unsigned int i;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: busyloop MS\n");
		return 2;
	}
	end = now_ns() + (unsigned long long)atoi(argv[1]) * 1000000ull;
	while (now_ns() < end) {
		for (i = 0; i < 1000; i++)
			x++;
		rounds++;
	}
	printf("%llu\n", rounds);
	return 0;
}
