// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables: the containment of a partition.
 *
 * The tables map exactly the partition's extents, gpa -> hpa, read/write/
 * execute, and nothing else: every other guest-physical address has no
 * translation, so a guest access to it ends in a nested page fault, which
 * the monitor turns into state FAULTED (exits.c). The tables are built once
 * at create time and never change while the partition exists, so there is
 * no TLB shootdown to get wrong; ASIDs (svm.c) keep the translations of
 * different partitions, and of destroyed ones, apart.
 *
 * The format is the host's long-mode page table format (AMD APM vol. 2,
 * 15.25.5: nested paging uses the host's paging mode): 5 levels when the host
 * runs with CR4.LA57, else 4. All levels have U=1, since nested walks are
 * user accesses (15.25.5). Each piece of an extent is mapped with the largest
 * page its alignment and length allow on both sides: 1 GiB (if the CPU has
 * 1 GiB pages), 2 MiB, else 4 KiB.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>

#include "internal.h"

#define UV_NPT_P	BIT_ULL(0)
#define UV_NPT_RW	BIT_ULL(1)
#define UV_NPT_US	BIT_ULL(2)
#define UV_NPT_PS	BIT_ULL(7)
#define UV_NPT_ADDR	GENMASK_ULL(51, 12)
#define UV_NPT_TABLE	(UV_NPT_P | UV_NPT_RW | UV_NPT_US)

/* Level 1 maps 4 KiB, 2 maps 2 MiB, 3 maps 1 GiB; 4 and 5 only hold tables. */
static inline unsigned int uv_npt_shift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

/* The largest page (as a level) for gpa/hpa with @left bytes to map. */
static unsigned int uv_npt_leaf_level(u64 gpa, u64 hpa, u64 left, bool gbpages)
{
	if (gbpages && IS_ALIGNED(gpa | hpa, SZ_1G) && left >= SZ_1G)
		return 3;
	if (IS_ALIGNED(gpa | hpa, SZ_2M) && left >= SZ_2M)
		return 2;
	return 1;
}

static u64 *uv_npt_alloc_table(struct uv_npt *npt, u64 *pa)
{
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!pg)
		return NULL;
	list_add(&pg->lru, &npt->pages);
	npt->nr_pages++;
	atomic64_inc(&uv_nr_npt_pages);
	*pa = page_to_phys(pg);
	return page_address(pg);
}

static int uv_npt_map(struct uv_npt *npt, u64 gpa, u64 hpa, unsigned int leaf)
{
	u64 *table = __va(npt->root_pa);
	unsigned int level;
	u64 pa, *e;

	for (level = npt->levels; level > leaf; level--) {
		e = &table[(gpa >> uv_npt_shift(level)) & 511];
		if (!(*e & UV_NPT_P)) {
			if (!uv_npt_alloc_table(npt, &pa))
				return -ENOMEM;
			*e = pa | UV_NPT_TABLE;
		} else if (*e & UV_NPT_PS) {
			return -EEXIST;
		}
		table = __va(*e & UV_NPT_ADDR);
	}
	e = &table[(gpa >> uv_npt_shift(leaf)) & 511];
	if (*e & UV_NPT_P)
		return -EEXIST;
	*e = hpa | UV_NPT_TABLE | (leaf > 1 ? UV_NPT_PS : 0);
	return 0;
}

/**
 * uv_npt_build - nested page tables for @n extents (sorted, checked by guest_mem.c)
 *
 * On failure everything allocated so far is freed.
 */
int uv_npt_build(struct uv_npt *npt, const struct uv_mem *mem, unsigned int n)
{
	bool gbpages = boot_cpu_has(X86_FEATURE_GBPAGES);
	unsigned int i, nr[4] = { };
	int ret;

	INIT_LIST_HEAD(&npt->pages);
	npt->nr_pages = 0;
	npt->levels = (cr4_read_shadow() & X86_CR4_LA57) ? 5 : 4;
	if (!uv_npt_alloc_table(npt, &npt->root_pa))
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		u64 gpa = mem[i].gpa, hpa = mem[i].hpa, left = mem[i].size;

		/* guest-physical space of the nested walk: 48 or 57 bits */
		if (gpa + left > 1ULL << uv_npt_shift(npt->levels + 1)) {
			ret = -EINVAL;
			goto fail;
		}
		while (left) {
			unsigned int leaf = uv_npt_leaf_level(gpa, hpa, left, gbpages);
			u64 sz = 1ULL << uv_npt_shift(leaf);

			ret = uv_npt_map(npt, gpa, hpa, leaf);
			if (ret)
				goto fail;
			nr[leaf]++;
			gpa += sz;
			hpa += sz;
			left -= sz;
		}
	}
	pr_debug("nested page tables: %u levels, %u table pages, %u x 1G, %u x 2M, %u x 4K\n",
		 npt->levels, npt->nr_pages, nr[3], nr[2], nr[1]);
	return 0;
fail:
	uv_npt_free(npt);
	return ret;
}

void uv_npt_free(struct uv_npt *npt)
{
	struct page *pg, *tmp;

	list_for_each_entry_safe(pg, tmp, &npt->pages, lru) {
		list_del(&pg->lru);
		__free_page(pg);
		atomic64_dec(&uv_nr_npt_pages);
	}
	npt->nr_pages = 0;
	npt->root_pa = 0;
}
