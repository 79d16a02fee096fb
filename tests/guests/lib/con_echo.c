// SPDX-License-Identifier: GPL-2.0
/* The console test guests' line echo: see con_echo.h. */
#include "../guest.h"
#include "con_echo.h"

#define CON_WAIT_NS	2000000000ULL

void con_say(struct vcon *c, const char *s)
{
	vcon_write(c, s, strlen(s), CON_WAIT_NS);
}

int con_echo_feed(struct vcon *c, struct con_echo *e, const char *buf, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\r')
			continue;
		if (buf[i] != '\n') {
			if (e->len < sizeof(e->line) - 1)
				e->line[e->len++] = buf[i];
			continue;
		}
		e->line[e->len] = 0;
		e->lines++;
		if (!strncmp(e->line, "quit", 5))
			return 1;
		con_say(c, "echo: ");
		vcon_add(c, e->line, e->len, CON_WAIT_NS);
		con_say(c, "\n");
		e->len = 0;
	}
	return 0;
}
