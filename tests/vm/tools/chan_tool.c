// SPDX-License-Identifier: GPL-2.0
/*
 * chan_tool: the channel ioctls from the in-VM tests (docs/channels.md).
 *
 *   chan_tool list                    one line per channel, with its counters
 *   chan_tool serve CHANNEL SERVER [HOLD]   attach as SERVER, check the mapping,
 *                                     publish READY, wait for POLLHUP (client
 *                                     destroyed) and for the file HOLD to exist,
 *                                     then exit (closing the fd detaches)
 *   chan_tool reclaim PARTITION [--partition]   UV_IOC_CHAN_RECLAIM (the holder)
 *
 * Numbers are written G,M,K. "serve" prints one "ok:"/"FAIL:" line per check
 * and exits 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_channel.h>
#include <linux/ultravisor_txn.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static uint32_t number(const char *s)
{
	unsigned int g, m, k;

	if (sscanf(s, "%u,%u,%u", &g, &m, &k) != 3 || g > 1023 || m > 1023 || k > 1023) {
		fprintf(stderr, "chan_tool: %s: not G,M,K\n", s);
		exit(2);
	}
	return g << 20 | m << 10 | k;
}

static void gmk(uint32_t v, char *buf, size_t len)
{
	if (v == UV_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "[%u,%u,%u]", v >> 20 & 1023, v >> 10 & 1023, v & 1023);
}

static int cmd_list(void)
{
	struct uv_chan_info info[64];
	struct uv_chan_list l = { .size = sizeof(l), .buf = (uintptr_t)info, .max = 64 };
	int fd = open(UV_DEVICE_PATH, O_RDONLY);
	uint32_t i, k;

	if (fd < 0 || ioctl(fd, UV_IOC_CHAN_LIST, &l)) {
		perror("chan_tool: list");
		return 1;
	}
	printf("channels %u (abi minor %u)\n", l.total, l.abi_minor);
	for (i = 0; i < l.count; i++) {
		char n[24], c[24], s[4][24];

		gmk(info[i].number, n, sizeof(n));
		gmk(info[i].client, c, sizeof(c));
		for (k = 0; k < 4; k++)
			gmk(info[i].server[k], s[k], sizeof(s[k]));
		printf("channel %s type=%u client=%s pages=%u gpa=%#llx servers=%s,%s,%s,%s open=%u%s kicks=%llu signalled=%llu notifies=%llu irqs=%llu used_only=%llu bad_vector=%llu epoch=%u\n",
		       n, info[i].type, c, info[i].nr_pages, (unsigned long long)info[i].gpa,
		       s[0], s[1], s[2], s[3], info[i].open,
		       info[i].flags & UV_CHAN_F_PENDING ? " pending-reclamation" : "",
		       (unsigned long long)info[i].guest_kicks,
		       (unsigned long long)info[i].kicks_signalled,
		       (unsigned long long)info[i].server_notifies,
		       (unsigned long long)info[i].server_irqs,
		       (unsigned long long)info[i].server_used_only,
		       (unsigned long long)info[i].bad_vector, info[i].epoch);
	}
	close(fd);
	return 0;
}

/* UV_IOC_CHAN_NOTIFY, reusing the struct: the out field left from the last call is ignored */
static int notify(int fd, struct uv_chan_notify *nt)
{
	return ioctl(fd, UV_IOC_CHAN_NOTIFY, nt);
}

static int cmd_serve(uint32_t channel, uint32_t server, const char *hold)
{
	struct uv_chan_open o = { .size = sizeof(o), .channel = channel, .server = server };
	struct uv_chan_eventfd ev = { .size = sizeof(ev), .queue = 0 };
	struct uv_chan_notify nt = { .size = sizeof(nt), .queue = 0 };
	struct uv_channel_header *h;
	struct pollfd pfd;
	uint8_t *mem;
	void *bad;
	int fd = open(UV_DEVICE_PATH, O_RDONLY);

	if (fd < 0 || ioctl(fd, UV_IOC_CHAN_OPEN, &o)) {
		printf("FAIL: open channel: %s: %s\n", strerror(errno), o.message);
		return 1;
	}
	printf("attached: fd %d slot %u epoch %u gpa %#llx size %#llx client memory %#llx\n",
	       o.fd, o.slot, o.epoch, (unsigned long long)o.channel_gpa,
	       (unsigned long long)o.channel_size, (unsigned long long)o.region[0].size);
	check(o.nr_regions == 1 && o.region[0].gpa == 0 && o.region[0].size >= o.channel_size,
	      "one region: the client's memory from gpa 0");
	mem = mmap(NULL, o.region[0].size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd,
		   (off_t)o.region[0].offset);
	check(mem != MAP_FAILED, "mmap of the client's memory");
	if (mem == MAP_FAILED)
		return 1;
	h = (struct uv_channel_header *)(mem + o.channel_gpa);
	check(h->signature == UV_CHANNEL_SIGNATURE, "header signature at the channel's gpa");
	check(h->channel_gpa == o.channel_gpa && h->channel_id == channel,
	      "header names its gpa and channel");
	check(h->server_epoch == o.epoch && h->server_state == UV_CHANNEL_SERVER_NONE,
	      "server_epoch bumped, server_state NONE");
	check(h->num_queues == 2 && h->queue[0].max_size >= 64,
	      "console: two queues in the default placement");
	bad = mmap(NULL, o.region[0].size + 4096, PROT_READ, MAP_SHARED, o.fd, 0);
	check(bad == MAP_FAILED && errno == EINVAL, "mmap past the client's memory: EINVAL");
	bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, o.fd, 0);
	check(bad == MAP_FAILED && errno == EINVAL, "private mmap: EINVAL");
	ev.fd = eventfd(0, EFD_NONBLOCK);
	check(!ioctl(o.fd, UV_IOC_CHAN_EVENTFD, &ev), "eventfd bound to queue 0");
	ev.queue = 32;
	check(ioctl(o.fd, UV_IOC_CHAN_EVENTFD, &ev) && errno == EINVAL, "queue 32: EINVAL");
	check(!ioctl(o.fd, UV_IOC_CHAN_NOTIFY, &nt) && nt.vector == UV_CHANNEL_NO_VECTOR,
	      "notify the guest: polled queue, counted");
	/* the vectors are the client's to write; the client is not loaded here */
	nt.flags = UV_CHAN_NOTIFY_F_CONFIG;
	check(nt.vector == UV_CHANNEL_NO_VECTOR && !notify(o.fd, &nt) &&
	      nt.vector == UV_CHANNEL_NO_VECTOR,
	      "config notify, struct reused with vector set: nothing to raise");
	h->config_vector = 0x30;
	check(notify(o.fd, &nt) && errno == ESRCH && nt.vector == 0x30,
	      "config notify with vector 0x30, client not loaded: ESRCH");
	nt.queue = 1;
	check(notify(o.fd, &nt) && errno == EINVAL,
	      "config notify names no queue: EINVAL");
	nt.queue = 0;
	nt.flags = 2;
	check(notify(o.fd, &nt) && errno == EINVAL, "unknown flag: EINVAL");
	nt.flags = 0;
	h->queue[0].vector = 30;
	check(notify(o.fd, &nt) && errno == ERANGE && nt.vector == 30,
	      "queue vector 30 (an exception, not a GSI): refused, ERANGE");
	h->queue[0].vector = 256;
	check(notify(o.fd, &nt) && errno == ERANGE && nt.vector == 256,
	      "queue vector 256: refused, ERANGE");
	h->queue[0].vector = UV_CHANNEL_NO_VECTOR;
	h->config_vector = UV_CHANNEL_NO_VECTOR;
	h->server_state = UV_CHANNEL_SERVER_READY;
	printf("serving\n");
	fflush(stdout);
	pfd.fd = o.fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 120000) == 1 && (pfd.revents & POLLHUP))
		printf("hangup: the client was destroyed\n");
	else
		check(0, "POLLHUP within 120 s");
	fflush(stdout);
	/* stay attached until the test has looked at the pending state */
	while (hold && access(hold, F_OK))
		usleep(50000);
	munmap(mem, o.region[0].size);
	close(o.fd);
	close(fd);
	return failures ? 1 : 0;
}

static int cmd_reclaim(uint32_t part, int whole)
{
	struct uv_chan_reclaim r = { .size = sizeof(r), .partition = part };
	int fd = open(UV_DEVICE_PATH, O_RDWR);

	r.flags = whole ? UV_CHAN_RECLAIM_F_PARTITION : 0;
	if (fd < 0 || ioctl(fd, UV_IOC_CHAN_RECLAIM, &r)) {
		printf("reclaim failed: %s: %s\n", strerror(errno), r.message);
		return 1;
	}
	printf("reclaim: destroyed %u pending %u pages_now %llu pages_pending %llu\n",
	       r.destroyed, r.pending, (unsigned long long)r.pages_now,
	       (unsigned long long)r.pages_pending);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return cmd_list();
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "serve"))
		return cmd_serve(number(argv[2]), number(argv[3]), argc == 5 ? argv[4] : NULL);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "reclaim"))
		return cmd_reclaim(number(argv[2]), argc == 4 && !strcmp(argv[3], "--partition"));
	fprintf(stderr, "usage: chan_tool list | serve CHANNEL SERVER [HOLD] | reclaim PARTITION [--partition]\n");
	return 2;
}
