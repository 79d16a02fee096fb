// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ultravisor: open it and wrap its ioctls, turning each failure into an
 * errno plus a sentence that says what to do about it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ultra.h"

const char *ultra_dev_path(void)
{
	const char *p = getenv(ULTRA_DEV_ENV);

	return p && *p ? p : UV_DEVICE_PATH;
}

static int ultra_open_flags(const char *path, int flags, struct ultra_err *e)
{
	int fd, err;

	if (!path)
		path = ultra_dev_path();
	fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		return fd;

	err = errno;
	switch (err) {
	case EBUSY:
		return ultra_err_set(e, err,
				     "the command channel %s is held by another process (the kernel log names it; the ultravisor allows one holder)",
				     path);
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return ultra_err_set(e, err, "ultravisor module not loaded (%s: %s)",
				     path, strerror(err));
	case EACCES:
	case EPERM:
		return ultra_err_set(e, err, "cannot open %s: %s (it is root's only, mode 0600)",
				     path, strerror(err));
	default:
		return ultra_err_set(e, err, "cannot open %s: %s", path, strerror(err));
	}
}

int ultra_open(const char *path, struct ultra_err *e)
{
	return ultra_open_flags(path, O_RDONLY, e);
}

int ultra_open_cmd(const char *path, struct ultra_err *e)
{
	return ultra_open_flags(path, O_RDWR, e);
}

int ultra_get_version(int fd, struct uv_version *v, struct ultra_err *e)
{
	if (!v)
		return ultra_err_set(e, EINVAL, "ultra_get_version: no result buffer");
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(fd, UV_IOC_VERSION, v) < 0) {
		int err = errno;

		if (err == ENOTTY)
			return ultra_err_set(e, err,
					     "not an ultravisor device (version ioctl: %s)",
					     strerror(err));
		return ultra_err_set(e, err, "version ioctl failed: %s", strerror(err));
	}
	if (v->size < UV_VERSION_SIZE_VER0)
		return ultra_err_set(e, EPROTO,
				     "module answered the version ioctl with size %u (< %d)",
				     v->size, UV_VERSION_SIZE_VER0);
	v->module_version[sizeof(v->module_version) - 1] = '\0';
	if (v->abi_major != UV_ABI_MAJOR)
		return ultra_err_set(e, EPROTO,
				     "module %s speaks ABI %u.%u, these tools ABI %u.%u: install matching versions",
				     v->module_version, v->abi_major, v->abi_minor,
				     UV_ABI_MAJOR, UV_ABI_MINOR);
	return 0;
}
