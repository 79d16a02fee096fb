// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's console: a ring buffer of everything the guest wrote through
 * the emulated serial port or UV_HC_CONSOLE_WRITE. Readers keep their own
 * position (bytes since the partition was created), so any number of them can
 * follow the console; a reader that falls more than the ring's size behind
 * skips to the oldest byte still held.
 */
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "internal.h"

#define UV_CONSOLE_DEFAULT	(64 * 1024)
#define UV_CONSOLE_MAX		(16 * 1024 * 1024)

int uv_console_init(struct uv_console *c, size_t size)
{
	if (!size)
		size = UV_CONSOLE_DEFAULT;
	if (size > UV_CONSOLE_MAX)
		return -EINVAL;
	size = roundup_pow_of_two(size);
	spin_lock_init(&c->lock);
	c->buf = kvzalloc(size, GFP_KERNEL);
	if (!c->buf)
		return -ENOMEM;
	c->size = size;
	c->head = 0;
	return 0;
}

void uv_console_free(struct uv_console *c)
{
	kvfree(c->buf);
	c->buf = NULL;
}

void uv_console_write(struct uv_console *c, const char *s, size_t n)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	/* only the newest c->size bytes can be kept */
	if (n > c->size) {
		s += n - c->size;
		c->head += n - c->size;
		n = c->size;
	}
	while (n) {
		size_t off = c->head & (c->size - 1);
		size_t k = min(n, c->size - off);

		memcpy(c->buf + off, s, k);
		c->head += k;
		s += k;
		n -= k;
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

size_t uv_console_read(struct uv_console *c, u64 *pos, char *dst, size_t len)
{
	unsigned long flags;
	size_t done = 0;

	spin_lock_irqsave(&c->lock, flags);
	if (*pos > c->head)
		*pos = c->head;
	if (c->head - *pos > c->size)
		*pos = c->head - c->size;
	while (done < len && *pos < c->head) {
		size_t off = *pos & (c->size - 1);
		size_t k = min3(len - done, c->size - off, (size_t)(c->head - *pos));

		memcpy(dst + done, c->buf + off, k);
		done += k;
		*pos += k;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return done;
}

u64 uv_console_bytes(struct uv_console *c)
{
	unsigned long flags;
	u64 head;

	spin_lock_irqsave(&c->lock, flags);
	head = c->head;
	spin_unlock_irqrestore(&c->lock, flags);
	return head;
}
