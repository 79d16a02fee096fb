// SPDX-License-Identifier: GPL-2.0
/*
 * Client side of the command daemon's protocol: connect, send a request line,
 * read the response line, turn an error object into an errno and a message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmdapi.h"

struct cmdapi_conn {
	int fd;
	char *buf;		/* bytes received and not yet returned */
	size_t len, cap;
};

const char *cmdapi_socket_path(void)
{
	const char *p = getenv(CMDAPI_SOCKET_ENV);

	return p && *p ? p : CMDAPI_SOCKET_PATH;
}

int cmdapi_id_valid(const char *id)
{
	size_t i, n;

	if (!id)
		return 0;
	n = strlen(id);
	if (!n || n > CMDAPI_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

void cmdapi_new_id(char *buf, size_t len, const char *prefix)
{
	static unsigned int counter;
	unsigned int n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	snprintf(buf, len, "%.20s-%ld-%lld-%u", prefix && cmdapi_id_valid(prefix) ? prefix : "req",
		 (long)getpid(), (long long)time(NULL), n);
}

int cmdapi_connect(const char *path, struct cmdapi_conn **out, struct ultra_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct cmdapi_conn *c;
	int fd;

	*out = NULL;
	if (!path)
		path = cmdapi_socket_path();
	if (strlen(path) >= sizeof(sa.sun_path))
		return ultra_err_set(e, ENAMETOOLONG, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ultra_err_set(e, errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = errno;

		close(fd);
		return ultra_err_set(e, err, "command daemon not reachable (%s: %s)", path,
				     strerror(err));
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	c->fd = fd;
	*out = c;
	return 0;
}

void cmdapi_close(struct cmdapi_conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

int cmdapi_send_raw(struct cmdapi_conn *c, const char *buf, size_t len, struct ultra_err *e)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ultra_err_set(e, n < 0 ? errno : EPIPE, "send to command daemon: %s",
					     strerror(n < 0 ? errno : EPIPE));
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int cmdapi_recv(struct cmdapi_conn *c, json_object **resp, struct ultra_err *e)
{
	char *nl;

	*resp = NULL;
	while (!(nl = c->len ? memchr(c->buf, '\n', c->len) : NULL)) {
		ssize_t n;

		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? 2 * c->cap : 131072;
			char *b = realloc(c->buf, cap);

			if (!b)
				return ultra_err_set(e, ENOMEM, "out of memory");
			c->buf = b;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ultra_err_set(e, errno, "receive from command daemon: %s",
					     strerror(errno));
		if (n == 0)
			return ultra_err_set(e, ECONNRESET,
					     "command daemon closed the connection");
		c->len += (size_t)n;
	}
	{
		size_t line = (size_t)(nl - c->buf);
		struct json_tokener *tok = json_tokener_new();
		json_object *o = NULL;

		if (!tok)
			return ultra_err_set(e, ENOMEM, "out of memory");
		o = json_tokener_parse_ex(tok, c->buf, (int)line);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    tok->char_offset != (int)line) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
		if (!o)
			return ultra_err_set(e, EPROTO, "command daemon sent a line that is not JSON");
		*resp = o;
	}
	return 0;
}

static int err_from(json_object *err, struct ultra_err *e)
{
	json_object *no, *msg, *name;
	int n;

	if (!json_object_is_type(err, json_type_object) ||
	    !json_object_object_get_ex(err, "errno", &no) ||
	    !json_object_is_type(no, json_type_int) ||
	    !json_object_object_get_ex(err, "message", &msg) ||
	    !json_object_is_type(msg, json_type_string))
		return ultra_err_set(e, EPROTO, "malformed error in the command daemon's answer");
	n = json_object_get_int(no);
	if (n <= 0 || n > 4095)
		return ultra_err_set(e, EPROTO, "command daemon answered errno %d", n);
	(void)json_object_object_get_ex(err, "errno_name", &name);
	return ultra_err_set(e, n, "%s", json_object_get_string(msg));
}

int cmdapi_parse_response(json_object *resp, const char *want_id, json_object **result,
			  struct ultra_err *e)
{
	json_object *id, *ok, *v;

	if (result)
		*result = NULL;
	if (!json_object_is_type(resp, json_type_object) ||
	    !json_object_object_get_ex(resp, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
		return ultra_err_set(e, EPROTO, "command daemon's answer has no \"ok\"");
	if (!json_object_object_get_ex(resp, "id", &id))
		return ultra_err_set(e, EPROTO, "command daemon's answer has no \"id\"");
	if (want_id && (!json_object_is_type(id, json_type_string) ||
			strcmp(json_object_get_string(id), want_id) != 0))
		return ultra_err_set(e, EPROTO, "command daemon answered another request");
	if (!json_object_get_boolean(ok)) {
		if (!json_object_object_get_ex(resp, "error", &v))
			return ultra_err_set(e, EPROTO, "command daemon's error answer has no \"error\"");
		return err_from(v, e);
	}
	if (result && json_object_object_get_ex(resp, "result", &v))
		*result = json_object_get(v);
	return 0;
}

/*
 * One exchange; *transport tells whether a failure came from the connection
 * (the daemon may have died: worth retrying) or from the daemon's answer.
 */
static int exchange(struct cmdapi_conn *c, const char *id, const char *op, json_object *args,
		    json_object **result, bool *transport, struct ultra_err *e)
{
	json_object *req = json_object_new_object(), *resp = NULL;
	struct ultra_err e2;
	const char *text;
	char *line;
	size_t n;
	int ret;

	*transport = false;
	if (result)
		*result = NULL;
	if (!req) {
		json_object_put(args);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	json_object_object_add(req, "v", json_object_new_int(CMDAPI_VERSION));
	json_object_object_add(req, "id", json_object_new_string(id ? id : ""));
	json_object_object_add(req, "op", json_object_new_string(op ? op : ""));
	if (args)
		json_object_object_add(req, "args", args);
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	n = text ? strlen(text) : 0;
	line = malloc(n + 1);
	if (!text || !line) {
		free(line);
		json_object_put(req);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	memcpy(line, text, n);
	line[n] = '\n';
	json_object_put(req);
	ret = cmdapi_send_raw(c, line, n + 1, e);
	free(line);
	/*
	 * Read even when the send failed: a daemon that refuses a peer answers
	 * EACCES as it accepts and closes, so the send may meet EPIPE while the
	 * answer waits in the socket.
	 */
	if (!cmdapi_recv(c, &resp, ret ? &e2 : e))
		ret = 0;
	else if (!ret)
		ret = -e->err;
	if (ret) {
		*transport = true;
		return ret;
	}
	ret = cmdapi_parse_response(resp, id, result, e);
	json_object_put(resp);
	return ret;
}

int cmdapi_call(struct cmdapi_conn *c, const char *id, const char *op, json_object *args,
		json_object **result, struct ultra_err *e)
{
	bool transport;

	return exchange(c, id, op, args, result, &transport, e);
}

/* connect() failing like this means the daemon is not there (yet). */
static bool not_listening(int err)
{
	return err == -ECONNREFUSED || err == -ENOENT || err == -EAGAIN;
}

int cmdapi_call_retry(const char *path, const char *id, const char *op, json_object *args,
		      int timeout_ms, json_object **result, struct ultra_err *e)
{
	struct timespec start, now;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct cmdapi_conn *c = NULL;
		bool again;
		long waited;

		ret = cmdapi_connect(path, &c, e);
		again = not_listening(ret);
		if (!ret && c) {
			/* an answer with an errno is the daemon's word: never retried */
			ret = exchange(c, id, op, args ? json_object_get(args) : NULL, result,
				       &again, e);
			cmdapi_close(c);
		}
		if (!ret || !again)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - start.tv_sec) * 1000 +
			 (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= timeout_ms)
			break;
		usleep(20000);
	}
	json_object_put(args);
	return ret;
}
