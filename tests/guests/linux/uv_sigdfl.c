// SPDX-License-Identifier: GPL-2.0
/*
 * uv_sigdfl PROGRAM [ARGS...]: run PROGRAM with SIGINT and SIGQUIT at their
 * defaults. /init (a non-interactive shell) starts the hvc0 shell as an
 * asynchronous list so that its own traps run at once, and POSIX has such a
 * list ignore both signals; a shell cannot undo an ignore it inherited, so
 * without this Ctrl-C typed on hvc0 would reach no command.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: uv_sigdfl PROGRAM [ARGS...]\n");
		return 2;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
