// SPDX-License-Identifier: GPL-2.0
/*
 * libultra: UV_IOC_CPU_STATS and UV_IOC_PART_SCHED (ultra_sched.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ultra_sched.h"

int ultra_cpu_stats(int fd, uint32_t cpu, uint32_t flags, struct uv_cpu_stats *out,
		    struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->cpu = cpu;
	out->flags = flags;
	if (ioctl(fd, UV_IOC_CPU_STATS, out) < 0) {
		int err = errno;

		return ultra_err_set(e, err, "schedule of CPU %u: %s", cpu,
				     err == EINVAL ? "no such CPU" :
				     err == ENOTTY ? "the module predates ABI 1.3" : strerror(err));
	}
	return 0;
}

int ultra_part_sched(int fd, uint32_t partition, struct uv_part_sched *out,
		     struct ultra_err *e)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->partition = partition;
	if (ioctl(fd, UV_IOC_PART_SCHED, out) < 0) {
		int err = errno;

		return ultra_err_set(e, err, "accounting of partition %#x: %s", partition,
				     err == ENOENT ? "not loaded" :
				     err == ENOTTY ? "the module predates ABI 1.3" : strerror(err));
	}
	return 0;
}
