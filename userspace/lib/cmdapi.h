/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmdapi: the client side of the command daemon's protocol (docs/command-api.md),
 * for ultractl and the operations daemon.
 *
 * A SOCK_STREAM UNIX socket; each request and each response is one JSON object on
 * one line ("\n"-terminated). A request carries a client-chosen id; sending the
 * same request with the same id again (after a lost answer or a daemon restart)
 * returns the first answer instead of doing it twice.
 */
#ifndef ULTRA_CMDAPI_H
#define ULTRA_CMDAPI_H

#include <stddef.h>

#include <json-c/json.h>

#include "ultra.h"

#define CMDAPI_VERSION		1
#define CMDAPI_SOCKET_PATH	"/run/ultravisor/commandd.sock"
#define CMDAPI_SOCKET_ENV	"ULTRAVISOR_COMMANDD"
#define CMDAPI_GROUP		"ultravisor"
#define CMDAPI_REQUEST_MAX	65536	/* bytes of one request line, newline included */
#define CMDAPI_ID_MAX		64	/* request id: 1..64 of [A-Za-z0-9._:-] */
#define CMDAPI_PATH_MAX		1024	/* image path */

struct cmdapi_conn;

/* $ULTRAVISOR_COMMANDD if set and not empty, else CMDAPI_SOCKET_PATH. */
const char *cmdapi_socket_path(void);

/* Connect (path NULL: cmdapi_socket_path()). */
int cmdapi_connect(const char *path, struct cmdapi_conn **c, struct ultra_err *e);
void cmdapi_close(struct cmdapi_conn *c);

/*
 * Send {"v":1,"id":id,"op":op,"args":args} (args may be NULL; taken in all cases)
 * and read the answer. Returns 0 with *result (caller puts it; may be NULL) when
 * the daemon said ok, the daemon's errno (negative) with e filled when it said no,
 * or -EPIPE/-ECONNRESET/-EPROTO when the connection failed.
 */
int cmdapi_call(struct cmdapi_conn *c, const char *id, const char *op, json_object *args,
		json_object **result, struct ultra_err *e);

/*
 * cmdapi_call() that survives a daemon restart: when the daemon is not listening
 * or the connection breaks before an answer, it reconnects and sends the same
 * request (same id) again until timeout_ms. An answer - ok or an error, even
 * ENOENT - ends it.
 */
int cmdapi_call_retry(const char *path, const char *id, const char *op, json_object *args,
		      int timeout_ms, json_object **result, struct ultra_err *e);

/* Send one raw line (tests: malformed requests). */
int cmdapi_send_raw(struct cmdapi_conn *c, const char *buf, size_t len, struct ultra_err *e);
/* Read one response line; *resp is the whole response object. */
int cmdapi_recv(struct cmdapi_conn *c, json_object **resp, struct ultra_err *e);

/*
 * Check a response object: the id matches want_id (unless NULL), the shape is
 * right. Returns 0 and *result (a new reference) when ok is true, else the
 * negative errno of its error with e filled.
 */
int cmdapi_parse_response(json_object *resp, const char *want_id, json_object **result,
			  struct ultra_err *e);

/* A fresh request id: "<prefix>-<pid>-<seconds>-<counter>". */
void cmdapi_new_id(char *buf, size_t len, const char *prefix);
/* 1..CMDAPI_ID_MAX characters of [A-Za-z0-9._:-]. */
int cmdapi_id_valid(const char *id);

#endif /* ULTRA_CMDAPI_H */
