// SPDX-License-Identifier: GPL-2.0
/*
 * The real backend: /dev/ultravisor's command channel. The channel's ioctls
 * (submit, snapshot, log read) are not part of the committed uapi yet
 * (uapi/linux/ultravisor.h has the version ioctl only), so this backend checks
 * that the module is there and then says what is missing; the daemon runs against
 * the in-process master (--backend sim) until then.
 */
#include <errno.h>
#include <unistd.h>

#include "commandd.h"

int cmdd_dev_open(const char *path, struct cmdd_backend **be, struct ultra_err *e)
{
	struct uv_version v;
	int fd, ret;

	*be = NULL;
	fd = ultra_open(path, e);
	if (fd < 0)
		return fd;
	ret = ultra_get_version(fd, &v, e);
	close(fd);
	if (ret)
		return ret;
	return ultra_err_set(e, EOPNOTSUPP,
			     "module %s (ABI %u.%u) has no command channel this daemon knows yet; use --backend sim",
			     v.module_version, v.abi_major, v.abi_minor);
}
