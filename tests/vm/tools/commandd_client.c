// SPDX-License-Identifier: GPL-2.0
/*
 * commandd_client: test client of ultra-commandd for the in-VM tests.
 *
 *   commandd_client [--uid N] raw SOCKET LINE
 *	send LINE as it is (malformed requests too), print the response line;
 *	exit 0 when it says ok, 1 when it says no, 2 when there is no answer.
 *	--uid drops to that uid and gid (and no groups) first: an unauthorised peer.
 *
 *   commandd_client crashloop SOCKET JOURNAL IMAGE CYCLES KILLS SEED [KEEPER]
 *	start ultra-commandd (log appended to JOURNAL.log), then run CYCLES of
 *	create/start/stop/destroy of partition loopN (16 MiB, duty 2, IMAGE), each
 *	request with its own id. Before KILLS randomly chosen requests a thread
 *	sends the daemon SIGKILL after a random delay within about the time such a
 *	request takes, and starts a new daemon; the request is retried with the
 *	same id (cmdapi_call_retry) until answered. Every request must succeed;
 *	after each cycle partition KEEPER must be running, its exit counters must
 *	have moved on, and loopN must be gone. The last daemon keeps running; its
 *	pid goes to JOURNAL.pid.
 *
 *   commandd_client notify-listen PATH OUT
 *	play systemd: bind an AF_UNIX datagram socket at PATH, write the first
 *	datagram received (within 60 s) to OUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdapi.h"

static const char *sock, *journal;
static pid_t daemon_pid;
static char log_path[512];

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int raw(int argc, char **argv)
{
	struct cmdapi_conn *c = NULL;
	struct ultra_err e = { 0 };
	json_object *resp = NULL, *ok;
	size_t n;
	char *line;
	int ret;

	if (argc != 4)
		return 2;
	if (cmdapi_connect(argv[2], &c, &e)) {
		fprintf(stderr, "commandd_client: %s\n", e.msg);
		return 2;
	}
	n = strlen(argv[3]);
	line = malloc(n + 2);
	if (!line)
		return 2;
	memcpy(line, argv[3], n);
	line[n] = '\n';
	ret = cmdapi_send_raw(c, line, n + 1, &e);
	free(line);
	/* a refused peer's answer may already wait while the send failed */
	if (!cmdapi_recv(c, &resp, &e))
		ret = 0;
	else if (!ret)
		ret = -1;
	cmdapi_close(c);
	if (ret) {
		fprintf(stderr, "commandd_client: %s\n", e.msg);
		return 2;
	}
	printf("%s\n", json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	ret = json_object_object_get_ex(resp, "ok", &ok) && json_object_get_boolean(ok) ? 0 : 1;
	json_object_put(resp);
	return ret;
}

/* ---- crashloop ---------------------------------------------------------------------- */

static pid_t spawn(void)
{
	struct cmdapi_conn *c = NULL;
	struct ultra_err e;
	double t0 = now_ms();
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("ultra-commandd", "ultra-commandd", "--socket", sock, "--journal", journal,
		       (char *)NULL);
		_exit(127);
	}
	/* ready when it answers connections */
	while (cmdapi_connect(sock, &c, &e)) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "crashloop: the daemon exited at start (see %s)\n", log_path);
			exit(1);
		}
		if (now_ms() - t0 > 60000) {
			fprintf(stderr, "crashloop: the daemon did not come up in 60 s\n");
			exit(1);
		}
		usleep(10000);
	}
	cmdapi_close(c);
	return pid;
}

struct killer {
	pthread_t t;
	unsigned int delay_us;
	double killed_at;
};

static void *killer_main(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay_us);
	kill(daemon_pid, SIGKILL);
	k->killed_at = now_ms();
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = spawn();
	return NULL;
}

static json_object *args_for(const char *name, const char *op, const char *image)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "name", json_object_new_string(name));
	if (!strcmp(op, "create")) {
		json_object_object_add(a, "memory", json_object_new_int64(16 << 20));
		json_object_object_add(a, "duty", json_object_new_int(2));
		json_object_object_add(a, "image", json_object_new_string(image));
	}
	return a;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int64_t run_counter(json_object *o, const char *k)
{
	json_object *run, *v;

	if (!o || !json_object_object_get_ex(o, "run", &run) ||
	    !json_object_object_get_ex(run, k, &v))
		return -1;
	return json_object_get_int64(v);
}

static int crashloop(int argc, char **argv)
{
	static const char *const ops[] = { "create", "start", "stop", "destroy" };
	const char *image, *keeper;
	unsigned int cycles, kills, seed, n, i, k, killed = 0, mid = 0;
	double avg[4] = { 0 }, t_all = now_ms();
	unsigned int done[4] = { 0 };
	static unsigned char kill_at[4 * 1000];
	int64_t keeper_exits = -1;
	char pidfile[512];
	FILE *f;

	if (argc < 8)
		return 2;
	sock = argv[2];
	journal = argv[3];
	image = argv[4];
	cycles = (unsigned int)atoi(argv[5]);
	kills = (unsigned int)atoi(argv[6]);
	seed = (unsigned int)strtoul(argv[7], NULL, 0);
	keeper = argc > 8 ? argv[8] : NULL;
	n = cycles * 4;
	if (!cycles || cycles > 1000 || kills > n - 8) {
		fprintf(stderr, "crashloop: %u kills do not fit in %u requests\n", kills, n);
		return 2;
	}
	snprintf(log_path, sizeof(log_path), "%s.log", journal);
	snprintf(pidfile, sizeof(pidfile), "%s.pid", journal);
	printf("crashloop: %u cycles (%u requests), %u kills, seed %u\n", cycles, n, kills, seed);
	srand(seed);
	/* kill points: distinct, after the first two cycles (which measure the ops) */
	for (k = 0; k < kills;) {
		i = 8 + (unsigned int)rand() % (n - 8);
		if (!kill_at[i]) {
			kill_at[i] = 1;
			k++;
		}
	}
	daemon_pid = spawn();
	for (i = 0; i < n; i++) {
		unsigned int c = i / 4, o = i % 4;
		char name[32], id[64];
		struct killer kl = { 0 };
		struct ultra_err e = { 0 };
		json_object *result = NULL;
		double t0;
		int ret;

		snprintf(name, sizeof(name), "loop%u", c);
		snprintf(id, sizeof(id), "crashloop-%u-%s-%s", seed, name, ops[o]);
		if (kill_at[i]) {
			/* somewhere inside the request, or just after it */
			kl.delay_us = (unsigned int)((double)rand() / RAND_MAX * avg[o] * 1300.0);
			if (pthread_create(&kl.t, NULL, killer_main, &kl)) {
				perror("pthread_create");
				return 1;
			}
		}
		t0 = now_ms();
		ret = cmdapi_call_retry(sock, id, ops[o], args_for(name, ops[o], image), 120000,
					&result, &e);
		if (kill_at[i]) {
			double t1 = now_ms();

			pthread_join(kl.t, NULL);
			killed++;
			if (kl.killed_at < t1)
				mid++;
		} else {
			avg[o] = (avg[o] * done[o] + (now_ms() - t0)) / (done[o] + 1);
			done[o]++;
		}
		if (ret) {
			fprintf(stderr, "crashloop: request %u (%s %s, id %s) failed: %s [%s]\n", i,
				ops[o], name, id, e.msg, ultra_errno_name(e.err));
			return 1;
		}
		if (o == 1 && strcmp(jstr(result, "state"), "running") != 0) {
			fprintf(stderr, "crashloop: %s after start is '%s'\n", name,
				jstr(result, "state"));
			return 1;
		}
		json_object_put(result);
		result = NULL;
		if (o != 3)
			continue;
		/* after each cycle: loopN is gone, the keeper still runs and makes progress */
		snprintf(id, sizeof(id), "crashloop-%u-check-%u", seed, c);
		ret = cmdapi_call_retry(sock, id, "show", args_for(name, "show", image), 120000,
					&result, &e);
		if (ret != -ENOENT) {
			fprintf(stderr, "crashloop: %s still exists after its destroy (%d)\n", name,
				ret);
			return 1;
		}
		json_object_put(result);
		result = NULL;
		if (!keeper)
			continue;
		ret = cmdapi_call_retry(sock, id, "show", args_for(keeper, "show", image), 120000,
					&result, &e);
		if (ret || strcmp(jstr(result, "state"), "running") != 0 ||
		    run_counter(result, "exits") < keeper_exits) {
			fprintf(stderr, "crashloop: after cycle %u %s is '%s', exits %lld (was %lld): %s\n",
				c, keeper, jstr(result, "state"),
				(long long)run_counter(result, "exits"), (long long)keeper_exits,
				ret ? e.msg : "");
			return 1;
		}
		keeper_exits = run_counter(result, "exits");
		json_object_put(result);
	}
	printf("crashloop: %u requests in %.1f s, all answered; %u daemons killed (%u while a request was open); mean ms create %.0f start %.0f stop %.0f destroy %.0f; keeper exits %lld\n",
	       n, (now_ms() - t_all) / 1000, killed, mid, avg[0], avg[1], avg[2], avg[3],
	       (long long)keeper_exits);
	f = fopen(pidfile, "w");
	if (f) {
		fprintf(f, "%d\n", (int)daemon_pid);
		fclose(f);
	}
	return 0;
}

static int notify_listen(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 60 };
	char buf[4096];
	ssize_t n;
	FILE *f;
	int fd;

	if (argc != 4 || strlen(argv[2]) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, argv[2], strlen(argv[2]) + 1);
	unlink(argv[2]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("notify-listen");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		perror("notify-listen: recv");
		return 1;
	}
	buf[n] = 0;
	f = fopen(argv[3], "w");
	if (!f)
		return 1;
	fprintf(f, "%s\n", buf);
	fclose(f);
	printf("notify: %s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc > 2 && !strcmp(argv[1], "--uid")) {
		uid_t uid = (uid_t)atoi(argv[2]);

		if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid(uid)) {
			perror("commandd_client: dropping privileges");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc > 1 && !strcmp(argv[1], "raw"))
		return raw(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "crashloop"))
		return crashloop(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "notify-listen"))
		return notify_listen(argc, argv);
	fprintf(stderr,
		"usage: commandd_client [--uid N] raw SOCKET LINE\n"
		"       commandd_client crashloop SOCKET JOURNAL IMAGE CYCLES KILLS SEED [KEEPER]\n"
		"       commandd_client notify-listen PATH OUT\n");
	return 2;
}
