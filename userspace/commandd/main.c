// SPDX-License-Identifier: GPL-2.0
/*
 * ultra-commandd: the command daemon. Runs in the foreground, logs to stderr
 * (journald-friendly), holds the module's command channel, serves requests on a
 * UNIX socket until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd.h"

#define DEFAULT_JOURNAL "/var/lib/ultravisor/commandd.journal"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ultra-commandd [OPTIONS]\n"
		"\n"
		"The ultravisor command daemon: the only client of the module's command channel;\n"
		"keeps a replica of the resource database and places partitions.\n"
		"\n"
		"  -s, --socket PATH     request socket (default $%s or %s)\n"
		"  -j, --journal PATH    request journal (default %s)\n"
		"  -b, --backend NAME    dev (/dev/ultravisor, default) or sim (in-process database)\n"
		"  -d, --device PATH     ultravisor device for --backend dev\n"
		"      --sim-memory SIZE simulated host memory, e.g. 64G (default 64G)\n"
		"      --sim-cpus N      simulated CPUs (default 8)\n"
		"      --sim-pool        simulated host memory starts as Linux's, a pool takes it\n"
		"      --sim-nodes N     simulated NUMA nodes: memory and CPUs cut evenly (default 1)\n"
		"      --pool-max SIZE   grow the module's pool to at most SIZE (default: no limit\n"
		"                        but the module's, which leaves Linux 64 MiB)\n"
		"      --pool-floor SIZE keep at least SIZE in the pool when shrinking (default 0)\n"
		"  -c, --cpus N          CPUs partitions may use: 0..N-1 (default all)\n"
		"  -g, --group NAME      group allowed besides root (default %s)\n"
		"  -v, --verbose         debug log lines\n"
		"  -h, --help            this help\n",
		CMDAPI_SOCKET_ENV, CMDAPI_SOCKET_PATH, DEFAULT_JOURNAL, CMDAPI_GROUP);
}

static int parse_size(const char *s, u64 *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	u64 mul = 1;

	if (end == s)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': mul = 1ull << 10; end++; break;
	case 'M': case 'm': mul = 1ull << 20; end++; break;
	case 'G': case 'g': mul = 1ull << 30; end++; break;
	case 'T': case 't': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (*end || !v || v > (~0ull) / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "journal", required_argument, NULL, 'j' },
		{ "backend", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "sim-memory", required_argument, NULL, 'M' },
		{ "sim-cpus", required_argument, NULL, 'C' },
		{ "sim-pool", no_argument, NULL, 'P' },
		{ "sim-nodes", required_argument, NULL, 'N' },
		{ "pool-max", required_argument, NULL, 'X' },
		{ "pool-floor", required_argument, NULL, 'F' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = cmdapi_socket_path(), *journal = DEFAULT_JOURNAL, *device = NULL;
	const char *backend = "dev", *group = CMDAPI_GROUP;
	struct cmdd_master_cfg mcfg = { .host_pages = (64ull << 30) / 4096, .nr_cpus = 8 };
	struct cmdd_config cfg = { 0 };
	struct cmdd_server_cfg scfg = { .trust_uid = 0 };
	struct cmdd_master *master = NULL;
	struct cmdd_backend *be = NULL;
	struct cmdd_service *svc = NULL;
	struct cmdd_server *srv = NULL;
	struct ultra_err e = { 0 };
	sigset_t sigs;
	u64 v;
	u32 sim_nodes = 1;
	int c, sig = 0, ret;

	while ((c = getopt_long(argc, argv, "s:j:b:d:c:g:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'j': journal = optarg; break;
		case 'b': backend = optarg; break;
		case 'd': device = optarg; break;
		case 'g': group = optarg; break;
		case 'v': cmdd_log_set_level(CMDD_LOG_DEBUG); break;
		case 'P': mcfg.pool = true; break;
		case 'N':
			if (parse_size(optarg, &v) || !v || v > CMDD_NUMA_NODES) {
				fprintf(stderr, "ultra-commandd: --sim-nodes: 1..%d\n", CMDD_NUMA_NODES);
				return 2;
			}
			sim_nodes = (u32)v;
			break;
		case 'X':
		case 'F':
			if (parse_size(optarg, &v) || v % (4ull << 20)) {
				fprintf(stderr, "ultra-commandd: --%s: a multiple of 4M\n",
					c == 'X' ? "pool-max" : "pool-floor");
				return 2;
			}
			if (c == 'X')
				cfg.pool_max = v;
			else
				cfg.pool_floor = v;
			break;
		case 'M':
			if (parse_size(optarg, &v) || v % (4ull << 20)) {
				fprintf(stderr, "ultra-commandd: --sim-memory: a multiple of 4M\n");
				return 2;
			}
			mcfg.host_pages = v / 4096;
			break;
		case 'C':
		case 'c':
			if (parse_size(optarg, &v) || v > RESDB_MAX_CPUS) {
				fprintf(stderr, "ultra-commandd: --%s: 1..%d\n",
					c == 'C' ? "sim-cpus" : "cpus", RESDB_MAX_CPUS);
				return 2;
			}
			if (c == 'C')
				mcfg.nr_cpus = (u32)v;
			else
				cfg.nr_cpus = (u32)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (cfg.pool_max && cfg.pool_floor > cfg.pool_max) {
		fprintf(stderr, "ultra-commandd: --pool-floor is above --pool-max\n");
		return 2;
	}
	cfg.journal_path = journal;
	scfg.path = sock;
	if (!cmdd_group_gid(NULL, group, &scfg.group))
		scfg.have_group = true;
	else
		cmdd_log(CMDD_LOG_WARNING, "no group '%s': only root may send requests", group);

	/* the signals are taken by sigwait() below, in no other thread */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(backend, "sim")) {
		cmdd_numa_even(&cfg.numa, sim_nodes, mcfg.host_pages, mcfg.nr_cpus);
		master = cmdd_master_new(&mcfg, &e);
		ret = master ? cmdd_master_open(master, &be, &e) : -e.err;
	} else if (!strcmp(backend, "dev")) {
		/* the host's nodes: without them placement has no NUMA preference */
		ret = cmdd_numa_from_sysfs(NULL, &cfg.numa);
		if (ret)
			cmdd_log(CMDD_LOG_INFO, "no NUMA topology in sysfs (%s): no node preference",
				 strerror(-ret));
		ret = cmdd_dev_open(device, &be, &e);
	} else {
		ret = ultra_err_set(&e, EINVAL, "unknown backend '%s' (dev or sim)", backend);
	}
	if (ret || !be) {
		ret = ret ? ret : -EIO;
		cmdd_log(CMDD_LOG_ERR, "cannot hold the command channel: %s [%s]", e.msg,
			 ultra_errno_name(e.err));
		goto out;
	}
	ret = cmdd_service_open(&svc, be, &cfg, &e);
	if (ret) {
		cmdd_log(CMDD_LOG_ERR, "cannot start the resource service: %s [%s]", e.msg,
			 ultra_errno_name(e.err));
		goto out;
	}
	{
		u32 fwd = 0, ab = 0, n = cmdd_service_recovered(svc, &fwd, &ab);

		cmdd_log(CMDD_LOG_INFO,
			 "resynchronised from the %s backend in %.1f ms; %u request(s) in flight settled (%u rolled forward, %u dropped)",
			 be->ops->name, cmdd_service_resync_ms(svc), n, fwd, ab);
	}
	ret = cmdd_server_start(&srv, svc, &scfg, &e);
	if (ret) {
		cmdd_log(CMDD_LOG_ERR, "%s [%s]", e.msg, ultra_errno_name(e.err));
		goto out;
	}
	cmdd_log(CMDD_LOG_NOTICE, "ready: serving %s", sock);
	cmdd_notify("READY=1\nSTATUS=serving requests");
	while (!sig && sigwait(&sigs, &sig))
		;
	cmdd_log(CMDD_LOG_NOTICE, "signal %d: stopping", sig);
	cmdd_notify("STOPPING=1");
	ret = 0;
out:
	cmdd_server_stop(srv);
	cmdd_service_close(svc);
	if (be)
		be->ops->close(be);
	cmdd_master_free(master);
	return ret ? 1 : 0;
}
