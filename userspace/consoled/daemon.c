// SPDX-License-Identifier: GPL-2.0
/*
 * ultra-consoled: serves every console channel of every partition
 * (docs/channels.md, "Console server"; docs/operations.md).
 *
 * One thread, one epoll loop. Every second (and at start) it lists the channels
 * (UV_IOC_CHAN_LIST) and attaches to each console channel it does not serve yet
 * (UV_IOC_CHAN_OPEN as the I/O partition given by --server), maps the client's
 * memory, describes it in a chan_mem (the channel itself reserved), publishes
 * VERSION_1 | EVENT_IDX and READY, and binds an eventfd to each queue. When the
 * guest is at DRIVER_OK it starts both queues - resuming at the used index found
 * in the ring when it attached to a channel already running (a restart) - and
 * publishes RUNNING. transmitq0 goes to the partition's log and PTY; the PTY's
 * input goes to receiveq0. Anything a queue refuses breaks that channel only:
 * logged with its reason, BROKEN published, the other channels go on.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_channel.h>

#include "chan_header.h"
#include "chan_mem.h"
#include "chan_queue.h"
#include "chan_shm.h"
#include "ultra.h"
#include "ultra_console.h"
#include "ultra_part.h"
#include "consoled.h"

#define MAX_CHANNELS	64
#define CHAIN_MAX	65536u	/* bytes of one transmit chain we take */
#define MAX_SEGS	16
#define BATCH		256		/* chains per queue per loop turn */
#define IN_MAX		4096		/* PTY input waiting for receive buffers */
#define FEATURES	((1ULL << UV_VIRTIO_F_EVENT_IDX) | (1ULL << UV_VIRTIO_F_VERSION_1))

enum { EV_TX, EV_RX, EV_PTY, EV_CHAN };

enum con_state { ST_READY, ST_RUNNING, ST_BROKEN };

struct con;

struct evsrc {
	struct con *c;
	int kind;
};

struct con {
	bool used;
	uint32_t number;		/* the channel */
	uint32_t client;
	char name[40];			/* client partition's name, file-safe */
	int fd;				/* channel fd */
	uint8_t *mem;
	uint64_t mem_size;
	uint64_t gpa, size;
	struct uv_channel_header *h;
	struct chan_mem cm;
	struct chan_dev_queue rxq, txq;
	int efd[2];			/* eventfd per queue */
	int pty, pty_slave;
	char pty_path[64];
	struct conlog log;
	struct condrop drop;
	enum con_state state;
	uint32_t epoch;			/* the module's server_epoch we published for */
	bool resume;			/* attached to a running channel: resume once */
	bool again;			/* more work than one batch */
	bool pty_in;			/* EPOLLIN on the PTY armed */
	bool bad_vector_said;		/* the refused vector was logged once */
	char in[IN_MAX];
	size_t in_len;
	uint64_t tx_bytes;
	struct evsrc src[4];
};

static struct {
	const char *server_arg;
	uint32_t server;
	const char *log_dir;
	const char *run_dir;
	uint64_t log_cap;
	int dev;
	int ep;
	struct con con[MAX_CHANNELS];
	volatile sig_atomic_t stop;
} g = {
	.server_arg = "console-io",
	.log_dir = "/var/log/ultravisor/console",
	.run_dir = ULTRA_CONSOLE_RUN_DIR,
	.log_cap = CONLOG_DEFAULT_CAP,
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "ultra-consoled[%ld.%03ld]: ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	/* a clang-tidy false positive when it analyses several files in one run */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void gmk(uint32_t v, char *buf, size_t len)
{
	ultra_part_number_str(v, buf, len);
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The client's name from the partition list (UV_IOC_QUERY). */
static void client_name(uint32_t number, char *out, size_t len)
{
	static struct uv_partition_info info[UV_QUERY_MAX];
	struct uv_query q;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.what = UV_QUERY_PARTITIONS;
	q.max = UV_QUERY_MAX;
	q.buf = (uintptr_t)info;
	if (!ioctl(g.dev, UV_IOC_QUERY, &q))
		for (uint32_t i = 0; i < q.count; i++)
			if (info[i].number == number && info[i].name[0]) {
				char n[sizeof(info[i].name) + 1];

				memcpy(n, info[i].name, sizeof(info[i].name));
				n[sizeof(info[i].name)] = 0;
				ultra_console_safe_name(n, out, len);
				return;
			}
	gmk(number, out, len);
	ultra_console_safe_name(out, out, len);
}

static void ep_add(int fd, struct evsrc *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		say("epoll_ctl: %s", strerror(errno));
}

static void pty_arm(struct con *c, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = &c->src[EV_PTY] };

	if (c->pty < 0 || c->pty_in == on)
		return;
	c->pty_in = on;
	epoll_ctl(g.ep, EPOLL_CTL_MOD, c->pty, &ev);
}

static void write_state_file(struct con *c)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pty", g.run_dir, c->name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		say("%s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", c->pty_path);
	if (fclose(f) || rename(tmp, path) < 0)
		say("%s: %s", path, strerror(errno));
}

static void remove_state_file(struct con *c)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.pty", g.run_dir, c->name);
	unlink(path);
}

static int open_pty(struct con *c)
{
	struct termios t;

	if (openpty(&c->pty, &c->pty_slave, c->pty_path, NULL, NULL) < 0) {
		c->pty = c->pty_slave = -1;
		return -errno;
	}
	/* raw, as a serial line: the guest's bytes go through untouched */
	if (!tcgetattr(c->pty_slave, &t)) {
		cfmakeraw(&t);
		tcsetattr(c->pty_slave, TCSANOW, &t);
	}
	fcntl(c->pty, F_SETFL, O_NONBLOCK);
	fcntl(c->pty, F_SETFD, FD_CLOEXEC);
	fcntl(c->pty_slave, F_SETFD, FD_CLOEXEC);
	/* we keep the slave open too, so the master never reads EIO when nobody is there */
	return 0;
}

static void con_free(struct con *c)
{
	int i;

	if (c->pty >= 0)
		close(c->pty);
	if (c->pty_slave >= 0)
		close(c->pty_slave);
	for (i = 0; i < 2; i++)
		if (c->efd[i] >= 0)
			close(c->efd[i]);
	if (c->mem && c->mem != MAP_FAILED)
		munmap(c->mem, c->mem_size);
	if (c->fd >= 0)
		close(c->fd);	/* detaches: the module writes server_state NONE */
	conlog_close(&c->log);
	memset(c, 0, sizeof(*c));
}

static void con_broken(struct con *c, uint32_t queue, int reason, const char *why)
{
	char n[24];

	gmk(c->number, n, sizeof(n));
	say("console %s: channel %s broken: queue %d: %s (%s)", c->name, n,
	    queue == 0xffffffffu ? -1 : (int)queue, why, chan_error_name(reason));
	conlog_mark(&c->log, "channel broken: queue %d: %s (%s)",
		    queue == 0xffffffffu ? -1 : (int)queue, why, chan_error_name(reason));
	chan_header_set_broken(c->h, queue, reason);
	c->state = ST_BROKEN;
	c->again = false;
	pty_arm(c, false);
}

static void publish_drops(struct con *c)
{
	struct uv_console_config *cfg = (struct uv_console_config *)c->h->config;

	shm_st32(&cfg->srv_drop_events, c->drop.events);
	shm_st32(&cfg->srv_dropped, c->drop.bytes);
}

/* The guest's drop report: a marker if one is due before the chain at @next. */
static void check_drops(struct con *c, uint16_t next, bool pending)
{
	struct uv_console_config *cfg = (struct uv_console_config *)c->h->config;
	uint32_t ev = shm_ld32(&cfg->tx_drop_events), bytes, n;
	uint16_t at;

	if (ev == c->drop.events)
		return;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	at = shm_ld16(&cfg->tx_drop_avail);
	bytes = shm_ld32(&cfg->tx_dropped);
	if (!condrop_due(&c->drop, ev, at, bytes, next, pending, &n))
		return;
	conlog_mark(&c->log, "%u bytes dropped by the guest: its transmit queue was full", n);
	say("console %s: the guest dropped %u bytes (transmit queue full)", c->name, n);
	condrop_done(&c->drop, ev, bytes);
	publish_drops(c);
}

/*
 * The guest asked for a used-buffer notification (event index): the module
 * raises the queue's GSI or vector, or does nothing for a polled queue. One the
 * guest got wrong is refused by the module (ERANGE): said once, the guest can
 * still poll; a guest that is not loaded (ESRCH) needs no interrupt.
 */
static void notify_guest(struct con *c, unsigned int qi, struct chan_dev_queue *q)
{
	struct uv_chan_notify nt = { .size = sizeof(nt), .queue = qi };

	if (!chan_dev_queue_need_notify(q) || !ioctl(c->fd, UV_IOC_CHAN_NOTIFY, &nt))
		return;
	if (errno == ERANGE) {
		if (!c->bad_vector_said)
			say("console %s: queue %u: the guest's interrupt %u is refused (neither a GSI 0..%u nor a vector %u..%u); it must poll",
			    c->name, qi, nt.vector, UV_CHAN_LAST_GSI, UV_CHAN_FIRST_VECTOR,
			    UV_CHAN_LAST_VECTOR);
		c->bad_vector_said = true;
	} else if (errno != ESRCH) {
		say("console %s: notify: %s", c->name, strerror(errno));
	}
}

static void pty_out(struct con *c, const void *buf, size_t len)
{
	/* never block on a reader: what the PTY does not take is in the log anyway */
	if (c->pty >= 0 && write(c->pty, buf, len) < 0 && errno != EAGAIN)
		say("console %s: pty: %s", c->name, strerror(errno));
}

static void serve_tx(struct con *c)
{
	static uint8_t buf[CHAIN_MAX];
	struct chan_seg seg[MAX_SEGS];
	struct chan_chain ch;
	unsigned int n = 0;
	int r;

	c->again = false;
	for (;;) {
		chan_dev_queue_disable_notify(&c->txq);
		while (n < BATCH) {
			bool pending = chan_dev_queue_pending(&c->txq);
			size_t len;

			check_drops(c, c->txq.last_avail, pending);
			if (!pending)
				break;
			r = chan_dev_queue_pop(&c->txq, seg, MAX_SEGS, &ch);
			if (r <= 0)
				break;
			len = chan_chain_read(&ch, 0, buf, sizeof(buf));
			if (conlog_write(&c->log, buf, len))
				say("console %s: log: %s", c->name, strerror(errno));
			pty_out(c, buf, len);
			c->tx_bytes += len;
			chan_dev_queue_push(&c->txq, ch.head, 0);
			n++;
		}
		if (c->txq.error) {
			con_broken(c, UV_CONSOLE_TRANSMITQ, c->txq.error, c->txq.why);
			return;
		}
		notify_guest(c, UV_CONSOLE_TRANSMITQ, &c->txq);
		if (n >= BATCH) {
			c->again = true;
			return;
		}
		if (!chan_dev_queue_enable_notify(&c->txq))
			return;
	}
}

static void serve_rx(struct con *c)
{
	struct chan_seg seg[MAX_SEGS];
	struct chan_chain ch;
	bool any = false;

	while (c->in_len) {
		size_t n;
		int r;

		chan_dev_queue_disable_notify(&c->rxq);
		r = chan_dev_queue_pop(&c->rxq, seg, MAX_SEGS, &ch);
		if (r < 0)
			break;
		if (r == 0) {
			if (chan_dev_queue_enable_notify(&c->rxq))
				continue;
			break;		/* a kick comes when the guest gives buffers */
		}
		n = chan_chain_write(&ch, 0, c->in, c->in_len);
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
		chan_dev_queue_push(&c->rxq, ch.head, (uint32_t)n);
		any = true;
	}
	if (c->rxq.error) {
		con_broken(c, UV_CONSOLE_RECEIVEQ, c->rxq.error, c->rxq.why);
		return;
	}
	if (any)
		notify_guest(c, UV_CONSOLE_RECEIVEQ, &c->rxq);
	pty_arm(c, c->in_len < IN_MAX);
}

static void pty_read(struct con *c)
{
	ssize_t n = read(c->pty, c->in + c->in_len, IN_MAX - c->in_len);

	if (n > 0)
		c->in_len += (size_t)n;
	if (c->state == ST_RUNNING)
		serve_rx(c);
	else
		c->in_len = 0;	/* nobody to give it to */
}

static int start_queue(struct con *c, const struct uv_channel_header *copy, unsigned int qi,
		       struct chan_dev_queue *q, enum chan_dir dir)
{
	struct chan_queue_config cfg;
	char why[CHAN_WHY_LEN];
	int r;

	r = chan_header_queue_config(copy, qi, dir, &cfg, why, sizeof(why));
	if (r) {
		con_broken(c, qi, r, why);
		return -1;
	}
	cfg.max_chain_bytes = CHAIN_MAX;
	cfg.resume = c->resume;
	if (chan_dev_queue_start(q, &c->cm, &cfg)) {
		con_broken(c, qi, q->error, q->why);
		return -1;
	}
	return 0;
}

/* The device as this server offers it: VERSION_1 and EVENT_IDX, no console features. */
static void publish_device(struct con *c)
{
	struct uv_console_config *cfg = (struct uv_console_config *)c->h->config;

	shm_st64(&c->h->server_features, 0);
	shm_st64(&c->h->device_features[0], FEATURES);
	shm_st64(&c->h->device_features[1], 0);
	shm_st32(&cfg->max_nr_ports, 1);
	shm_st32(&c->h->config_size, UV_CONSOLE_CONFIG_SIZE);
}

/*
 * The module formatted the channel again (its epoch moved without a new attach
 * of ours: the client partition was rebuilt for a reload, which zeroes its
 * memory). A fresh device, as at attach: the new guest will reset and find it.
 */
static void con_reformatted(struct con *c, uint32_t epoch)
{
	char n[24];

	gmk(c->number, n, sizeof(n));
	say("console %s: channel %s formatted again (epoch %u): the partition was rebuilt",
	    c->name, n, epoch);
	conlog_mark(&c->log, "channel formatted again: the partition was rebuilt");
	c->epoch = epoch;
	c->state = ST_READY;
	c->again = false;
	c->resume = false;
	memset(&c->drop, 0, sizeof(c->drop));
	publish_drops(c);
	publish_device(c);
	pty_arm(c, true);
	chan_header_set_server_state(c->h, UV_CHANNEL_SERVER_READY);
}

/* Look at the client's state: start serving at DRIVER_OK, back to READY at reset. */
static void poll_state(struct con *c)
{
	uint32_t cs = chan_header_client_state(c->h);
	struct uv_channel_header copy;
	struct uv_console_config *cfg;
	char why[CHAN_WHY_LEN];
	int r;

	/*
	 * The header's epoch is not ours: the module formatted the channel again.
	 * Touch nothing until its list confirms it (discover(): the guest cannot
	 * fake the module's word, only stall its own console by writing this).
	 */
	if (shm_ld32(&c->h->server_epoch) != c->epoch)
		return;
	if (c->state != ST_READY) {
		/* reset: 0, or already on its way up again (we poll, so we may miss the 0) */
		if (!(cs & UV_CHANNEL_CLIENT_DRIVER_OK)) {
			say("console %s: the guest reset its console", c->name);
			c->state = ST_READY;
			c->again = false;
			memset(&c->drop, 0, sizeof(c->drop));
			publish_drops(c);
			chan_header_set_server_state(c->h, UV_CHANNEL_SERVER_READY);
		}
		return;
	}
	if (!(cs & UV_CHANNEL_CLIENT_DRIVER_OK) || (cs & UV_CHANNEL_CLIENT_FAILED))
		return;
	r = chan_header_read(c->h, c->mem_size - c->gpa, &copy, why, sizeof(why));
	if (r) {
		con_broken(c, 0xffffffffu, r, why);
		return;
	}
	if (le16toh(copy.num_queues) < 2) {
		con_broken(c, 0xffffffffu, UV_CHANNEL_ERR_HEADER, "a console has two queues");
		return;
	}
	if (start_queue(c, &copy, UV_CONSOLE_RECEIVEQ, &c->rxq, CHAN_DIR_DEVICE_WRITES) ||
	    start_queue(c, &copy, UV_CONSOLE_TRANSMITQ, &c->txq, CHAN_DIR_DEVICE_READS))
		return;
	cfg = (struct uv_console_config *)copy.config;
	if (c->resume) {
		/* what the previous server reported (its own words; a guest's scribble
		 * only changes what our next marker says) */
		c->drop.events = le32toh(cfg->srv_drop_events);
		c->drop.bytes = le32toh(cfg->srv_dropped);
		conlog_mark(&c->log, "server restarted: resuming at transmit used index %u",
			    c->txq.used_idx);
	} else {
		memset(&c->drop, 0, sizeof(c->drop));
		publish_drops(c);
	}
	c->resume = false;
	c->state = ST_RUNNING;
	chan_header_set_server_state(c->h, UV_CHANNEL_SERVER_RUNNING);
	say("console %s: running (%u+%u entries)", c->name, c->rxq.size, c->txq.size);
	serve_tx(c);
	serve_rx(c);
}

static int con_attach(struct con *c, const struct uv_chan_info *ci)
{
	struct uv_chan_open o = { .size = sizeof(o), .channel = ci->number, .server = g.server };
	struct uv_channel_header copy;
	char n[24], path[PATH_MAX], why[CHAN_WHY_LEN];
	unsigned int i;
	int r;

	memset(c, 0, sizeof(*c));
	c->fd = c->pty = c->pty_slave = c->efd[0] = c->efd[1] = -1;
	c->log.fd = -1;
	c->number = ci->number;
	c->client = ci->client;
	gmk(ci->number, n, sizeof(n));
	client_name(ci->client, c->name, sizeof(c->name));
	if (ioctl(g.dev, UV_IOC_CHAN_OPEN, &o) < 0) {
		say("console %s: channel %s: attach failed: %s: %s", c->name, n, strerror(errno),
		    o.message);
		return -1;
	}
	c->used = true;
	c->fd = o.fd;
	c->gpa = o.channel_gpa;
	c->size = o.channel_size;
	c->mem_size = o.region[0].size;
	if (o.nr_regions != 1 || o.region[0].gpa != 0 || c->gpa + c->size > c->mem_size) {
		say("console %s: channel %s: unexpected memory layout", c->name, n);
		return -1;
	}
	c->mem = mmap(NULL, c->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
		      (off_t)o.region[0].offset);
	if (c->mem == MAP_FAILED) {
		say("console %s: mmap: %s", c->name, strerror(errno));
		c->mem = NULL;
		return -1;
	}
	c->h = (struct uv_channel_header *)(c->mem + c->gpa);
	chan_mem_init(&c->cm);
	if (chan_mem_add(&c->cm, 0, c->mem_size, c->mem) ||
	    chan_mem_reserve(&c->cm, c->gpa, c->size))
		return -1;
	snprintf(path, sizeof(path), "%s/%s.log", g.log_dir, c->name);
	r = conlog_open(&c->log, path, g.log_cap);
	if (r) {
		say("console %s: %s: %s", c->name, path, strerror(-r));
		return -1;
	}
	if (open_pty(c))
		say("console %s: no pty: %s", c->name, strerror(errno));
	c->src[EV_TX] = (struct evsrc){ c, EV_TX };
	c->src[EV_RX] = (struct evsrc){ c, EV_RX };
	c->src[EV_PTY] = (struct evsrc){ c, EV_PTY };
	c->src[EV_CHAN] = (struct evsrc){ c, EV_CHAN };
	for (i = 0; i < 2; i++) {
		struct uv_chan_eventfd ev = { .size = sizeof(ev), .queue = i };

		c->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ev.fd = c->efd[i];
		if (c->efd[i] < 0 || ioctl(c->fd, UV_IOC_CHAN_EVENTFD, &ev) < 0) {
			say("console %s: eventfd: %s", c->name, strerror(errno));
			return -1;
		}
		ep_add(c->efd[i], &c->src[i == UV_CONSOLE_TRANSMITQ ? EV_TX : EV_RX], EPOLLIN);
	}
	ep_add(c->fd, &c->src[EV_CHAN], EPOLLIN);
	if (c->pty >= 0) {
		c->pty_in = true;
		ep_add(c->pty, &c->src[EV_PTY], EPOLLIN);
		write_state_file(c);
	}
	r = chan_header_read(c->h, c->mem_size - c->gpa, &copy, why, sizeof(why));
	if (r) {
		con_broken(c, 0xffffffffu, r, why);
		return 0;
	}
	c->epoch = o.epoch;
	publish_device(c);
	c->resume = (chan_header_client_state(c->h) & UV_CHANNEL_CLIENT_DRIVER_OK) != 0;
	c->state = ST_READY;
	chan_header_set_server_state(c->h, UV_CHANNEL_SERVER_READY);
	say("console %s: channel %s attached (epoch %u), pty %s, log %s%s", c->name, n, o.epoch,
	    c->pty >= 0 ? c->pty_path : "-", c->log.path,
	    c->resume ? ", guest already running: resuming" : "");
	poll_state(c);
	return 0;
}

static struct con *find_con(uint32_t number)
{
	unsigned int i;

	for (i = 0; i < MAX_CHANNELS; i++)
		if (g.con[i].used && g.con[i].number == number)
			return &g.con[i];
	return NULL;
}

enum con_work { WORK_TICK, WORK_EVENT, WORK_REFORMATTED };
static bool con_guarded(struct con *c, enum con_work w, struct evsrc *src, uint32_t arg);

static void discover(void)
{
	static struct uv_chan_info info[UV_CHAN_LIST_MAX];
	struct uv_chan_list l = { .size = sizeof(l), .buf = (uintptr_t)info,
				  .max = UV_CHAN_LIST_MAX };
	unsigned int i, k;

	if (ioctl(g.dev, UV_IOC_CHAN_LIST, &l) < 0) {
		say("UV_IOC_CHAN_LIST: %s", strerror(errno));
		return;
	}
	for (i = 0; i < l.count; i++) {
		const struct uv_chan_info *ci = &info[i];
		bool served = false;

		struct con *c = find_con(ci->number);

		if (c && ci->epoch != c->epoch && !(ci->flags & UV_CHAN_F_PENDING) &&
		    !con_guarded(c, WORK_REFORMATTED, NULL, ci->epoch))
			continue;
		if (ci->type != UV_CHANNEL_TYPE_CONSOLE || (ci->flags & UV_CHAN_F_PENDING) || c)
			continue;
		for (k = 0; k < 4; k++)
			served |= ci->server[k] == g.server;
		(void)served;	/* a slot of ours left by a dead instance is freed at its exit */
		for (k = 0; k < MAX_CHANNELS && g.con[k].used; k++)
			;
		if (k == MAX_CHANNELS) {
			say("too many console channels (%d)", MAX_CHANNELS);
			return;
		}
		if (con_attach(&g.con[k], ci) < 0 && g.con[k].used)
			con_free(&g.con[k]);
	}
}

static void on_event(struct evsrc *s, uint32_t events)
{
	struct con *c = s->c;
	uint64_t v;

	if (!c->used)	/* gone with an earlier event of the same batch */
		return;
	switch (s->kind) {
	case EV_TX:
	case EV_RX:
		if (read(c->efd[s->kind == EV_TX ? UV_CONSOLE_TRANSMITQ : UV_CONSOLE_RECEIVEQ], &v,
			 sizeof(v)) < 0 && errno != EAGAIN)
			say("console %s: eventfd: %s", c->name, strerror(errno));
		if (c->state == ST_READY)
			poll_state(c);
		if (c->state != ST_RUNNING)
			return;
		if (s->kind == EV_TX)
			serve_tx(c);
		else
			serve_rx(c);
		return;
	case EV_PTY:
		pty_read(c);
		return;
	default:
		if (events & (EPOLLHUP | EPOLLERR)) {
			char n[24];

			gmk(c->number, n, sizeof(n));
			say("console %s: channel %s hung up (client destroyed): detaching", c->name,
			    n);
			conlog_mark(&c->log, "channel closed: the partition was destroyed");
			remove_state_file(c);
			con_free(c);
		}
	}
}

/*
 * The client's memory can leave our mapping at any moment: when its partition
 * is destroyed, the module keeps only the channel's own pages (pending
 * reclamation) and zaps the rest, so the next access to the header or to a
 * buffer is a SIGBUS, which can come before the fd's POLLHUP is read. Every
 * piece of work on a console runs guarded: a SIGBUS in it detaches that console
 * only (and the daemon serves the others on).
 */
static sigjmp_buf bus_jb;
static struct con *volatile bus_con;	/* the console being worked on, or NULL */

static void on_sigbus(int sig)
{
	if (!bus_con) {	/* not a guest's memory: die as we would have */
		signal(SIGBUS, SIG_DFL);
		raise(sig);
		return;
	}
	siglongjmp(bus_jb, 1);
}

/* One piece of work on c; false if its memory went away under it (c is freed then). */
static bool con_guarded(struct con *c, enum con_work w, struct evsrc *src, uint32_t arg)
{
	if (sigsetjmp(bus_jb, 1)) {
		char n[24];

		bus_con = NULL;
		gmk(c->number, n, sizeof(n));
		say("console %s: channel %s: the client's memory is gone (SIGBUS): detaching",
		    c->name, n);
		conlog_mark(&c->log, "channel closed: the partition was destroyed");
		remove_state_file(c);
		con_free(c);
		return false;
	}
	bus_con = c;
	switch (w) {
	case WORK_TICK:
		if (c->state != ST_RUNNING || !c->again)
			poll_state(c);
		if (c->state == ST_RUNNING) {
			if (c->again)
				serve_tx(c);
			else
				check_drops(c, c->txq.last_avail, chan_dev_queue_pending(&c->txq));
		}
		break;
	case WORK_EVENT:
		if (src)
			on_event(src, arg);
		break;
	case WORK_REFORMATTED:
		con_reformatted(c, arg);
		break;
	}
	bus_con = NULL;
	return true;
}

static void on_signal(int sig)
{
	g.stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ultra-consoled [-s|--server PARTITION] [-l|--log-dir DIR] [-r|--run-dir DIR]\n"
		   "                      [-m|--log-max BYTES]\n"
		   "Serves every console channel: the guest's output goes to DIR/NAME.log (capped:\n"
		   "rotated to NAME.log.1 past BYTES, default 4M) and to a PTY whose path is written\n"
		   "to RUN/NAME.pty; what is written to the PTY goes to the guest.\n"
		   "PARTITION is the I/O partition the daemon serves as (default console-io).\n");
}

int consoled_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "log-max", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct ultra_err e = { 0 };
	struct epoll_event evs[32];
	time_t last = 0;
	unsigned int i;
	int opt, n;
	char sn[24];

	while ((opt = getopt_long(argc, argv, "s:l:r:m:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			g.server_arg = optarg;
			break;
		case 'l':
			g.log_dir = optarg;
			break;
		case 'r':
			g.run_dir = optarg;
			break;
		case 'm': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 0);

			if (*end == 'k' || *end == 'K')
				v <<= 10, end++;
			else if (*end == 'm' || *end == 'M')
				v <<= 20, end++;
			if (*end || v < CONLOG_MIN_CAP) {
				fprintf(stderr, "ultra-consoled: --log-max: at least %llu bytes\n",
					CONLOG_MIN_CAP);
				return 2;
			}
			g.log_cap = v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	g.dev = ultra_open(NULL, &e);
	if (g.dev < 0 || ultra_part_lookup(g.dev, g.server_arg, &g.server, &e)) {
		ultra_err_print(stderr, "ultra-consoled", &e);
		return 1;
	}
	if (mkdirs(g.log_dir) || mkdirs(g.run_dir)) {
		fprintf(stderr, "ultra-consoled: cannot create %s or %s: %s\n", g.log_dir,
			g.run_dir, strerror(errno));
		return 1;
	}
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.ep < 0) {
		perror("ultra-consoled: epoll");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGBUS, on_sigbus);
	signal(SIGPIPE, SIG_IGN);
	gmk(g.server, sn, sizeof(sn));
	say("serving console channels as %s %s; logs in %s, pty paths in %s", g.server_arg, sn,
	    g.log_dir, g.run_dir);
	while (!g.stop) {
		bool busy = false;
		time_t now = time(NULL);

		if (now != last) {
			last = now;
			discover();
		}
		for (i = 0; i < MAX_CHANNELS; i++) {
			struct con *c = &g.con[i];

			if (!c->used || !con_guarded(c, WORK_TICK, NULL, 0))
				continue;
			busy |= c->used && c->again;
		}
		n = epoll_wait(g.ep, evs, 32, busy ? 0 : 100);
		if (n < 0 && errno != EINTR) {
			perror("ultra-consoled: epoll_wait");
			break;
		}
		for (i = 0; n > 0 && i < (unsigned int)n; i++) {
			struct evsrc *src = evs[i].data.ptr;

			if (src->c->used)
				con_guarded(src->c, WORK_EVENT, src, evs[i].events);
		}
	}
	say("stopping");
	for (i = 0; i < MAX_CHANNELS; i++)
		if (g.con[i].used) {
			remove_state_file(&g.con[i]);
			con_free(&g.con[i]);
		}
	return 0;
}
