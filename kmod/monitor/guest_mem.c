// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the partition's extents and the one way the monitor reaches
 * them. Every guest-controlled address (hypercall buffers, loader targets)
 * goes through uv_gpa_to_kva(), which answers only for ranges that lie wholly
 * inside one extent; the read/write helpers split longer ranges at extent
 * boundaries and go through it for every piece.
 *
 * The extents are mapped once at create time with memremap(): for RAM in the
 * direct map (pages from the kernel's allocator or the resource pool) that is
 * the direct-map address itself, so no page tables are built and none leak.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/processor.h>

#include "internal.h"

/* The extent holding [gpa, gpa + len), or NULL. */
static const struct uv_mem *uv_mem_find(const struct uv_partition *p, u64 gpa, u64 len)
{
	unsigned int lo = 0, hi = p->nr_mem;

	if (!len || gpa + len < gpa)
		return NULL;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct uv_mem *m = &p->mem[mid];

		if (gpa < m->gpa) {
			hi = mid;
		} else if (gpa - m->gpa >= m->size) {
			lo = mid + 1;
		} else {
			/* gpa is inside m: the whole range must be, too */
			if (len > m->size - (gpa - m->gpa))
				return NULL;
			return m;
		}
	}
	return NULL;
}

/**
 * uv_gpa_to_kva - kernel address of guest-physical [@gpa, @gpa + @len)
 *
 * NULL unless the whole range is partition memory in a single extent.
 */
void *uv_gpa_to_kva(struct uv_partition *p, u64 gpa, u64 len)
{
	const struct uv_mem *m = uv_mem_find(p, gpa, len);

	return m ? (char *)m->kva + (gpa - m->gpa) : NULL;
}

/* Length of the piece of [gpa, gpa + len) that lies in the extent holding gpa. */
static u64 uv_mem_piece(const struct uv_partition *p, u64 gpa, u64 len)
{
	const struct uv_mem *m = uv_mem_find(p, gpa, 1);

	if (!m)
		return 0;
	return min(len, m->size - (gpa - m->gpa));
}

/* Copy between guest memory and a kernel buffer, piece by piece. */
static int uv_guest_copy(struct uv_partition *p, u64 gpa, void *kbuf, const void *src,
			 size_t len)
{
	if (gpa + len < gpa)
		return -EFAULT;
	while (len) {
		u64 n = uv_mem_piece(p, gpa, len);
		void *g = n ? uv_gpa_to_kva(p, gpa, n) : NULL;

		if (!g)
			return -EFAULT;
		if (kbuf)
			memcpy(kbuf, g, n);
		else if (src)
			memcpy(g, src, n);
		else
			memset(g, 0, n);
		if (kbuf)
			kbuf = (char *)kbuf + n;
		if (src)
			src = (const char *)src + n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int uv_guest_read(struct uv_partition *p, u64 gpa, void *dst, size_t len)
{
	return uv_guest_copy(p, gpa, dst, NULL, len);
}

int uv_guest_write(struct uv_partition *p, u64 gpa, const void *src, size_t len)
{
	if (!src)
		return -EINVAL;
	return uv_guest_copy(p, gpa, NULL, src, len);
}

int uv_guest_zero(struct uv_partition *p, u64 gpa, u64 len)
{
	if (len > SIZE_MAX)
		return -EFAULT;
	return uv_guest_copy(p, gpa, NULL, NULL, len);
}

static int uv_mem_cmp(const void *a, const void *b)
{
	const struct uv_mem *x = a, *y = b;

	if (x->gpa != y->gpa)
		return x->gpa < y->gpa ? -1 : 1;
	return 0;
}

/*
 * Check and copy the caller's extents: page aligned, non-empty, no
 * wrap-around, within the host's physical address width (for both the guest
 * and the host side), no two overlapping in guest-physical space. Then map
 * them.
 */
int uv_mem_setup(struct uv_partition *p, const struct uv_guest_extent *ext, unsigned int n)
{
	u64 limit = 1ULL << boot_cpu_data.x86_phys_bits;
	unsigned int i;

	if (!ext || !n || n > UV_MAX_EXTENTS)
		return -EINVAL;
	p->mem = kvcalloc(n, sizeof(*p->mem), GFP_KERNEL);
	if (!p->mem)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct uv_guest_extent *e = &ext[i];

		if (!e->size || !PAGE_ALIGNED(e->gpa) || !PAGE_ALIGNED(e->hpa) ||
		    !PAGE_ALIGNED(e->size) || e->gpa >= limit || e->hpa >= limit ||
		    e->size > limit - e->gpa || e->size > limit - e->hpa) {
			pr_err("partition %s: extent %u (gpa %#llx hpa %#llx size %#llx) is not page aligned or out of range\n",
			       p->name, i, e->gpa, e->hpa, e->size);
			goto bad;
		}
		p->mem[i].gpa = e->gpa;
		p->mem[i].hpa = e->hpa;
		p->mem[i].size = e->size;
	}
	p->nr_mem = n;
	sort(p->mem, n, sizeof(*p->mem), uv_mem_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (p->mem[i].gpa - p->mem[i - 1].gpa < p->mem[i - 1].size) {
			pr_err("partition %s: extents overlap at gpa %#llx\n", p->name,
			       p->mem[i].gpa);
			goto bad;
		}
	}
	p->mem_end = p->mem[n - 1].gpa + p->mem[n - 1].size;
	for (i = 0; i < n; i++) {
		p->mem[i].kva = memremap(p->mem[i].hpa, p->mem[i].size, MEMREMAP_WB);
		if (!p->mem[i].kva) {
			pr_err("partition %s: cannot map hpa %#llx size %#llx\n", p->name,
			       p->mem[i].hpa, p->mem[i].size);
			uv_mem_teardown(p);
			return -ENOMEM;
		}
	}
	return 0;
bad:
	kvfree(p->mem);
	p->mem = NULL;
	p->nr_mem = 0;
	return -EINVAL;
}

void uv_mem_teardown(struct uv_partition *p)
{
	unsigned int i;

	for (i = 0; p->mem && i < p->nr_mem; i++)
		if (p->mem[i].kva)
			memunmap(p->mem[i].kva);
	kvfree(p->mem);
	p->mem = NULL;
	p->nr_mem = 0;
}
