// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_watch CPU SECONDS: a host watchpoint (perf hardware breakpoint on
 * writes to a variable, CPU-wide on CPU, so it stays armed in DR0-3/DR7
 * whatever task runs there). Pinned to CPU, it writes the variable 100 times
 * and prints "before N" (breakpoint hits), sleeps SECONDS (a guest may run on
 * CPU meanwhile), writes 100 times again and prints "after N". With the
 * host's DR7 intact both are 100.
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile uint64_t watched;

static uint64_t hits(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n)) {
		perror("read");
		exit(1);
	}
	return n;
}

static void touch(void)
{
	unsigned int i;

	for (i = 0; i < 100; i++)
		watched = i;
}

int main(int argc, char **argv)
{
	struct perf_event_attr attr;
	cpu_set_t set;
	uint64_t base;
	int cpu, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: hwbp_watch CPU SECONDS\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = (uintptr_t)&watched;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.exclude_kernel = 1;
	fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, 0);
	if (fd < 0) {
		perror("perf_event_open");
		return 1;
	}
	base = hits(fd);
	touch();
	printf("before %llu\n", (unsigned long long)(hits(fd) - base));
	fflush(stdout);
	sleep((unsigned int)atoi(argv[2]));
	base = hits(fd);
	touch();
	printf("after %llu\n", (unsigned long long)(hits(fd) - base));
	close(fd);
	return 0;
}
