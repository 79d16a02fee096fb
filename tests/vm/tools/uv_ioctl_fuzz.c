// SPDX-License-Identifier: GPL-2.0
/*
 * uv_ioctl_fuzz [CALLS [SEED]]: hammer /dev/ultravisor with random ioctls from
 * inside the emulated host. Command numbers are random, in and around our magic
 * (every known number, the same numbers with other sizes and directions,
 * neighbouring magics); arguments are NULL, unmapped, kernel addresses,
 * PROT_NONE pages, or valid buffers with random bytes, random sizes and random
 * pointers inside; a share of the calls submit random but well-formed looking
 * transactions (real ops, numbers near the database's own pages). Only errnos
 * may come back: the test around it checks the kernel log for Oops/WARN and
 * runs "ultractl db check" afterwards.
 *
 * Seeded (xorshift64*); the seed is printed, and "uv_ioctl_fuzz N SEED" replays
 * the same calls. Holds the command channel (O_RDWR) and also uses a read-only fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_txn.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static const unsigned long known[] = {
	UV_IOC_VERSION, UV_IOC_TXN_SUBMIT, UV_IOC_SNAPSHOT, UV_IOC_LOG_READ, UV_IOC_CHECK,
	UV_IOC_POOL_INFO, UV_IOC_POOL_RESIZE, UV_IOC_QUERY, UV_IOC_PART_LOAD, UV_IOC_PART_CTL,
	UV_IOC_PART_STATUS, UV_IOC_CONSOLE_READ, UV_IOC_PART_ENTRY,
};

#define BUF_SIZE	((size_t)256 * 1024)

static uint8_t *buf;		/* valid, random bytes */
static uint8_t *none;		/* PROT_NONE */
static uint8_t *unmapped;	/* munmap'd */
static uint32_t region_gmk;	/* [G,M,0] of the boot region, from a snapshot */

static unsigned long pick_cmd(void)
{
	unsigned long c = known[below(sizeof(known) / sizeof(known[0]))];

	switch (below(8)) {
	case 0:	/* another size */
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), _IOC_NR(c), below(1 << 14));
	case 1:	/* another direction */
		return _IOC(below(4), _IOC_TYPE(c), _IOC_NR(c), _IOC_SIZE(c));
	case 2:	/* any number of our magic */
		return _IOC(below(4), UV_IOCTL_MAGIC, below(256), below(1 << 14));
	case 3:	/* neighbouring magics */
		return _IOC(below(4), UV_IOCTL_MAGIC - 1 + below(3), below(64), below(4096));
	case 4:
		return (unsigned long)(uint32_t)rnd();
	default:
		return c;
	}
}

static void *pick_ptr(size_t *room)
{
	*room = 0;
	switch (below(10)) {
	case 0:
		return NULL;
	case 1:
		return unmapped + below(4096);
	case 2:
		return (void *)(uintptr_t)(0xffff800000000000ull + (rnd() & 0x7fffffffff8ull));
	case 3:
		return none + below(4096);
	case 4:
		return (void *)(uintptr_t)rnd();
	default:
		*room = BUF_SIZE - 4096;
		return buf + below(64) * 8;
	}
}

static void random_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* A plausible number: near the boot region's own pages, or anything. */
static uint32_t number(void)
{
	switch (below(4)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return (uint32_t)rnd() & UV_ENTRY_GMK;
	default:
		return region_gmk | (uint32_t)below(64) | (below(8) ? 0 : UV_ENTRY_CTRL);
	}
}

static void random_step(struct uv_txn_step *s)
{
	memset(s, 0, sizeof(*s));
	s->op = 1 + below(UV_TXN_OP_MAX + (below(20) ? 0 : 3));
	switch (s->op) {
	case UV_TXN_CHANGE_OWNER:
		s->change_owner.at.map = region_gmk | (below(2) ? 18 : (uint32_t)below(30));
		s->change_owner.at.scale = below(3);
		s->change_owner.at.first = below(1024);
		s->change_owner.at.last = s->change_owner.at.first + below(4);
		s->change_owner.from = number();
		s->change_owner.to = number();
		break;
	case UV_TXN_SPLIT:
	case UV_TXN_MERGE:
		s->split.at.map = region_gmk | (uint32_t)below(30);
		s->split.at.scale = below(3);
		s->split.at.first = s->split.at.last = below(1024);
		s->split.child = number();
		s->split.owner = number();
		break;
	case UV_TXN_INIT_PARTITION:
		s->partition.number = number();
		s->partition.type = below(UV_PT_MAX + 2);
		memcpy(s->partition.name, "fuzz", 4);
		memcpy(s->partition.role, "Fuzz", 4);
		break;
	case UV_TXN_INIT_PROCESSOR:
		s->processor.number = number();
		s->processor.cpu = below(4);
		break;
	case UV_TXN_CHANGE_SCHEDULE:
		s->schedule.number = number();
		s->schedule.first = below(UV_SLOTS);
		s->schedule.last = s->schedule.first;
		s->schedule.from.partition = number();
		s->schedule.to.partition = number();
		break;
	case UV_TXN_CHANGE_SLOT_LENGTH:
		s->slot_length.number = number();
		s->slot_length.from_us = below(2) ? 1000 : below(2000000);
		s->slot_length.to_us = below(2000000);
		break;
	case UV_TXN_INIT_CHANNEL:
		s->channel.number = number();
		s->channel.type = 1;
		s->channel.client = number();
		s->channel.nr_pages = 1 + below(4);
		s->channel.first_pfn = rnd() & 0xfffff;
		break;
	case UV_TXN_CHANGE_SERVER:
		s->server.number = number();
		s->server.index = below(UV_CHANNEL_SERVERS);
		s->server.from = below(2) ? UV_NONE : number();
		s->server.to = number();
		break;
	default:
		s->destroy.number = number();
		break;
	}
	if (!below(50))
		s->raw[below(sizeof(s->raw))] ^= 1 << below(8);	/* a stray bit */
}

static int submit_random(int fd)
{
	static uint64_t txnbuf[(sizeof(struct uv_txn_hdr) + 16 * sizeof(struct uv_txn_step)) / 8];
	struct uv_txn_hdr *h = (void *)txnbuf;
	struct uv_txn_step *s = (void *)(h + 1);
	struct uv_txn_submit a;
	uint32_t i, n = 1 + below(16);

	memset(h, 0, sizeof(*h));
	h->magic = UV_TXN_MAGIC;
	h->version = UV_TXN_VERSION;
	h->hdr_size = sizeof(*h);
	h->step_size = sizeof(*s);
	h->nr_steps = n;
	for (i = 0; i < n; i++)
		random_step(&s[i]);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.txn = (uintptr_t)h;
	a.txn_len = sizeof(*h) + n * sizeof(*s);
	if (!below(20))
		a.txn_len += 8 * (below(5) - 2);
	return ioctl(fd, UV_IOC_TXN_SUBMIT, &a) ? errno : 0;
}

int main(int argc, char **argv)
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL) ^ getpid();
	unsigned long i, ok = 0, errs[256] = { 0 }, txn_errs[256] = { 0 }, commits = 0;
	int rw, ro;

	printf("uv_ioctl_fuzz: %lu calls, seed %llu (replay: uv_ioctl_fuzz %lu %llu)\n", calls,
	       (unsigned long long)seed, calls, (unsigned long long)seed);
	fflush(stdout);
	rng = seed ? seed : 1;
	rw = open(UV_DEVICE_PATH, O_RDWR);
	ro = open(UV_DEVICE_PATH, O_RDONLY);
	if (rw < 0 || ro < 0) {
		perror(UV_DEVICE_PATH);
		return 2;
	}
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || none == MAP_FAILED || unmapped == MAP_FAILED)
		return 2;
	munmap(unmapped, 4096);
	{
		struct uv_check c;

		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		if (!ioctl(ro, UV_IOC_CHECK, &c))
			region_gmk = (uint32_t)(c.region_pfn & UV_ENTRY_GMK);
	}

	for (i = 0; i < calls; i++) {
		int fd = below(4) ? rw : ro, ret;
		unsigned long cmd;
		size_t room;
		void *arg;

		if (below(4) == 0) {
			ret = submit_random(fd);
			if (!ret)
				commits++;
			else
				txn_errs[ret & 255]++;
			continue;
		}
		cmd = pick_cmd();
		arg = pick_ptr(&room);
		if (room) {
			uint32_t size;

			random_bytes(arg, 512);
			/* often a plausible struct: a right size and mostly zeros */
			if (below(2)) {
				memset(arg, 0, 512);
				size = below(4) ? _IOC_SIZE(cmd) : (uint32_t)below(600);
				memcpy(arg, &size, 4);
				if (below(2)) {
					/* a pointer and a length in the first input fields */
					uint64_t p = (uintptr_t)pick_ptr(&room);
					uint64_t len = below(3) ? below(1 << 20) : rnd();

					memcpy((uint8_t *)arg + 8, &p, 8);
					memcpy((uint8_t *)arg + 16, &len, 8);
					if (below(2))
						memcpy((uint8_t *)arg + 24, &p, 8);
				}
				if (below(4) == 0)
					((uint8_t *)arg)[4 + below(500)] = (uint8_t)rnd();
			}
		}
		/* never shrink to nothing nor grow beyond reason: pool ops are real */
		if (cmd == UV_IOC_POOL_RESIZE && room) {
			struct uv_pool *p = arg;

			if (p->bytes > (64ull << 20))
				p->bytes &= (64ull << 20) - 1;
		}
		errno = 0;
		ret = ioctl(fd, cmd, arg);
		if (!ret)
			ok++;
		else
			errs[errno & 255]++;
		if (cmd == UV_IOC_TXN_SUBMIT && !ret)
			commits++;
	}
	printf("uv_ioctl_fuzz: %lu calls done: %lu succeeded, %lu transactions committed\n", calls,
	       ok, commits);
	for (i = 0; i < 256; i++)
		if (errs[i])
			printf("  errno %3lu (%s): %lu\n", i, strerror((int)i), errs[i]);
	printf("random transactions rejected with:\n");
	for (i = 0; i < 256; i++)
		if (txn_errs[i])
			printf("  errno %3lu (%s): %lu\n", i, strerror((int)i), txn_errs[i]);
	close(rw);
	close(ro);
	return 0;
}
