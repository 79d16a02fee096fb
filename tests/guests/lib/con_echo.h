/* SPDX-License-Identifier: GPL-2.0 */
/*
 * con_echo: the line echo of the console test guests (conecho, conirq). Bytes
 * read from the console channel are cut into lines ('\r' dropped, a line longer
 * than the buffer cut short); each line goes back as "echo: LINE", except the
 * line "quit", which ends the echo and is left to the guest to answer.
 */
#ifndef CON_ECHO_H
#define CON_ECHO_H

#include <stdint.h>

#include "virtio_console.h"

struct con_echo {
	char line[512];
	uint32_t len;		/* bytes of the line being received */
	uint32_t lines;		/* lines received, "quit" included */
};

/* vcon_write of a C string, waiting for room up to 2 s. */
void con_say(struct vcon *c, const char *s);

/*
 * Echo the complete lines among @n bytes just read, keeping a partial one for
 * the next call. 1 when the line "quit" came (what follows it is dropped), else 0.
 */
int con_echo_feed(struct vcon *c, struct con_echo *e, const char *buf, uint32_t n);

#endif
