// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the split-virtqueue library (userspace/lib/chan_queue*.c) over a
 * channel laid out in a 1 MiB "client memory" buffer, exactly as a server sees one:
 * round trips, the 16-bit index wrap, a restarted server resuming, event-index and
 * flag notification decisions, bursts that need far fewer notifications than
 * messages (one thread, then two threads sleeping on eventfds), and every kind of
 * hostile descriptor the guest can write: each one is refused with its reason and
 * leaves the queue broken.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/ultravisor_channel.h>

#include "chan_header.h"
#include "chan_mem.h"
#include "chan_queue.h"

#define GPA_BASE	0x100000ULL
#define MEM_SIZE	(1u << 20)
#define BUF_GPA		(GPA_BASE + 0x80000)	/* data buffers live from here on */
#define MAX_SEG		16

struct fx {
	uint8_t *mem;
	struct chan_mem map;
	struct uv_channel_header *h;
	struct chan_queue_config cfg;
	struct chan_drv_queue drv;
	struct chan_dev_queue dev;
	struct uv_vring_desc *desc;
	struct uv_vring_avail *avail;
	struct uv_vring_used *used;
	struct chan_seg seg[MAX_SEG];
	struct chan_chain chain;
};

static void *host(struct fx *f, uint64_t gpa)
{
	return f->mem + (gpa - GPA_BASE);
}

static void fx_init(struct fx *f, uint16_t size, bool event_idx, bool indirect,
		    enum chan_dir dir)
{
	struct chan_layout l;
	uint64_t bytes;

	memset(f, 0, sizeof(*f));
	f->mem = aligned_alloc(4096, MEM_SIZE);
	ck_assert_ptr_nonnull(f->mem);
	memset(f->mem, 0, MEM_SIZE);
	memset(&l, 0, sizeof(l));
	l.type = UV_CHANNEL_TYPE_CONSOLE;
	l.gpa = GPA_BASE;
	l.num_queues = 1;
	l.queue_size[0] = size;
	bytes = chan_layout_bytes(&l);
	ck_assert_uint_le(bytes, BUF_GPA - GPA_BASE);
	ck_assert_int_eq(chan_layout_format(f->mem, bytes, &l), 0);
	f->h = (struct uv_channel_header *)f->mem;
	chan_mem_init(&f->map);
	ck_assert_int_eq(chan_mem_add(&f->map, GPA_BASE, MEM_SIZE, f->mem), 0);
	ck_assert_int_eq(chan_mem_reserve(&f->map, GPA_BASE, bytes), 0);
	f->cfg.size = size;
	f->cfg.desc_addr = le64toh(f->h->queue[0].desc_addr);
	f->cfg.avail_addr = le64toh(f->h->queue[0].avail_addr);
	f->cfg.used_addr = le64toh(f->h->queue[0].used_addr);
	f->cfg.event_idx = event_idx;
	f->cfg.indirect = indirect;
	f->cfg.dir = dir;
	f->desc = host(f, f->cfg.desc_addr);
	f->avail = host(f, f->cfg.avail_addr);
	f->used = host(f, f->cfg.used_addr);
	ck_assert_int_eq(chan_drv_queue_init(&f->drv, f->desc, f->avail, f->used, size,
					     event_idx), 0);
	ck_assert_int_eq(chan_dev_queue_start(&f->dev, &f->map, &f->cfg), 0);
}

static void fx_fini(struct fx *f)
{
	chan_drv_queue_destroy(&f->drv);
	free(f->mem);
}

static int pop(struct fx *f)
{
	return chan_dev_queue_pop(&f->dev, f->seg, MAX_SEG, &f->chain);
}

/* ---- round trips ----------------------------------------------------------------- */

START_TEST(test_roundtrip)
{
	struct fx f;
	struct chan_buf rd = { BUF_GPA, 5 }, wr = { BUF_GPA + 0x100, 16 };
	char out[16] = { 0 };
	uint32_t len = 0;
	int cookie;

	fx_init(&f, 16, true, false, CHAN_DIR_ANY);
	memcpy(host(&f, BUF_GPA), "hello", 5);
	ck_assert_int_eq(pop(&f), 0);
	ck_assert_int_eq(chan_drv_queue_add(&f.drv, &rd, 1, &wr, 1, &cookie), 0);
	ck_assert_int_eq(pop(&f), 0);		/* added, not yet published */
	ck_assert(chan_drv_queue_publish(&f.drv));	/* avail_event 0: kick */
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_uint_eq(f.chain.nr_seg, 2);
	ck_assert_uint_eq(f.chain.nr_read, 1);
	ck_assert_uint_eq(f.chain.read_bytes, 5);
	ck_assert_uint_eq(f.chain.write_bytes, 16);
	ck_assert(!f.seg[0].write);
	ck_assert(f.seg[1].write);
	ck_assert_ptr_eq(f.seg[0].ptr, host(&f, BUF_GPA));
	ck_assert_uint_eq(chan_chain_read(&f.chain, 0, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "hello");
	ck_assert_uint_eq(chan_chain_read(&f.chain, 2, out, 2), 2);
	ck_assert_int_eq(memcmp(out, "ll", 2), 0);
	ck_assert_uint_eq(chan_chain_read(&f.chain, 5, out, 1), 0);	/* never the write side */
	ck_assert_uint_eq(chan_chain_write(&f.chain, 0, "world!", 6), 6);
	ck_assert_uint_eq(chan_chain_write(&f.chain, 10, "0123456789", 10), 6);	/* clipped */
	ck_assert_int_eq(memcmp(host(&f, BUF_GPA), "hello", 5), 0);	/* read side untouched */
	ck_assert_ptr_null(chan_drv_queue_get_used(&f.drv, &len));
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 6), 0);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 6), -EINVAL);	/* none in flight */
	ck_assert(chan_dev_queue_need_notify(&f.dev));	/* used_event 0: interrupt */
	ck_assert_ptr_eq(chan_drv_queue_get_used(&f.drv, &len), &cookie);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(memcmp(host(&f, BUF_GPA + 0x100), "world!", 6), 0);
	ck_assert_ptr_null(chan_drv_queue_get_used(&f.drv, &len));
	ck_assert_uint_eq(chan_drv_queue_num_free(&f.drv), 16);
	ck_assert_int_eq(f.dev.error, 0);
	fx_fini(&f);
}
END_TEST

/* Many chains through a small queue: both 16-bit indices wrap several times. */
/* expose per chain, one kick decision per batch; used entries added, then published */
START_TEST(test_batched_publish)
{
	struct fx f;
	struct chan_buf rd = { BUF_GPA, 8 };
	int cookie[4];
	unsigned int i;

	fx_init(&f, 16, true, false, CHAN_DIR_DEVICE_READS);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(chan_drv_queue_add(&f.drv, &rd, 1, NULL, 0, &cookie[i]), 0);
		chan_drv_queue_expose(&f.drv);
		ck_assert_uint_eq(le16toh(f.avail->idx), i + 1);	/* visible at once */
		ck_assert_int_eq(pop(&f), 1);
		ck_assert_int_eq(chan_dev_queue_add_used(&f.dev, f.chain.head, 0), 0);
	}
	ck_assert_uint_eq(f.drv.stats.notify + f.drv.stats.notify_suppressed, 0);
	/* the decision covers all four: avail_event 0 lies in [0, 4) */
	ck_assert(chan_drv_queue_publish(&f.drv));
	ck_assert(!chan_drv_queue_publish(&f.drv));		/* nothing new */
	ck_assert_uint_eq(le16toh(f.used->idx), 0);		/* added, not published */
	ck_assert_ptr_null(chan_drv_queue_get_used(&f.drv, NULL));
	chan_dev_queue_publish_used(&f.dev);
	ck_assert_uint_eq(le16toh(f.used->idx), 4);
	for (i = 0; i < 4; i++)
		ck_assert_ptr_eq(chan_drv_queue_get_used(&f.drv, NULL), &cookie[i]);
	/* need_notify publishes what was added before it decides */
	ck_assert_int_eq(chan_drv_queue_add(&f.drv, &rd, 1, NULL, 0, &cookie[0]), 0);
	chan_drv_queue_expose(&f.drv);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_add_used(&f.dev, f.chain.head, 0), 0);
	ck_assert(chan_drv_queue_enable_cb(&f.drv) == false);	/* used_event = 4 */
	ck_assert(chan_dev_queue_need_notify(&f.dev));
	ck_assert_uint_eq(le16toh(f.used->idx), 5);
	ck_assert_ptr_eq(chan_drv_queue_get_used(&f.drv, NULL), &cookie[0]);
	fx_fini(&f);
}
END_TEST

START_TEST(test_index_wrap)
{
	static int tokens[8];
	struct fx f;
	uint32_t sent = 0, got = 0, served = 0;
	unsigned int i;

	fx_init(&f, 8, true, false, CHAN_DIR_DEVICE_READS);
	while (got < 200000) {
		for (i = 0; i < 1 + sent % 5 && chan_drv_queue_num_free(&f.drv); i++) {
			struct chan_buf b = { BUF_GPA + 8ULL * (sent % 8), 8 };
			uint64_t v = sent;

			memcpy(host(&f, b.gpa), &v, 8);
			ck_assert_int_eq(chan_drv_queue_add(&f.drv, &b, 1, NULL, 0,
							    &tokens[sent % 8]), 0);
			sent++;
		}
		chan_drv_queue_publish(&f.drv);
		while (pop(&f) == 1) {
			uint64_t v;

			ck_assert_uint_eq(chan_chain_read(&f.chain, 0, &v, 8), 8);
			ck_assert_uint_eq(v, served);
			served++;
			ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
		}
		while (chan_drv_queue_get_used(&f.drv, NULL))
			got++;
	}
	ck_assert_uint_eq(served, got);
	ck_assert_uint_eq(le16toh(f.used->idx), (uint16_t)got);
	ck_assert_uint_eq(le16toh(f.avail->idx), (uint16_t)sent);
	ck_assert_int_eq(f.dev.error, 0);
	ck_assert_int_eq(f.drv.error, 0);
	fx_fini(&f);
}
END_TEST

/* A server restarted with chains in flight serves them again, then carries on. */
START_TEST(test_resume)
{
	static int tokens[16];
	struct fx f;
	struct chan_dev_queue again;
	unsigned int i;
	uint16_t heads[3];

	fx_init(&f, 16, true, false, CHAN_DIR_DEVICE_READS);
	for (i = 0; i < 5; i++) {
		struct chan_buf b = { BUF_GPA + 16ULL * i, 16 };

		ck_assert_int_eq(chan_drv_queue_add(&f.drv, &b, 1, NULL, 0, &tokens[i]), 0);
	}
	chan_drv_queue_publish(&f.drv);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	for (i = 0; i < 3; i++) {	/* popped, never pushed: the server dies */
		ck_assert_int_eq(pop(&f), 1);
		heads[i] = f.chain.head;
	}
	f.cfg.resume = true;
	ck_assert_int_eq(chan_dev_queue_start(&again, &f.map, &f.cfg), 0);
	ck_assert_uint_eq(again.last_avail, 2);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(chan_dev_queue_pop(&again, f.seg, MAX_SEG, &f.chain), 1);
		ck_assert_uint_eq(f.chain.head, heads[i]);
		ck_assert_int_eq(chan_dev_queue_push(&again, f.chain.head, 0), 0);
	}
	ck_assert_int_eq(chan_dev_queue_pop(&again, f.seg, MAX_SEG, &f.chain), 0);
	for (i = 0; i < 5; i++)
		ck_assert_ptr_eq(chan_drv_queue_get_used(&f.drv, NULL), &tokens[i]);
	fx_fini(&f);
}
END_TEST

/* ---- notification decisions ------------------------------------------------------ */

static void add_one(struct fx *f, void *cookie)
{
	struct chan_buf b = { BUF_GPA, 8 };

	ck_assert_int_eq(chan_drv_queue_add(&f->drv, &b, 1, NULL, 0, cookie), 0);
}

START_TEST(test_event_idx_kicks)
{
	static int t;
	struct fx f;

	fx_init(&f, 16, true, false, CHAN_DIR_DEVICE_READS);
	/* the device asked (avail_event = 0) -> the first publish kicks */
	add_one(&f, &t);
	ck_assert(chan_drv_queue_publish(&f.drv));
	/* the device did not renew its request: later publishes do not kick */
	add_one(&f, &t);
	ck_assert(!chan_drv_queue_publish(&f.drv));
	add_one(&f, &t);
	add_one(&f, &t);
	ck_assert(!chan_drv_queue_publish(&f.drv));
	ck_assert(!chan_drv_queue_publish(&f.drv));	/* nothing new: no kick */
	/* the device drains and asks again: one kick for the next batch */
	while (pop(&f) == 1)
		ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(!chan_dev_queue_enable_notify(&f.dev));
	ck_assert_uint_eq(le16toh(*f.dev.avail_event), 4);
	add_one(&f, &t);
	add_one(&f, &t);
	ck_assert(chan_drv_queue_publish(&f.drv));
	/* asking while chains wait says so: the device must not sleep */
	ck_assert(chan_dev_queue_enable_notify(&f.dev));
	ck_assert_uint_eq(f.drv.stats.notify, 2);
	ck_assert_uint_eq(f.drv.stats.notify_suppressed, 2);
	fx_fini(&f);
}
END_TEST

START_TEST(test_event_idx_interrupts)
{
	static int t;
	struct fx f;
	int i;

	fx_init(&f, 16, true, false, CHAN_DIR_DEVICE_READS);
	for (i = 0; i < 6; i++)
		add_one(&f, &t);
	chan_drv_queue_publish(&f.drv);
	/* used_event = 0: the first used entry interrupts, the next ones do not */
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(chan_dev_queue_need_notify(&f.dev));
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(!chan_dev_queue_need_notify(&f.dev));
	ck_assert(!chan_dev_queue_need_notify(&f.dev));	/* nothing new */
	/* the driver takes both and re-arms: the next used entry interrupts */
	ck_assert_ptr_nonnull(chan_drv_queue_get_used(&f.drv, NULL));
	ck_assert_ptr_nonnull(chan_drv_queue_get_used(&f.drv, NULL));
	ck_assert(!chan_drv_queue_enable_cb(&f.drv));
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(chan_dev_queue_need_notify(&f.dev));
	/* delayed: 3 outstanding, notify only once the 3rd (index 2 of them) is used */
	ck_assert_ptr_nonnull(chan_drv_queue_get_used(&f.drv, NULL));
	ck_assert(!chan_drv_queue_enable_cb_delayed(&f.drv));
	ck_assert_uint_eq(le16toh(*f.drv.used_event), 3 + 2);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(pop(&f), 1);
		ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
		ck_assert(chan_dev_queue_need_notify(&f.dev) == (i == 2));
	}
	ck_assert_uint_eq(f.dev.stats.notify, 3);
	ck_assert_uint_eq(f.dev.stats.notify_suppressed, 3);
	fx_fini(&f);
}
END_TEST

/* Without VIRTIO_F_EVENT_IDX: the NO_NOTIFY / NO_INTERRUPT flags. */
START_TEST(test_flag_notifications)
{
	static int t;
	struct fx f;

	fx_init(&f, 16, false, false, CHAN_DIR_DEVICE_READS);
	add_one(&f, &t);
	ck_assert(chan_drv_queue_publish(&f.drv));
	add_one(&f, &t);
	ck_assert(chan_drv_queue_publish(&f.drv));	/* flags: every publish kicks */
	chan_dev_queue_disable_notify(&f.dev);
	ck_assert_uint_eq(le16toh(f.used->flags), UV_VRING_USED_F_NO_NOTIFY);
	add_one(&f, &t);
	ck_assert(!chan_drv_queue_publish(&f.drv));
	ck_assert(chan_dev_queue_enable_notify(&f.dev));	/* three waiting */
	ck_assert_uint_eq(le16toh(f.used->flags), 0);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(chan_dev_queue_need_notify(&f.dev));
	chan_drv_queue_disable_cb(&f.drv);
	ck_assert_uint_eq(le16toh(f.avail->flags), UV_VRING_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(!chan_dev_queue_need_notify(&f.dev));
	ck_assert(chan_drv_queue_enable_cb(&f.drv));	/* two used waiting */
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
	ck_assert(chan_dev_queue_need_notify(&f.dev));
	fx_fini(&f);
}
END_TEST

/*
 * 10 000 messages in bursts of 1..64, one thread playing both sides the way they
 * behave: the device serves up to 48 chains per turn and only when it has drained
 * the queue re-arms and sleeps; the driver reclaims, re-arms with a delay and adds
 * the next burst. With event indices the kicks and interrupts are a small fraction
 * of the messages (and of the publishes); without suppression (VIRTIO flags never
 * set) every publish kicks and every used chain interrupts.
 */
struct burst_counts {
	uint64_t msgs, publishes, kicks, irqs;
};

static void bursts(bool suppress, struct burst_counts *n)
{
	static int t;
	struct fx f;
	unsigned int seed = 42, i;
	bool dev_asleep = true;

	fx_init(&f, 256, suppress, false, CHAN_DIR_DEVICE_READS);
	memset(n, 0, sizeof(*n));
	while (n->msgs < 10000) {
		unsigned int burst = 1 + rand_r(&seed) % 64;

		for (i = 0; i < burst && chan_drv_queue_num_free(&f.drv); i++, n->msgs++)
			add_one(&f, &t);
		n->publishes++;
		if (chan_drv_queue_publish(&f.drv)) {
			n->kicks++;
			dev_asleep = false;
		}
		if (!dev_asleep) {
			unsigned int budget = 1 + rand_r(&seed) % 48;

			while (budget-- && pop(&f) == 1) {
				ck_assert_int_eq(chan_dev_queue_push(&f.dev, f.chain.head, 0), 0);
				if (!suppress && chan_dev_queue_need_notify(&f.dev))
					n->irqs++;	/* asked after every chain */
			}
			if (suppress && chan_dev_queue_need_notify(&f.dev))
				n->irqs++;
			if (!chan_dev_queue_pending(&f.dev) && !chan_dev_queue_enable_notify(&f.dev))
				dev_asleep = true;
		}
		while (chan_drv_queue_get_used(&f.drv, NULL))
			;
		chan_drv_queue_enable_cb_delayed(&f.drv);
	}
	ck_assert_int_eq(f.dev.error, 0);
	fx_fini(&f);
}

START_TEST(test_bursts_few_notifications)
{
	struct burst_counts e, o;

	bursts(true, &e);
	bursts(false, &o);
	printf("bursts: %lu messages in %lu publishes; event idx: %lu kicks, %lu interrupts; "
	       "no suppression: %lu kicks, %lu interrupts\n",
	       (unsigned long)e.msgs, (unsigned long)e.publishes, (unsigned long)e.kicks,
	       (unsigned long)e.irqs, (unsigned long)o.kicks, (unsigned long)o.irqs);
	ck_assert_uint_ge(e.msgs, 10000);
	ck_assert_uint_lt(e.kicks * 10, e.msgs);
	ck_assert_uint_lt(e.irqs * 10, e.msgs);
	ck_assert_uint_lt(e.kicks, e.publishes);	/* kicks to an awake device are suppressed */
	ck_assert_uint_eq(o.kicks, o.publishes);
	ck_assert_uint_gt(o.irqs, o.msgs / 2);
}
END_TEST

/* ---- two threads, sleeping on eventfds ---------------------------------------------- */

#define THREAD_MSGS 200000

struct duo {
	struct fx f;
	int kick_fd;		/* driver -> device */
	int irq_fd;		/* device -> driver */
	uint64_t kicks, irqs, bad;
};

static void wait_fd(int fd)
{
	uint64_t v;

	ck_assert_int_eq(read(fd, &v, sizeof(v)), sizeof(v));
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	ck_assert_int_eq(write(fd, &one, sizeof(one)), sizeof(one));
}

static void *device_thread(void *arg)
{
	struct duo *d = arg;
	struct chan_seg seg[4];
	struct chan_chain c;
	uint64_t expect = 0, v;

	while (expect < THREAD_MSGS) {
		int r = chan_dev_queue_pop(&d->f.dev, seg, 4, &c);

		if (r < 0)
			break;
		if (r == 0) {
			if (chan_dev_queue_need_notify(&d->f.dev)) {
				d->irqs++;
				signal_fd(d->irq_fd);
			}
			if (!chan_dev_queue_enable_notify(&d->f.dev))
				wait_fd(d->kick_fd);
			chan_dev_queue_disable_notify(&d->f.dev);
			continue;
		}
		if (chan_chain_read(&c, 0, &v, 8) != 8 || v != expect)
			d->bad++;
		expect++;
		chan_dev_queue_push(&d->f.dev, c.head, 0);
	}
	if (chan_dev_queue_need_notify(&d->f.dev)) {
		d->irqs++;
		signal_fd(d->irq_fd);
	}
	return NULL;
}

START_TEST(test_two_threads)
{
	static uint64_t slot_token[64];
	struct duo *d = calloc(1, sizeof(*d));
	pthread_t th;
	uint64_t sent = 0, done = 0;

	ck_assert_ptr_nonnull(d);
	fx_init(&d->f, 64, true, false, CHAN_DIR_DEVICE_READS);
	d->kick_fd = eventfd(0, 0);
	d->irq_fd = eventfd(0, 0);
	ck_assert_int_ge(d->kick_fd, 0);
	ck_assert_int_ge(d->irq_fd, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, device_thread, d), 0);
	while (done < THREAD_MSGS) {
		unsigned int n = 0;

		while (sent < THREAD_MSGS && chan_drv_queue_num_free(&d->f.drv) && n++ < 16) {
			/* one 8-byte buffer per descriptor slot, reused once it comes back */
			uint16_t head = d->f.drv.free_head;
			struct chan_buf b = { BUF_GPA + 8ULL * head, 8 };

			memcpy(host(&d->f, b.gpa), &sent, 8);
			ck_assert_int_eq(chan_drv_queue_add(&d->f.drv, &b, 1, NULL, 0,
							    &slot_token[head]), 0);
			sent++;
		}
		if (chan_drv_queue_publish(&d->f.drv)) {
			d->kicks++;
			signal_fd(d->kick_fd);
		}
		while (chan_drv_queue_get_used(&d->f.drv, NULL))
			done++;
		if (done < THREAD_MSGS && (sent == THREAD_MSGS || !chan_drv_queue_num_free(&d->f.drv))) {
			/* nothing to add: sleep until the device has used some */
			if (!chan_drv_queue_enable_cb_delayed(&d->f.drv))
				wait_fd(d->irq_fd);
			chan_drv_queue_disable_cb(&d->f.drv);
		}
	}
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	printf("two threads: %d messages, %lu kicks, %lu interrupts\n", THREAD_MSGS,
	       (unsigned long)d->kicks, (unsigned long)d->irqs);
	ck_assert_uint_eq(d->bad, 0);
	ck_assert_int_eq(d->f.dev.error, 0);
	ck_assert_int_eq(d->f.drv.error, 0);
	ck_assert_uint_lt(d->kicks + d->irqs, THREAD_MSGS);
	close(d->kick_fd);
	close(d->irq_fd);
	fx_fini(&d->f);
	free(d);
}
END_TEST

/* ---- hostile guests -------------------------------------------------------------- */

static void raw_desc(struct fx *f, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	f->desc[i].addr = htole64(addr);
	f->desc[i].len = htole32(len);
	f->desc[i].flags = htole16(flags);
	f->desc[i].next = htole16(next);
}

/* Make @head available as entry 0 and publish avail idx 1. */
static void raw_offer(struct fx *f, uint16_t head)
{
	f->avail->ring[0] = htole16(head);
	f->avail->idx = htole16(1);
}

static void expect_broken(struct fx *f, int reason, const char *text)
{
	ck_assert_int_eq(pop(f), -EIO);
	ck_assert_msg(f->dev.error == reason, "reason %s, want %s: %s",
		      chan_error_name(f->dev.error), chan_error_name(reason), f->dev.why);
	ck_assert_msg(strstr(f->dev.why, text), "why: %s", f->dev.why);
	/* broken stays broken: nothing more is read or written */
	ck_assert_int_eq(pop(f), -EIO);
	ck_assert_int_eq(chan_dev_queue_push(&f->dev, 0, 0), -EIO);
	ck_assert(!chan_dev_queue_need_notify(&f->dev));
	ck_assert(!chan_dev_queue_pending(&f->dev));
	ck_assert(!chan_dev_queue_enable_notify(&f->dev));
	ck_assert_uint_eq(f->dev.stats.chains, 0);
	/* only the first reason is kept */
	chan_dev_queue_fail(&f->dev, UV_CHANNEL_ERR_HEADER, "later");
	ck_assert_int_eq(f->dev.error, reason);
	fx_fini(f);
}

#define HOSTILE(name, size, evt, ind, dir, reason, text, ...)		\
	START_TEST(name)							\
	{									\
		struct fx f;							\
										\
		fx_init(&f, size, evt, ind, dir);				\
		__VA_ARGS__;							\
		expect_broken(&f, reason, text);				\
	}									\
	END_TEST

HOSTILE(test_addr_past_memory, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "refused",
	raw_desc(&f, 0, GPA_BASE + MEM_SIZE, 16, 0, 0); raw_offer(&f, 0))
HOSTILE(test_addr_below_memory, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "refused",
	raw_desc(&f, 0, 0x1000, 16, 0, 0); raw_offer(&f, 0))
HOSTILE(test_addr_crosses_end, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "refused",
	raw_desc(&f, 0, GPA_BASE + MEM_SIZE - 8, 16, 0, 0); raw_offer(&f, 0))
HOSTILE(test_addr_second_desc, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "refused",
	raw_desc(&f, 3, BUF_GPA, 16, UV_VRING_DESC_F_NEXT, 7);
	raw_desc(&f, 7, 0xdead0000000ULL, 16, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 3))
HOSTILE(test_wrap, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_WRAP, "wrap",
	raw_desc(&f, 0, 0xfffffffffffff000ULL, 0x2000, 0, 0); raw_offer(&f, 0))
HOSTILE(test_zero_len, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_LEN, "len",
	raw_desc(&f, 0, BUF_GPA, 0, 0, 0); raw_offer(&f, 0))
HOSTILE(test_oversized, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_LEN, "more than",
	raw_desc(&f, 0, BUF_GPA, 0xffffffffu, 0, 0); raw_offer(&f, 0))
HOSTILE(test_oversized_chain, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_LEN, "more than",
	f.dev.max_chain_bytes = 0x3000;
	raw_desc(&f, 0, BUF_GPA, 0x2000, UV_VRING_DESC_F_NEXT, 1);
	raw_desc(&f, 1, BUF_GPA + 0x2000, 0x1001, 0, 0); raw_offer(&f, 0))
HOSTILE(test_overlap_write_read, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_OVERLAP, "overlaps buffer 0",
	raw_desc(&f, 0, BUF_GPA, 100, UV_VRING_DESC_F_NEXT, 1);
	raw_desc(&f, 1, BUF_GPA + 50, 100, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 0))
HOSTILE(test_overlap_write_write, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_OVERLAP, "overlaps buffer 0",
	raw_desc(&f, 0, BUF_GPA + 99, 1, UV_VRING_DESC_F_WRITE | UV_VRING_DESC_F_NEXT, 1);
	raw_desc(&f, 1, BUF_GPA, 100, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 0))
HOSTILE(test_overlap_channel, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_OVERLAP, "overlap",
	/* the device would write the channel header */
	raw_desc(&f, 0, GPA_BASE + 0x40, 8, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 0))
HOSTILE(test_overlap_rings, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_OVERLAP, "overlaps the queue's rings",
	/* rings moved out of the channel into ordinary memory, buffer pointing at them */
	f.cfg.used_addr = BUF_GPA + 0x10000;
	ck_assert_int_eq(chan_dev_queue_start(&f.dev, &f.map, &f.cfg), 0);
	raw_desc(&f, 0, BUF_GPA + 0x10000, 8, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 0))
HOSTILE(test_loop_two, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_LOOP, "loop",
	raw_desc(&f, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 1);
	raw_desc(&f, 1, BUF_GPA + 8, 8, UV_VRING_DESC_F_NEXT, 0); raw_offer(&f, 0))
HOSTILE(test_loop_self, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_LOOP, "loop",
	raw_desc(&f, 5, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 5); raw_offer(&f, 5))
HOSTILE(test_head_out_of_range, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_HEAD, "head 16",
	raw_desc(&f, 0, BUF_GPA, 8, 0, 0); raw_offer(&f, 16))
HOSTILE(test_head_ffff, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_HEAD, "head 65535",
	raw_offer(&f, 0xffff))
HOSTILE(test_next_out_of_range, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_NEXT, "next 16",
	raw_desc(&f, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 16); raw_offer(&f, 0))
HOSTILE(test_avail_jump, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_AVAIL_IDX, "17 entries",
	raw_desc(&f, 0, BUF_GPA, 8, 0, 0); raw_offer(&f, 0); f.avail->idx = htole16(17))
HOSTILE(test_avail_backwards, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_AVAIL_IDX, "avail idx 65535",
	raw_desc(&f, 0, BUF_GPA, 8, 0, 0); f.avail->idx = htole16(0xffff))
HOSTILE(test_write_on_read_queue, 16, true, false, CHAN_DIR_DEVICE_READS, UV_CHANNEL_ERR_DIRECTION, "only reads",
	raw_desc(&f, 0, BUF_GPA, 8, UV_VRING_DESC_F_WRITE, 0); raw_offer(&f, 0))
HOSTILE(test_read_on_write_queue, 16, true, false, CHAN_DIR_DEVICE_WRITES, UV_CHANNEL_ERR_DIRECTION, "only writes",
	raw_desc(&f, 0, BUF_GPA, 8, 0, 0); raw_offer(&f, 0))
HOSTILE(test_read_after_write, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_ORDER, "after a writable",
	raw_desc(&f, 0, BUF_GPA, 8, UV_VRING_DESC_F_WRITE | UV_VRING_DESC_F_NEXT, 1);
	raw_desc(&f, 1, BUF_GPA + 8, 8, 0, 0); raw_offer(&f, 0))
HOSTILE(test_too_many_segments, 32, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_SEGMENTS, "more than 16 buffers",
	for (int i = 0; i < 17; i++)
		raw_desc(&f, i, BUF_GPA + 8ULL * i, 8, i < 16 ? UV_VRING_DESC_F_NEXT : 0, i + 1);
	raw_offer(&f, 0))
HOSTILE(test_indirect_not_negotiated, 16, true, false, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "not negotiated",
	raw_desc(&f, 0, BUF_GPA, 32, UV_VRING_DESC_F_INDIRECT, 0); raw_offer(&f, 0))
HOSTILE(test_indirect_with_next, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "with NEXT",
	raw_desc(&f, 0, BUF_GPA, 32, UV_VRING_DESC_F_INDIRECT | UV_VRING_DESC_F_NEXT, 1);
	raw_offer(&f, 0))
HOSTILE(test_indirect_bad_len, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "16-byte entries",
	raw_desc(&f, 0, BUF_GPA, 24, UV_VRING_DESC_F_INDIRECT, 0); raw_offer(&f, 0))
HOSTILE(test_indirect_too_big, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "at most 16",
	raw_desc(&f, 0, BUF_GPA, 17 * 16, UV_VRING_DESC_F_INDIRECT, 0); raw_offer(&f, 0))
HOSTILE(test_indirect_misaligned, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "16-byte aligned",
	raw_desc(&f, 0, BUF_GPA + 8, 32, UV_VRING_DESC_F_INDIRECT, 0); raw_offer(&f, 0))
HOSTILE(test_indirect_table_outside, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "indirect table",
	raw_desc(&f, 0, GPA_BASE + MEM_SIZE, 32, UV_VRING_DESC_F_INDIRECT, 0); raw_offer(&f, 0))

/* an indirect table at BUF_GPA + 0x1000 with @n entries written by the test */
static struct uv_vring_desc *indirect_table(struct fx *f, unsigned int n)
{
	raw_desc(f, 2, BUF_GPA + 0x1000, n * 16, UV_VRING_DESC_F_INDIRECT, 0);
	raw_offer(f, 2);
	return host(f, BUF_GPA + 0x1000);
}

static void ind_desc(struct uv_vring_desc *t, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	t[i].addr = htole64(addr);
	t[i].len = htole32(len);
	t[i].flags = htole16(flags);
	t[i].next = htole16(next);
}

HOSTILE(test_indirect_nested, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_INDIRECT, "inside an indirect",
	struct uv_vring_desc *t = indirect_table(&f, 2);
	ind_desc(t, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 1);
	ind_desc(t, 1, BUF_GPA + 0x1000, 32, UV_VRING_DESC_F_INDIRECT, 0))
HOSTILE(test_indirect_loop, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_LOOP, "more than 3",
	struct uv_vring_desc *t = indirect_table(&f, 3);
	ind_desc(t, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 1);
	ind_desc(t, 1, BUF_GPA + 8, 8, UV_VRING_DESC_F_NEXT, 2);
	ind_desc(t, 2, BUF_GPA + 16, 8, UV_VRING_DESC_F_NEXT, 0))
HOSTILE(test_indirect_next_out, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_NEXT, "indirect table size 2",
	struct uv_vring_desc *t = indirect_table(&f, 2);
	ind_desc(t, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 2))
HOSTILE(test_indirect_entry_outside, 16, true, true, CHAN_DIR_ANY, UV_CHANNEL_ERR_ADDR, "refused",
	struct uv_vring_desc *t = indirect_table(&f, 2);
	ind_desc(t, 0, BUF_GPA, 8, UV_VRING_DESC_F_NEXT, 1);
	ind_desc(t, 1, 0x10, 8, UV_VRING_DESC_F_WRITE, 0))

START_TEST(test_indirect_ok)
{
	struct fx f;
	struct uv_vring_desc *t;

	fx_init(&f, 16, true, true, CHAN_DIR_ANY);
	t = indirect_table(&f, 3);
	ind_desc(t, 0, BUF_GPA, 10, UV_VRING_DESC_F_NEXT, 2);
	ind_desc(t, 2, BUF_GPA + 0x100, 20, UV_VRING_DESC_F_NEXT, 1);
	ind_desc(t, 1, BUF_GPA + 0x200, 30, UV_VRING_DESC_F_WRITE, 0);
	/* overlapping read-only buffers are harmless and allowed */
	ind_desc(t, 2, BUF_GPA + 5, 20, UV_VRING_DESC_F_NEXT, 1);
	ck_assert_int_eq(pop(&f), 1);
	ck_assert_uint_eq(f.chain.head, 2);
	ck_assert_uint_eq(f.chain.nr_seg, 3);
	ck_assert_uint_eq(f.chain.nr_read, 2);
	ck_assert_uint_eq(f.chain.read_bytes, 30);
	ck_assert_uint_eq(f.chain.write_bytes, 30);
	ck_assert_ptr_eq(f.seg[2].ptr, host(&f, BUF_GPA + 0x200));
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, 2, 30), 0);
	ck_assert_uint_eq(le32toh(f.used->ring[0].id), 2);
	ck_assert_uint_eq(le32toh(f.used->ring[0].len), 30);
	ck_assert_uint_eq(le16toh(f.used->idx), 1);
	fx_fini(&f);
}
END_TEST

/* The guest rewrites the ring after the device read it: the copy is what counts. */
START_TEST(test_changed_after_read)
{
	struct fx f;

	fx_init(&f, 16, true, false, CHAN_DIR_DEVICE_READS);
	raw_desc(&f, 0, BUF_GPA, 8, 0, 0);
	raw_offer(&f, 0);
	ck_assert_int_eq(pop(&f), 1);
	raw_desc(&f, 0, 0xdead000, 8, UV_VRING_DESC_F_WRITE, 0);
	ck_assert_ptr_eq(f.seg[0].ptr, host(&f, BUF_GPA));
	ck_assert_uint_eq(f.seg[0].len, 8);
	ck_assert(!f.seg[0].write);
	ck_assert_int_eq(chan_dev_queue_push(&f.dev, 0, 0), 0);
	ck_assert_int_eq(pop(&f), 0);
	fx_fini(&f);
}
END_TEST

START_TEST(test_bad_rings)
{
	struct fx f;
	struct chan_queue_config c;
	struct chan_dev_queue q;

	fx_init(&f, 16, true, false, CHAN_DIR_ANY);
#define BAD_START(stmt, text) do {							\
		c = f.cfg;								\
		stmt;									\
		ck_assert_int_eq(chan_dev_queue_start(&q, &f.map, &c), -EINVAL);	\
		ck_assert_int_eq(q.error, UV_CHANNEL_ERR_RING);				\
		ck_assert_msg(strstr(q.why, text), "%s", q.why);			\
		ck_assert_int_eq(chan_dev_queue_pop(&q, f.seg, MAX_SEG, &f.chain), -EIO); \
	} while (0)
	BAD_START(c.size = 0, "power of two");
	BAD_START(c.size = 24, "power of two");
	BAD_START(c.size = 65535, "power of two");
	BAD_START(c.desc_addr += 8, "16-byte aligned");
	BAD_START(c.avail_addr += 1, "2-byte aligned");
	BAD_START(c.used_addr += 2, "4-byte aligned");
	BAD_START(c.desc_addr = GPA_BASE + MEM_SIZE - 16ULL * 8, "not in client memory");
	BAD_START(c.used_addr = 0xfffffffffffffff0ULL, "not in client memory");
	BAD_START(c.avail_addr = c.desc_addr + 16, "overlaps");
	BAD_START(c.used_addr = c.avail_addr + 4, "overlaps");
#undef BAD_START
	fx_fini(&f);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("chan_queue");
	TCase *tc = tcase_create("queue");
	TCase *th = tcase_create("hostile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_batched_publish);
	tcase_add_test(tc, test_index_wrap);
	tcase_add_test(tc, test_resume);
	tcase_add_test(tc, test_event_idx_kicks);
	tcase_add_test(tc, test_event_idx_interrupts);
	tcase_add_test(tc, test_flag_notifications);
	tcase_add_test(tc, test_bursts_few_notifications);
	tcase_add_test(tc, test_two_threads);
	tcase_add_test(tc, test_indirect_ok);
	tcase_add_test(tc, test_changed_after_read);
	tcase_add_test(tc, test_bad_rings);
	suite_add_tcase(s, tc);

	tcase_add_test(th, test_addr_past_memory);
	tcase_add_test(th, test_addr_below_memory);
	tcase_add_test(th, test_addr_crosses_end);
	tcase_add_test(th, test_addr_second_desc);
	tcase_add_test(th, test_wrap);
	tcase_add_test(th, test_zero_len);
	tcase_add_test(th, test_oversized);
	tcase_add_test(th, test_oversized_chain);
	tcase_add_test(th, test_overlap_write_read);
	tcase_add_test(th, test_overlap_write_write);
	tcase_add_test(th, test_overlap_channel);
	tcase_add_test(th, test_overlap_rings);
	tcase_add_test(th, test_loop_two);
	tcase_add_test(th, test_loop_self);
	tcase_add_test(th, test_head_out_of_range);
	tcase_add_test(th, test_head_ffff);
	tcase_add_test(th, test_next_out_of_range);
	tcase_add_test(th, test_avail_jump);
	tcase_add_test(th, test_avail_backwards);
	tcase_add_test(th, test_write_on_read_queue);
	tcase_add_test(th, test_read_on_write_queue);
	tcase_add_test(th, test_read_after_write);
	tcase_add_test(th, test_too_many_segments);
	tcase_add_test(th, test_indirect_not_negotiated);
	tcase_add_test(th, test_indirect_with_next);
	tcase_add_test(th, test_indirect_bad_len);
	tcase_add_test(th, test_indirect_too_big);
	tcase_add_test(th, test_indirect_misaligned);
	tcase_add_test(th, test_indirect_table_outside);
	tcase_add_test(th, test_indirect_nested);
	tcase_add_test(th, test_indirect_loop);
	tcase_add_test(th, test_indirect_next_out);
	tcase_add_test(th, test_indirect_entry_outside);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
