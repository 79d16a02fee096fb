// SPDX-License-Identifier: GPL-2.0
/*
 * ultractl console --attach: standard input and output connected to the PTY
 * ultra-consoled serves a partition's console on. On a terminal the line is raw
 * (every key goes to the guest) and Ctrl-] detaches; from a pipe the input is
 * sent and the guest's answer read until it goes quiet. Either way the attach
 * ends when the guest stops (poweroff in it, a fault, a destroy): the daemon
 * keeps the PTY of a stopped partition open, so the PTY alone never says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ultra.h"
#include "ultra_part.h"
#include "cmd_console.h"

#define DETACH_CHAR	0x1d	/* Ctrl-] */
#define WATCH_MS	250	/* how often the partition's state is read */
#define STOP_DRAIN_MS	300	/* output still on its way once the guest stopped */

static const char cpr_query[] = "\x1b[6n";

static struct termios saved_tty;
static bool tty_raw;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

size_t cpr_filter(struct cpr_filter *f, const char *in, size_t len, char *out)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++) {
		if (in[i] == cpr_query[f->held]) {
			if (++f->held == sizeof(cpr_query) - 1)
				f->held = 0;	/* a whole query: dropped */
			continue;
		}
		/* not the query after all: give back what was held */
		memcpy(out + n, cpr_query, f->held);
		n += f->held;
		f->held = 0;
		if (in[i] == cpr_query[0])
			f->held = 1;
		else
			out[n++] = in[i];
	}
	return n;
}

/* Copy all of @len bytes to @fd; false on an error. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * The partition's state, read from the module. @armed once it was seen in a
 * state other than stopped: attaching to an already stopped partition waits
 * for a restart rather than ending at once.
 */
struct watch {
	int fd;
	uint32_t number;
	bool armed;
	struct uv_part_status st;
};

static void watch_open(struct ultractl_ctx *ctx, const char *name, struct watch *w)
{
	struct ultra_err e = { 0 };

	w->armed = false;
	w->fd = ultra_open(ctx->dev_path, &e);
	if (w->fd >= 0 && ultra_part_lookup(w->fd, name, &w->number, &e)) {
		close(w->fd);
		w->fd = -1;
	}
	ultra_err_clear(&e);	/* no module to ask: the attach ends as before */
}

static bool is_stopped(uint32_t state)
{
	return state == UV_PSTATE_NONE || state == UV_PSTATE_STOPPED ||
	       state == UV_PSTATE_FAULTED;
}

/* True when the guest has stopped since it was last seen running. */
static bool watch_stopped(struct watch *w)
{
	struct ultra_err e = { 0 };
	int ret;

	memset(&w->st, 0, sizeof(w->st));
	ret = ultra_part_status(w->fd, w->number, &w->st, &e);
	ultra_err_clear(&e);
	if (ret)
		w->st.state = UV_PSTATE_NONE;	/* destroyed */
	if (!is_stopped(w->st.state)) {
		w->armed = true;
		return false;
	}
	return w->armed;
}

static void say_stopped(struct ultractl_ctx *ctx, const char *name, const struct watch *w)
{
	if (w->st.state == UV_PSTATE_FAULTED)
		fprintf(stderr, "%s: %s faulted (%s): console closed\n", ctx->prog, name,
			ultra_pfault_name(w->st.fault_reason));
	else if (w->st.state == UV_PSTATE_STOPPED && w->st.exited)
		fprintf(stderr, "%s: %s's guest stopped itself (%s, code %u): console closed\n",
			ctx->prog, name, ultra_exited_name(w->st.exit_how), w->st.exit_code);
	else
		fprintf(stderr, "%s: %s %s: console closed\n", ctx->prog, name,
			w->st.state == UV_PSTATE_STOPPED ? "was stopped" : "is gone");
}

int console_attach(struct ultractl_ctx *ctx, const char *name, const char *path,
		   int drain_ms)
{
	bool term = isatty(STDIN_FILENO), in_open = true, stopping = false;
	struct cpr_filter cpr = { 0 };
	int64_t quiet_since, next_check;
	struct pollfd pfd[2];
	char buf[4096], out[sizeof(buf) + sizeof(cpr_query)];
	struct watch w;
	int pty, ret = ULTRACTL_EXIT_OK;

	pty = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (pty < 0) {
		fprintf(stderr, "%s console: cannot open %s for %s: %s\n", ctx->prog, path, name,
			strerror(errno));
		return ULTRACTL_EXIT_FAIL;
	}
	watch_open(ctx, name, &w);
	if (term && !tcgetattr(STDIN_FILENO, &saved_tty)) {
		struct termios raw = saved_tty;

		cfmakeraw(&raw);
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
			tty_raw = true;
			atexit(restore_tty);
		}
		fprintf(stderr, "%s: attached to %s's console (%s); Ctrl-] detaches\r\n",
			ctx->prog, name, path);
	}
	pfd[0].fd = pty;
	pfd[0].events = POLLIN;
	pfd[1].fd = STDIN_FILENO;
	pfd[1].events = POLLIN;
	quiet_since = now_ms();
	next_check = quiet_since;
	for (;;) {
		int64_t now = now_ms(), left;
		int n, tmo = -1;

		/* without more input (or a guest), end once the output has settled */
		if (stopping || !in_open) {
			left = quiet_since + (stopping ? STOP_DRAIN_MS : drain_ms) - now;
			if (left <= 0)
				break;
			tmo = (int)left;
		}
		if (w.fd >= 0 && !stopping) {
			if (now >= next_check) {
				if (watch_stopped(&w)) {
					stopping = true;
					quiet_since = now;
					continue;
				}
				next_check = now + WATCH_MS;
			}
			left = next_check - now;
			if (tmo < 0 || left < tmo)
				tmo = (int)left;
		}
		n = poll(pfd, in_open && !stopping ? 2 : 1, tmo);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = ULTRACTL_EXIT_FAIL;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t got = read(pty, buf, sizeof(buf));
			const char *p = buf;
			size_t len;

			if (got <= 0)
				break;	/* the daemon closed the PTY */
			/*
			 * Nobody at a terminal to answer the guest's cursor query: passed
			 * on, the terminal showing our output would answer it into some
			 * other program's input. The shell does not wait for the answer.
			 */
			len = (size_t)got;
			if (!term) {
				len = cpr_filter(&cpr, buf, len, out);
				p = out;
			}
			if (!write_all(STDOUT_FILENO, p, len)) {
				ret = ULTRACTL_EXIT_FAIL;
				break;
			}
			quiet_since = now_ms();
		}
		if (in_open && !stopping && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
			char *stop = got > 0 && term ? memchr(buf, DETACH_CHAR, (size_t)got) : NULL;

			if (stop)
				got = stop - buf;
			if (got > 0 && !write_all(pty, buf, (size_t)got)) {
				ret = ULTRACTL_EXIT_FAIL;
				break;
			}
			if (stop)
				break;
			if (got <= 0) {
				in_open = false;
				quiet_since = now_ms();
			}
		}
	}
	restore_tty();
	close(pty);
	if (cpr.held && ret == ULTRACTL_EXIT_OK && !write_all(STDOUT_FILENO, cpr_query, cpr.held))
		ret = ULTRACTL_EXIT_FAIL;	/* the start of a query that never ended */
	if (stopping) {
		if (term)
			fputc('\n', stderr);
		say_stopped(ctx, name, &w);
	} else if (term) {
		fprintf(stderr, "\n%s: detached from %s's console\n", ctx->prog, name);
	}
	if (w.fd >= 0)
		close(w.fd);
	return ret;
}
