/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultra-consoled: the console server (docs/channels.md, "Console server";
 * docs/operations.md). It serves every console channel of every partition: the
 * guest's transmitq0 goes to a size-capped log file and to a PTY, what is typed
 * into the PTY goes to the guest's receiveq0.
 *
 * This header holds the pure parts, linked into the unit tests
 * (tests/unit/test_consoled*.c): the capped log with its markers (conlog.c) and
 * the transmit-drop bookkeeping (drops.c). daemon.c is the rest.
 */
#ifndef CONSOLED_H
#define CONSOLED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every line the server itself puts into a console log starts with this. */
#define CONLOG_MARK_PREFIX	"[ultra-consoled: "
#define CONLOG_DEFAULT_CAP	(4ULL << 20)
#define CONLOG_MIN_CAP		4096ULL

/**
 * struct conlog - one partition's console log, capped by rotation
 * @fd:		the current file (O_APPEND).
 * @path:	its path; the previous file is @path + ".1".
 * @size:	bytes in the current file.
 * @cap:	a file is rotated (renamed to .1, replacing the older one) before a
 *		write would take it past @cap, so the log takes at most 2 * @cap
 *		plus one marker line.
 * @line_start:	the last byte written was '\n' (or nothing was): a marker then
 *		needs no newline of its own first.
 * @rotations:	files rotated so far.
 */
struct conlog {
	int fd;
	char path[PATH_MAX];
	uint64_t size;
	uint64_t cap;
	bool line_start;
	uint64_t rotations;
};

/* Open (append to) @path; the state continues from what the file holds. 0 or -errno. */
int conlog_open(struct conlog *l, const char *path, uint64_t cap);
void conlog_close(struct conlog *l);

/* Append guest output, rotating as needed. 0 or -errno. */
int conlog_write(struct conlog *l, const void *buf, size_t len);

/*
 * Append a marker line "[ultra-consoled: TEXT]\n", preceded by a '\n' when the
 * guest's output stopped in mid-line, so a marker always stands on a line of its own.
 */
int conlog_mark(struct conlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * struct condrop - the transmit drops a server has reported in its log
 * @events:	drop episodes reported (struct uv_console_config tx_drop_events).
 * @bytes:	bytes reported (tx_dropped).
 */
struct condrop {
	uint32_t events;
	uint32_t bytes;
};

/*
 * The guest said (one read of each word) it has had @g_events drop episodes, the
 * latest starting when its available index was @g_at, @g_bytes bytes in all. The
 * server's next chain is the one at available index @next, and @pending says there
 * is one. Is a marker due now (the guest dropped bytes right before that chain, or
 * the queue is empty)? If so, *@bytes is what to report.
 */
bool condrop_due(const struct condrop *d, uint32_t g_events, uint16_t g_at, uint32_t g_bytes,
		 uint16_t next, bool pending, uint32_t *bytes);

/* Record that the guest's counters up to @g_events / @g_bytes were reported. */
void condrop_done(struct condrop *d, uint32_t g_events, uint32_t g_bytes);

int consoled_main(int argc, char **argv);

#endif
