// SPDX-License-Identifier: GPL-2.0
/*
 * The channel queue alone: one producer thread (the virtqueue driver, as a guest)
 * and one consumer thread (the device, as a server), pinned to two cores, passing
 * messages through a 256-entry split virtqueue in shared memory. Both sides touch
 * the payload: the producer copies it into the buffer, the consumer copies it out
 * and checks its sequence number. Payloads of 8 bytes and 4 KiB; modes:
 *   spsc       baseline in the same run: a minimal Lamport ring with cached indices
 *              (FastForward/rigtorp style), 256 slots of the payload size, both
 *              threads spinning: what the best SPSC queues do
 *   vq-spin    the virtqueue, both threads spinning, no notifications at all
 *   vq-evidx   VIRTIO_F_EVENT_IDX: a side that runs dry spins briefly, re-arms and
 *              sleeps on an eventfd; notifications only when the other side asked
 *   vq-always  no suppression: every publish kicks, every used chain interrupts
 *              (an eventfd write each), the sleeping rules otherwise the same
 * Like the baseline, the virtqueue makes every message visible at once (avail->idx
 * per message); as a real driver and device do, the notification decision (and its
 * full fence) and the used index are per batch of BATCH messages, and always
 * before a side waits (except vq-always, which decides per message). Each payload
 * slot is the payload's size, as the baseline's. Each run lasts RUN_SECONDS; REPEAT
 * rounds run every mode once each (the machine is shared: the best run of each is
 * printed, and a busy moment hits all modes alike); prints
 * messages/s, ns per message, notifications per message and the ratio to the
 * baseline. Figures, not a pass/fail test (it fails only if a message is lost or
 * corrupted).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "chan_header.h"
#include "chan_mem.h"
#include "chan_queue.h"

#define RUN_SECONDS	0.6
#define QSIZE		256
#define GPA_BASE	0x100000ULL
#define BUF_OFF		0x100000ULL	/* payload slots: QSIZE x 4 KiB */
#define MEM_SIZE	(BUF_OFF + QSIZE * 4096ULL)
#define LAST		UINT64_MAX	/* sequence number of the final message */
#define SPIN		256		/* empty polls before re-arming and sleeping */
#define BATCH		32		/* messages per notification decision */
#define REPEAT		3

enum mode { SPSC, VQ_SPIN, VQ_EVIDX, VQ_ALWAYS };
static const char *const mode_name[] = { "spsc", "vq-spin", "vq-evidx", "vq-always" };

/*
 * What each thread writes is on cache lines of its own (struct run is 64-aligned):
 * a counter the consumer bumps per message next to a field the producer reads per
 * message would cost both queues a cache miss per message that is not theirs.
 */
#define LINE	__attribute__((aligned(64)))

/* the padding is the point: see above */
// NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding)
struct run {
	/* read-only while running */
	uint8_t *slots;			/* spsc baseline */
	uint8_t *mem;			/* virtqueue memory */
	struct chan_mem map;
	size_t payload;
	enum mode mode;
	int kick_fd, irq_fd;
	/* producer: the baseline's head, the driver, its counters */
	LINE uint32_t head;
	LINE struct chan_drv_queue drv;
	uint64_t sent, kicks;
	unsigned int batch;
	/* consumer */
	LINE uint32_t tail;
	LINE struct chan_dev_queue dev;
	uint64_t received, bad, irqs;
	LINE uint8_t end[0];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void fd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static void fd_wait(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		abort();
}

/* ---- the baseline ---------------------------------------------------------------- */

static void spsc_produce(struct run *r, const uint8_t *msg, uint32_t *tail_cache)
{
	uint32_t h = r->head;	/* only we write it */

	while (h - *tail_cache == QSIZE)
		*tail_cache = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	memcpy(r->slots + (size_t)(h % QSIZE) * r->payload, msg, r->payload);
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
}

static void *spsc_consumer(void *arg)
{
	struct run *r = arg;
	uint8_t out[4096];
	uint32_t t = 0, head_cache = 0;
	uint64_t seq;

	pin(1);
	for (;;) {
		while (t == head_cache)
			head_cache = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		memcpy(out, r->slots + (size_t)(t % QSIZE) * r->payload, r->payload);
		__atomic_store_n(&r->tail, ++t, __ATOMIC_RELEASE);
		memcpy(&seq, out, sizeof(seq));
		if (seq == LAST)
			break;
		if (seq != r->received)
			r->bad++;
		r->received++;
	}
	return NULL;
}

/* ---- the virtqueue --------------------------------------------------------------- */

static void *vq_consumer(void *arg)
{
	struct run *r = arg;
	struct chan_seg seg[4];
	struct chan_chain c;
	uint8_t out[4096];
	unsigned int idle = 0, batch = 0;
	uint64_t seq = 0;
	bool notify = r->mode != VQ_SPIN;

	pin(1);
	for (;;) {
		int got = chan_dev_queue_pop(&r->dev, seg, 4, &c);

		if (got < 0) {
			fprintf(stderr, "bench: queue broken: %s\n", r->dev.why);
			abort();
		}
		if (got == 1) {
			size_t n = chan_chain_read(&c, 0, out, r->payload);

			memcpy(&seq, out, sizeof(seq));
			if (n != r->payload || (seq != LAST && seq != r->received))
				r->bad++;
			chan_dev_queue_add_used(&r->dev, c.head, 0);
			idle = 0;
			if (r->mode == VQ_ALWAYS || ++batch == BATCH || seq == LAST) {
				batch = 0;
				chan_dev_queue_publish_used(&r->dev);
				if (notify && chan_dev_queue_need_notify(&r->dev)) {
					r->irqs++;
					fd_signal(r->irq_fd);
				}
			}
			if (seq == LAST)
				break;
			r->received++;
			continue;
		}
		/* dry: what we took is the producer's room */
		chan_dev_queue_publish_used(&r->dev);
		if (!notify || ++idle < SPIN)
			continue;
		/* dry: tell the driver what we did, ask for a kick, sleep */
		batch = 0;
		if (chan_dev_queue_need_notify(&r->dev)) {
			r->irqs++;
			fd_signal(r->irq_fd);
		}
		if (!chan_dev_queue_enable_notify(&r->dev))
			fd_wait(r->kick_fd);
		if (r->mode == VQ_EVIDX)
			chan_dev_queue_disable_notify(&r->dev);
		idle = 0;
	}
	return NULL;
}

/* Kick decision for everything exposed since the last one. */
static void vq_kick(struct run *r)
{
	if (chan_drv_queue_publish(&r->drv) && r->mode != VQ_SPIN) {
		r->kicks++;
		fd_signal(r->kick_fd);
	}
}

static void vq_reclaim(struct run *r)
{
	unsigned int spins = 0;

	vq_kick(r);	/* before waiting for the device */

	while (chan_drv_queue_get_used(&r->drv, NULL))
		;
	while (!chan_drv_queue_num_free(&r->drv)) {
		if (chan_drv_queue_get_used(&r->drv, NULL))
			continue;
		if (r->mode == VQ_SPIN || ++spins < SPIN)
			continue;
		if (!chan_drv_queue_enable_cb_delayed(&r->drv))
			fd_wait(r->irq_fd);
		if (r->mode == VQ_EVIDX)
			chan_drv_queue_disable_cb(&r->drv);
		spins = 0;
	}
}

static void vq_produce(struct run *r, const uint8_t *msg, bool last)
{
	uint16_t head;
	struct chan_buf b;

	if (!chan_drv_queue_num_free(&r->drv))
		vq_reclaim(r);
	/* one payload slot per descriptor, packed as the baseline's slots */
	head = r->drv.free_head;
	b.gpa = GPA_BASE + BUF_OFF + (uint64_t)head * r->payload;
	b.len = (uint32_t)r->payload;
	memcpy(r->mem + BUF_OFF + (size_t)head * r->payload, msg, r->payload);
	if (chan_drv_queue_add(&r->drv, &b, 1, NULL, 0, r))
		abort();
	/* visible per message, like the baseline; the kick decision per batch */
	chan_drv_queue_expose(&r->drv);
	if (r->mode == VQ_ALWAYS || last || ++r->batch == BATCH) {
		r->batch = 0;
		vq_kick(r);
	}
}

static int vq_setup(struct run *r)
{
	struct chan_queue_config cfg;
	struct chan_layout l;
	const struct uv_channel_queue *q;

	r->mem = aligned_alloc(4096, MEM_SIZE);
	if (!r->mem)
		return -ENOMEM;
	memset(r->mem, 0, MEM_SIZE);
	memset(&l, 0, sizeof(l));
	l.type = UV_CHANNEL_TYPE_CONSOLE;
	l.gpa = GPA_BASE;
	l.num_queues = 1;
	l.queue_size[0] = QSIZE;
	if (chan_layout_format(r->mem, BUF_OFF, &l))
		return -EINVAL;
	q = &((struct uv_channel_header *)r->mem)->queue[0];
	chan_mem_init(&r->map);
	chan_mem_add(&r->map, GPA_BASE, MEM_SIZE, r->mem);
	chan_mem_reserve(&r->map, GPA_BASE, chan_layout_bytes(&l));
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = QSIZE;
	cfg.desc_addr = q->desc_addr;
	cfg.avail_addr = q->avail_addr;
	cfg.used_addr = q->used_addr;
	cfg.event_idx = r->mode != VQ_ALWAYS;
	cfg.dir = CHAN_DIR_DEVICE_READS;
	if (chan_drv_queue_init(&r->drv, r->mem + (cfg.desc_addr - GPA_BASE),
				r->mem + (cfg.avail_addr - GPA_BASE),
				r->mem + (cfg.used_addr - GPA_BASE), QSIZE, cfg.event_idx) ||
	    chan_dev_queue_start(&r->dev, &r->map, &cfg))
		return -EINVAL;
	r->kick_fd = eventfd(0, 0);
	r->irq_fd = eventfd(0, 0);
	return r->kick_fd < 0 || r->irq_fd < 0 ? -errno : 0;
}

/* ---- one run --------------------------------------------------------------------- */

static int run_one(enum mode mode, size_t payload, double *rate, double *notif)
{
	struct run *r = aligned_alloc(64, (sizeof(struct run) + 63) & ~(size_t)63);
	uint8_t msg[4096];
	uint32_t tail_cache = 0;
	pthread_t th;
	double t0, t1;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	memset(msg, 0x5a, sizeof(msg));
	r->mode = mode;
	r->payload = payload;
	if (mode == SPSC) {
		r->slots = aligned_alloc(64, (size_t)QSIZE * 4096);
		if (!r->slots) {
			free(r);
			return -ENOMEM;
		}
	} else if (vq_setup(r)) {
		fprintf(stderr, "bench: setup failed\n");
		free(r->mem);
		free(r);
		return -EINVAL;
	}
	pin(0);
	if (pthread_create(&th, NULL, mode == SPSC ? spsc_consumer : vq_consumer, r))
		abort();
	t0 = now();
	for (;;) {
		uint64_t seq = r->sent;
		unsigned int i;

		for (i = 0; i < 1024; i++, seq++) {
			memcpy(msg, &seq, sizeof(seq));
			if (mode == SPSC)
				spsc_produce(r, msg, &tail_cache);
			else
				vq_produce(r, msg, false);
		}
		r->sent = seq;
		if (now() - t0 >= RUN_SECONDS)
			break;
	}
	memcpy(msg, &(uint64_t){ LAST }, sizeof(uint64_t));
	if (mode == SPSC)
		spsc_produce(r, msg, &tail_cache);
	else
		vq_produce(r, msg, true);
	pthread_join(th, NULL);
	t1 = now();
	*rate = (double)r->received / (t1 - t0);
	*notif = (double)(r->kicks + r->irqs) / (double)r->received;
	if (r->received != r->sent || r->bad) {
		printf("  %-9s %5zu B  LOST/CORRUPT: sent %lu received %lu bad %lu\n",
		       mode_name[mode], payload, (unsigned long)r->sent,
		       (unsigned long)r->received, (unsigned long)r->bad);
		ret = -EIO;
	}
	if (mode == SPSC) {
		free(r->slots);
	} else {
		chan_drv_queue_destroy(&r->drv);
		close(r->kick_fd);
		close(r->irq_fd);
		free(r->mem);
	}
	free(r);
	return ret;
}

int main(void)
{
	static const size_t sizes[] = { 8, 4096 };
	double best[2][VQ_ALWAYS + 1] = { { 0 } }, notif_of_best[2][VQ_ALWAYS + 1] = { { 0 } };
	unsigned int s, k;
	int m, ret = 0;

	printf("SPSC, queue of %d entries, producer on CPU 0, consumer on CPU 1, best of %d runs "
	       "of %.1f s (%ld CPUs online)\n", QSIZE, REPEAT, RUN_SECONDS,
	       sysconf(_SC_NPROCESSORS_ONLN));
	/* rounds of every mode, so that a busy moment of the host hits all of them */
	for (k = 0; k < REPEAT; k++)
		for (s = 0; s < 2; s++)
			for (m = SPSC; m <= VQ_ALWAYS; m++) {
				double rate, notif;

				if (run_one((enum mode)m, sizes[s], &rate, &notif)) {
					ret = 1;
					continue;
				}
				if (rate > best[s][m]) {
					best[s][m] = rate;
					notif_of_best[s][m] = notif;
				}
			}
	for (s = 0; s < 2; s++) {
		double base = best[s][SPSC] > 0 ? best[s][SPSC] : 1;

		for (m = SPSC; m <= VQ_ALWAYS; m++)
			printf("  %-9s %5zu B  %12.0f msg/s  %8.1f ns/msg  %9.4f notif/msg  %5.2fx baseline\n",
			       mode_name[m], sizes[s], best[s][m],
			       best[s][m] > 0 ? 1e9 / best[s][m] : 0, notif_of_best[s][m],
			       best[s][m] / base);
	}
	return ret;
}
