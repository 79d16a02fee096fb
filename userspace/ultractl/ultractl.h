/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultractl: command table and what commands share. One file per command group
 * (cmd_version.c, ...) defines its struct ultractl_cmd; main.c lists them.
 * Adding a command is one new file and one line in main.c's table.
 */
#ifndef ULTRACTL_H
#define ULTRACTL_H

#include <stdbool.h>

/* Exit statuses (documented in ultractl.8). */
#define ULTRACTL_EXIT_OK	0
#define ULTRACTL_EXIT_FAIL	1	/* the command ran and failed */
#define ULTRACTL_EXIT_USAGE	2	/* bad command line */

/* Not an exit status: ultractl_parse_common() says "go on with the command". */
#define ULTRACTL_CONTINUE	(-1)

/**
 * struct ultractl_ctx - global options, given to every command
 * @prog:	program name for messages ("ultractl")
 * @dev_path:	--device PATH, or NULL for ultra_dev_path()
 * @json:	--json: print one JSON document on stdout instead of text
 */
struct ultractl_ctx {
	const char *prog;
	const char *dev_path;
	bool json;
};

/**
 * struct ultractl_cmd - one command
 * @name:	what the user types
 * @run:	handler; argv[0] is @name. Returns an ULTRACTL_EXIT_* status.
 * @args:	synopsis of its arguments after the name (may be "")
 * @help:	one line for the usage text
 */
struct ultractl_cmd {
	const char *name;
	int (*run)(struct ultractl_ctx *ctx, int argc, char **argv);
	const char *args;
	const char *help;
};

/*
 * Parse the options every command accepts (-j/--json, -h/--help) and reject
 * any other option or argument. Returns ULTRACTL_CONTINUE to go on, or an
 * exit status: ULTRACTL_EXIT_OK after printing the command's help,
 * ULTRACTL_EXIT_USAGE after printing what was wrong.
 */
int ultractl_parse_common(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			  int argc, char **argv);

struct ultra_err;
struct json_object;

/* Print @e (and {"error": ...} on stdout with --json); returns ULTRACTL_EXIT_FAIL. */
int ultractl_fail(struct ultractl_ctx *ctx, const struct ultra_err *e);
/* Print @o (taking it; NULL: out of memory) and return the exit status. */
int ultractl_json_out(struct json_object *o);
/* "ultractl CMD: WHY" and the usage line on stderr; returns ULTRACTL_EXIT_USAGE. */
int ultractl_usage(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd, const char *why);
int ultractl_help(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd);

extern const struct ultractl_cmd ultractl_cmd_version;
extern const struct ultractl_cmd ultractl_cmd_status;
extern const struct ultractl_cmd ultractl_cmd_events;
extern const struct ultractl_cmd ultractl_cmd_db;
extern const struct ultractl_cmd ultractl_cmd_txn;
extern const struct ultractl_cmd ultractl_cmd_pool;
extern const struct ultractl_cmd ultractl_cmd_partition;
extern const struct ultractl_cmd ultractl_cmd_console;
extern const struct ultractl_cmd ultractl_cmd_cpu;
extern const struct ultractl_cmd ultractl_cmd_stats;
extern const struct ultractl_cmd ultractl_cmd_channel;

/*
 * cmd_pcreate.c: partition create|destroy|list|show|start|stop|pause|resume
 * through the command daemon. Returns ULTRACTL_CONTINUE when argv[1] is none of
 * these (another handler may take it), else an exit status.
 */
int ultractl_partition_daemon(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			      int argc, char **argv);
/*
 * cmd_partition.c: partition load|unload|status, and start|stop|pause|resume
 * straight to the module (ABI 1.2) unless the daemon holds the command channel.
 * Returns ULTRACTL_CONTINUE when argv[1] is none of these.
 */
int ultractl_partition_direct(struct ultractl_ctx *ctx, const struct ultractl_cmd *cmd,
			      int argc, char **argv);
/*
 * irqc_counters.c: a uv_part_status's IPI and I/O APIC counters (ABI 1.8) as
 * flat JSON keys ("ipi_fixed", "ioapic_reads"...) added to @o, as " key=value"
 * on the current line, or as "ipi: fixed=..." and "ioapic: reads=..." lines.
 */
struct uv_part_status;
void ultractl_irqc_json(struct json_object *o, const struct uv_part_status *s);
void ultractl_irqc_keys(const struct uv_part_status *s);
void ultractl_irqc_lines(const struct uv_part_status *s);

/* db verify: the daemon's replica against the module (cmd_pcreate.c). */
int ultractl_db_verify(struct ultractl_ctx *ctx);

#endif /* ULTRACTL_H */
