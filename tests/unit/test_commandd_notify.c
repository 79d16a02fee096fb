// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c: systemd's readiness protocol spoken by hand. A datagram socket plays
 * systemd (bound to a path, and to an abstract name); the test reads what the
 * daemon sends and the credentials the kernel attaches, as systemd does.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "commandd/commandd.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
}

/* A socket "systemd" listens on: addr is a path or "@name". */
static int listener(const char *addr)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(addr);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	int one = 1, fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sa.sun_path, addr, n);
	if (addr[0] == '@')
		sa.sun_path[0] = 0;
	else
		len++;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	return fd;
}

/* One datagram, non-blocking; its text and the sender's pid. -1 when none waits. */
static ssize_t receive(int fd, char *buf, size_t len, pid_t *pid)
{
	_Alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);

	*pid = 0;
	if (n < 0)
		return -1;
	buf[n] = 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(c), sizeof(u));
			*pid = u.pid;
		}
	return n;
}

START_TEST(ready_to_a_path)
{
	int fd = listener(path);
	char buf[256];
	pid_t pid;

	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(cmdd_notify("READY=1\nSTATUS=serving requests"), 1);
	ck_assert_int_eq(receive(fd, buf, sizeof(buf), &pid), 31);
	ck_assert_str_eq(buf, "READY=1\nSTATUS=serving requests");
	ck_assert_int_eq(pid, getpid());
	ck_assert_int_eq(cmdd_notify("STOPPING=1"), 1);
	ck_assert_int_eq(receive(fd, buf, sizeof(buf), &pid), 10);
	ck_assert_str_eq(buf, "STOPPING=1");
	ck_assert_int_eq(receive(fd, buf, sizeof(buf), &pid), -1);	/* one datagram each */
	close(fd);
}
END_TEST

START_TEST(ready_to_an_abstract_name)
{
	char name[64], buf[64];
	struct ultra_err e = { 0 };
	int fd;
	pid_t pid;

	snprintf(name, sizeof(name), "@uv-test-notify-%d", (int)getpid());
	fd = listener(name);
	ck_assert_int_eq(cmdd_notify_to(name, "READY=1", &e), 1);
	ck_assert_int_eq(receive(fd, buf, sizeof(buf), &pid), 7);
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_int_eq(pid, getpid());
	close(fd);
}
END_TEST

START_TEST(no_socket_no_message)
{
	struct ultra_err e = { 0 };

	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(cmdd_notify("READY=1"), 0);	/* not under systemd: nothing to do */
	ck_assert_int_eq(cmdd_notify_to("", "READY=1", &e), 0);
}
END_TEST

START_TEST(bad_addresses_are_errors)
{
	struct ultra_err e = { 0 };
	char longp[200];

	ck_assert_int_eq(cmdd_notify_to("relative/sock", "READY=1", &e), -EAFNOSUPPORT);
	ck_assert(strstr(e.msg, "relative/sock"));
	ck_assert_int_eq(cmdd_notify_to("@", "READY=1", &e), -EINVAL);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	ck_assert_int_eq(cmdd_notify_to(longp, "READY=1", &e), -EINVAL);
	/* nobody listening: the sender learns it, the daemon only logs it */
	ck_assert_int_eq(cmdd_notify_to(path, "READY=1", &e), -ENOENT);
	ck_assert_int_eq(cmdd_notify_to(path, "", &e), -EINVAL);
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(cmdd_notify("READY=1"), -ENOENT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("commandd_notify");
	TCase *t = tcase_create("notify");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, ready_to_a_path);
	tcase_add_test(t, ready_to_an_abstract_name);
	tcase_add_test(t, no_socket_no_message);
	tcase_add_test(t, bad_addresses_are_errors);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	cmdd_log_set_level(CMDD_LOG_ERR);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
