/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command daemon's test bench, shared by the test_commandd* suites: an
 * in-process master playing the module (it outlives the daemon, as the module
 * does), the service on top of it with an optional journal in a temporary
 * folder, and requests sent as the socket would carry them.
 */
#ifndef TESTS_UNIT_COMMANDD_FIXTURE_H
#define TESTS_UNIT_COMMANDD_FIXTURE_H

#include <stdbool.h>

#include "commandd/commandd.h"

extern struct cmdd_master *master;
extern struct cmdd_backend *be;
extern struct cmdd_service *svc;
extern char fx_dir[64];		/* the test's folder ("" when not journaled) */
extern char fx_journal[128];	/* "" when the journal is in memory only */

/* A new master; journaled: the service's journal is a file that survives restarts. */
void fx_setup(const struct cmdd_master_cfg *mc, bool journaled, int log_level);
/* Stop the service if it runs, free the master, remove the folder. */
void fx_teardown(void);
/* Open the backend and the service; cfg NULL: the last one given (journal kept). */
void fx_start(const struct cmdd_config *cfg);
void fx_stop(void);

/* One request line with this id: 0 or the response's errno; *resp: the response. */
int fx_send_id(const char *id, const char *op, const char *args, json_object **resp);
/* The same with a fresh id. */
int fx_send(const char *op, const char *args);
/* resdb_image_hash() of the master. */
u64 fx_master_hash(void);

#endif
