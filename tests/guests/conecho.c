// SPDX-License-Identifier: GPL-2.0
/*
 * conecho: echoes every line it receives on the console channel back through it,
 * as "echo: LINE". Says "conecho: ready" (channel and serial) once set up; stops
 * with exit code 0 on the line "quit", or 1 after timeout=S seconds (default 100).
 */
#include "guest.h"
#include "lib/con_echo.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static char in[4096];
static struct con_echo e;

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint64_t end = vcon_now() + parse_num(cmdline_get(mbi, "timeout"), 100) * 1000000000ULL;
	struct vcon c;
	uint32_t n;

	if (vcon_open(&c, 10000000000ULL)) {
		puts("conecho: ");
		puts(c.err);
		puts("\n");
		guest_exit(1);
	}
	con_say(&c, "conecho: ready\n");
	puts("conecho: ready\n");
	while (vcon_now() < end) {
		n = vcon_read(&c, in, sizeof(in));
		if (c.err)
			break;
		if (!n) {
			hypercall(UV_HC_YIELD, 0, 0, 0, 0);
			continue;
		}
		if (con_echo_feed(&c, &e, in, n)) {
			con_say(&c, "conecho: bye\n");
			vcon_drain(&c, 2000000000ULL);
			puts("conecho: quit after ");
			put_dec(e.lines);
			puts(" lines, kicks=");
			put_dec(c.kicks);
			puts("\n");
			guest_exit(0);
		}
	}
	puts("conecho: ");
	puts(c.err ? c.err : "timed out");
	puts("\n");
	guest_exit(1);
}
