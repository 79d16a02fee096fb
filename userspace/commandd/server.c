// SPDX-License-Identifier: GPL-2.0
/*
 * The request socket: a SOCK_STREAM UNIX socket, one JSON request per line, one
 * JSON response per line (docs/command-api.md). Each peer is checked with
 * SO_PEERCRED/SO_PEERGROUPS when it connects: root, or a member of group
 * "ultravisor"; anyone else gets one EACCES response and the connection is closed.
 *
 * Threads: one accepts; each connection has its own thread (at most max_conns),
 * registered with RCU because read-only requests read the published replica.
 * Locking: srv->lock protects the connection table.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rcu.h"

#include "commandd.h"
#include "ultra_json.h"

#define MAX_GROUPS	256

struct conn {
	struct cmdd_server *srv;
	int fd;
	pthread_t th;
	bool used;
	bool done;
};

struct cmdd_server {
	struct cmdd_service *svc;
	struct cmdd_server_cfg cfg;
	char *path;
	int lfd;
	pthread_t accept_th;
	pthread_mutex_t lock;
	struct conn *conns;
	u32 max;
	bool stopping;
};

bool cmdd_peer_allowed(const struct cmdd_server_cfg *cfg, uid_t uid, gid_t gid,
		       const gid_t *groups, int nr_groups)
{
	int i;

	if (uid == cfg->trust_uid)
		return true;
	if (!cfg->have_group)
		return false;
	if (gid == cfg->group)
		return true;
	for (i = 0; i < nr_groups; i++)
		if (groups[i] == cfg->group)
			return true;
	return false;
}

int cmdd_group_gid(const char *group_file, const char *name, gid_t *gid)
{
	FILE *f = fopen(group_file ? group_file : "/etc/group", "re");
	struct group *g;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while ((g = fgetgrent(f)))
		if (!strcmp(g->gr_name, name)) {
			*gid = g->gr_gid;
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_response(int fd, json_object *resp)
{
	const char *s = resp ? ultra_json_string(resp, false) : NULL;
	int ret;

	if (!s)
		s = "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"errno\":12,\"errno_name\":\"ENOMEM\",\"message\":\"out of memory\"}}";
	ret = send_all(fd, s, strlen(s));
	if (!ret)
		ret = send_all(fd, "\n", 1);
	return ret;
}

static void send_error(int fd, int err, const char *msg)
{
	struct ultra_err e;
	json_object *r;

	ultra_err_set(&e, err, "%s", msg);
	r = cmdd_response_error(NULL, &e);
	send_response(fd, r);
	json_object_put(r);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	size_t cap = CMDAPI_REQUEST_MAX + 1, len = 0;
	char *buf = malloc(cap);

	rcu_register_thread();
	while (buf) {
		char *nl = len ? memchr(buf, '\n', len) : NULL;
		ssize_t n;

		if (nl) {
			size_t line = (size_t)(nl - buf);
			json_object *resp = cmdd_service_handle_text(c->srv->svc, buf, line);
			int ret = send_response(c->fd, resp);

			json_object_put(resp);
			memmove(buf, nl + 1, len - line - 1);
			len -= line + 1;
			if (ret)
				break;
			continue;
		}
		if (len == cap) {
			send_error(c->fd, EMSGSIZE, "request line longer than 65536 bytes");
			break;
		}
		n = recv(c->fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
	rcu_unregister_thread();
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&c->srv->lock);
	c->done = true;
	pthread_mutex_unlock(&c->srv->lock);
	return NULL;
}

/* The peer's credentials and groups; allowed or not. */
static bool peer_ok(struct cmdd_server *srv, int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[MAX_GROUPS];
	socklen_t glen = sizeof(groups);
	int nr = 0;

	*uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	*uid = cred.uid;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen))
		nr = (int)(glen / sizeof(gid_t));
	return cmdd_peer_allowed(&srv->cfg, cred.uid, cred.gid, groups, nr);
}

static void reap(struct cmdd_server *srv, bool all)
{
	u32 i;

	for (i = 0; i < srv->max; i++) {
		struct conn *c = &srv->conns[i];
		bool join;

		pthread_mutex_lock(&srv->lock);
		join = c->used && (c->done || all);
		pthread_mutex_unlock(&srv->lock);
		if (!join)
			continue;
		if (all)
			shutdown(c->fd, SHUT_RDWR);
		pthread_join(c->th, NULL);
		close(c->fd);
		c->used = false;
		c->done = false;
	}
}

static void *accept_main(void *arg)
{
	struct cmdd_server *srv = arg;

	for (;;) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
		struct conn *c = NULL;
		uid_t uid;
		u32 i;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!__atomic_load_n(&srv->stopping, __ATOMIC_ACQUIRE))
				cmdd_log(CMDD_LOG_ERR, "accept: %s", strerror(errno));
			return NULL;
		}
		if (!peer_ok(srv, fd, &uid)) {
			cmdd_log(CMDD_LOG_WARNING, "refused a client: uid %d is neither root nor in group %s",
				 (int)uid, CMDAPI_GROUP);
			send_error(fd, EACCES, "not allowed: root or group " CMDAPI_GROUP " only");
			close(fd);
			continue;
		}
		reap(srv, false);
		for (i = 0; i < srv->max && !c; i++)
			if (!srv->conns[i].used)
				c = &srv->conns[i];
		if (!c) {
			send_error(fd, EBUSY, "too many connections");
			close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		c->done = false;
		c->used = true;
		if (pthread_create(&c->th, NULL, conn_main, c)) {
			c->used = false;
			send_error(fd, EAGAIN, "cannot start a thread for the connection");
			close(fd);
		}
	}
}

static int bind_socket(struct cmdd_server *srv, struct ultra_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = srv->cfg.path;
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path))
		return ultra_err_set(e, ENAMETOOLONG, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* a socket file left by a daemon that died: remove it, unless one still answers */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
		close(probe);
		return ultra_err_set(e, EADDRINUSE, "another command daemon serves %s", path);
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ultra_err_set(e, errno, "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		int err = errno;

		close(fd);
		return ultra_err_set(e, err, "cannot listen on %s: %s", path, strerror(err));
	}
	/* root and the group: the peer check is the real gate, the mode a second one */
	if (chmod(path, srv->cfg.have_group ? 0660 : 0600))
		cmdd_log(CMDD_LOG_WARNING, "chmod %s: %s", path, strerror(errno));
	if (srv->cfg.have_group && geteuid() == 0 && chown(path, 0, srv->cfg.group))
		cmdd_log(CMDD_LOG_WARNING, "chown %s: %s", path, strerror(errno));
	srv->lfd = fd;
	return 0;
}

int cmdd_server_start(struct cmdd_server **out, struct cmdd_service *svc,
		      const struct cmdd_server_cfg *cfg, struct ultra_err *e)
{
	struct cmdd_server *srv = calloc(1, sizeof(*srv));
	int ret;

	*out = NULL;
	if (!srv)
		return ultra_err_set(e, ENOMEM, "out of memory");
	srv->svc = svc;
	srv->cfg = *cfg;
	srv->max = cfg->max_conns ? cfg->max_conns : 64;
	srv->path = strdup(cfg->path);
	srv->cfg.path = srv->path;
	srv->conns = calloc(srv->max, sizeof(*srv->conns));
	srv->lfd = -1;
	pthread_mutex_init(&srv->lock, NULL);
	if (!srv->path || !srv->conns) {
		ret = ultra_err_set(e, ENOMEM, "out of memory");
		goto fail;
	}
	ret = bind_socket(srv, e);
	if (ret)
		goto fail;
	if (pthread_create(&srv->accept_th, NULL, accept_main, srv)) {
		ret = ultra_err_set(e, EAGAIN, "cannot start the accept thread");
		close(srv->lfd);
		unlink(srv->path);
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	pthread_mutex_destroy(&srv->lock);
	free(srv->conns);
	free(srv->path);
	free(srv);
	return ret;
}

void cmdd_server_stop(struct cmdd_server *srv)
{
	if (!srv)
		return;
	__atomic_store_n(&srv->stopping, true, __ATOMIC_RELEASE);
	shutdown(srv->lfd, SHUT_RDWR);
	pthread_join(srv->accept_th, NULL);
	close(srv->lfd);
	reap(srv, true);
	unlink(srv->path);
	pthread_mutex_destroy(&srv->lock);
	free(srv->conns);
	free(srv->path);
	free(srv);
}
