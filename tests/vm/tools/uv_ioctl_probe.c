// SPDX-License-Identifier: GPL-2.0
/*
 * uv_ioctl_probe: run inside the emulated host with ultravisor.ko loaded.
 * Checks the answers of /dev/ultravisor's version ioctl, good and bad:
 * one "ok"/"FAIL" line per check, exit status 1 if any check failed, 2 if the
 * device can't be opened. The device path is argv[1], else $ULTRAVISOR_DEV,
 * else /dev/ultravisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/version.h"
#include "ultra.h"

static int failures;

static void report(bool ok, const char *what, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail[0] ? ": " : "", detail);
	if (!ok)
		failures++;
}

/* The ioctl must fail with @want; says what it got otherwise. */
static void expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	char detail[128];
	int ret, err;

	errno = 0;
	ret = ioctl(fd, cmd, arg);
	err = errno;
	if (ret == 0)
		snprintf(detail, sizeof(detail), "succeeded, want %s", ultra_errno_name(want));
	else if (err != want)
		snprintf(detail, sizeof(detail), "got %s, want %s", ultra_errno_name(err),
			 ultra_errno_name(want));
	else
		snprintf(detail, sizeof(detail), "%s", ultra_errno_name(err));
	report(ret < 0 && err == want, what, detail);
}

static struct uv_version fresh(void)
{
	struct uv_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return v;
}

static void check_good(int fd)
{
	struct uv_version v = fresh();
	char detail[160];
	bool ok;

	if (ioctl(fd, UV_IOC_VERSION, &v) < 0) {
		snprintf(detail, sizeof(detail), "%s (%s)", ultra_errno_name(errno), strerror(errno));
		report(false, "version ioctl", detail);
		return;
	}
	v.module_version[sizeof(v.module_version) - 1] = '\0';
	ok = v.size == UV_VERSION_SIZE_VER0 && v.abi_major == UV_ABI_MAJOR &&
	     v.abi_minor == UV_ABI_MINOR && !strcmp(v.module_version, UV_RELEASE) &&
	     v.flags == 0 && (v.virt == UV_VIRT_SVM || v.virt == UV_VIRT_VMX) &&
	     v.nr_cpus >= 1 && !v.reserved[0] && !v.reserved[1] && !v.reserved[2] &&
	     !v.reserved[3];
	snprintf(detail, sizeof(detail), "size %u, ABI %u.%u, module %s, %s, %u CPUs, flags %#x",
		 v.size, v.abi_major, v.abi_minor, v.module_version,
		 ultra_virt_name(v.virt), v.nr_cpus, v.flags);
	report(ok, "version ioctl answers", detail);
}

/* A caller with a bigger struct (a newer ABI) and a zero tail is accepted. */
static void check_bigger_struct(int fd)
{
	struct {
		struct uv_version v;
		uint64_t future[4];
	} big;
	char detail[96];
	int ret;

	memset(&big, 0, sizeof(big));
	big.future[3] = 0x5a5a;	/* beyond what we claim: must be left alone */
	big.v.size = sizeof(big.v) + 3 * sizeof(uint64_t);
	ret = ioctl(fd, UV_IOC_VERSION, &big);
	snprintf(detail, sizeof(detail), "returned %d (%s), size out %u",
		 ret, ret ? ultra_errno_name(errno) : "-", big.v.size);
	report(ret == 0 && big.v.size == UV_VERSION_SIZE_VER0 && big.future[3] == 0x5a5a,
	       "bigger zeroed struct accepted, answer sized to the module", detail);

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.future[1] = 1;
	expect_errno(fd, UV_IOC_VERSION, &big, EINVAL,
		     "bigger struct with a nonzero unknown field -> EINVAL");
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ultra_dev_path();
	struct ultra_err e = { 0 };
	struct uv_version v;
	void *unmapped;
	int fd;

	fd = ultra_open(path, &e);
	if (fd < 0) {
		ultra_err_print(stderr, "uv_ioctl_probe", &e);
		return 2;
	}

	check_good(fd);
	check_bigger_struct(fd);

	v = fresh();
	v.size = UV_VERSION_SIZE_VER0 - 8;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "size below VER0 -> EINVAL");
	v = fresh();
	v.size = 0;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "size 0 -> EINVAL");
	v = fresh();
	v.size = UV_STRUCT_SIZE_MAX + 8;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "size above UV_STRUCT_SIZE_MAX -> EINVAL");

	v = fresh();
	v.reserved[0] = 1;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "nonzero reserved[0] -> EINVAL");
	v = fresh();
	v.reserved[3] = 1ULL << 63;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "nonzero reserved[3] -> EINVAL");
	v = fresh();
	v.flags = 1;
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "nonzero flags on input -> EINVAL");
	v = fresh();
	v.module_version[0] = 'x';
	expect_errno(fd, UV_IOC_VERSION, &v, EINVAL, "nonzero output field on input -> EINVAL");

	expect_errno(fd, UV_IOC_VERSION, NULL, EFAULT, "NULL pointer -> EFAULT");
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (unmapped == MAP_FAILED) {
		report(false, "mmap for the unmapped-page check", strerror(errno));
	} else {
		expect_errno(fd, UV_IOC_VERSION, unmapped, EFAULT,
			     "PROT_NONE page -> EFAULT");
		munmap(unmapped, 4096);
		expect_errno(fd, UV_IOC_VERSION, unmapped, EFAULT,
			     "unmapped page -> EFAULT");
	}
	expect_errno(fd, UV_IOC_VERSION, (void *)0xffffffff81000000UL, EFAULT,
		     "kernel address -> EFAULT");

	expect_errno(fd, _IOWR(UV_IOCTL_MAGIC, 0x3f, struct uv_version), &v, ENOTTY,
		     "unknown ultravisor ioctl number -> ENOTTY");
	expect_errno(fd, _IOC(_IOC_READ | _IOC_WRITE, UV_IOCTL_MAGIC, 0x00, 64), &v, ENOTTY,
		     "version ioctl number with another size -> ENOTTY");
	expect_errno(fd, _IO('T', 0x01), NULL, ENOTTY, "foreign ioctl -> ENOTTY");

	close(fd);
	printf("%s: %d check%s failed\n", failures ? "FAIL" : "ok", failures,
	       failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
