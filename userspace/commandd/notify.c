// SPDX-License-Identifier: GPL-2.0
/*
 * Readiness for systemd (Type=notify) without libsystemd.
 *
 * Debian ships no static libsystemd.a, and the daemons are static binaries (they
 * also run in the emulated host's busybox initramfs, which has no shared
 * libraries). The protocol sd_notify(3) speaks is documented and stable: one
 * datagram of newline-separated VAR=VALUE assignments ("READY=1",
 * "STATUS=...") sent to the AF_UNIX socket named by $NOTIFY_SOCKET. The name is
 * an absolute path, or starts with '@' for an abstract socket (the '@' stands
 * for the leading NUL byte). systemd reads the sender's credentials from the
 * kernel (SO_PASSCRED), so nothing else needs to be sent.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "commandd.h"

int cmdd_notify_to(const char *addr, const char *state, struct ultra_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t alen, slen;
	socklen_t salen;
	ssize_t n;
	int fd, err;

	if (!addr || !*addr)
		return 0;	/* not started by systemd (or not as Type=notify) */
	if (!state || !*state)
		return ultra_err_set(e, EINVAL, "empty notification");
	alen = strlen(addr);
	slen = strlen(state);
	if (addr[0] != '/' && addr[0] != '@')
		return ultra_err_set(e, EAFNOSUPPORT,
				     "NOTIFY_SOCKET '%s': only an absolute path or @abstract name is supported",
				     addr);
	if (alen < 2 || alen > sizeof(sa.sun_path) - (addr[0] == '/'))
		return ultra_err_set(e, EINVAL, "NOTIFY_SOCKET '%s': bad length", addr);
	memcpy(sa.sun_path, addr, alen);
	if (addr[0] == '@')
		sa.sun_path[0] = 0;
	/* abstract names are exactly alen bytes long; paths are NUL-terminated */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen +
			    (addr[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ultra_err_set(e, errno, "notify socket: %s", strerror(errno));
	do {
		n = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? errno : (size_t)n != slen ? EMSGSIZE : 0;
	close(fd);
	if (err)
		return ultra_err_set(e, err, "notify %s: %s", addr, strerror(err));
	return 1;
}

int cmdd_notify(const char *state)
{
	struct ultra_err e = { 0 };
	int ret = cmdd_notify_to(getenv("NOTIFY_SOCKET"), state, &e);

	if (ret < 0)
		cmdd_log(CMDD_LOG_WARNING, "cannot tell systemd '%s': %s", state, e.msg);
	return ret;
}
