// SPDX-License-Identifier: GPL-2.0
/*
 * paging_levels: print how many levels the running kernel's page tables have
 * (4 or 5). With 5-level paging a process may map above the 47-bit boundary
 * when it asks for such an address; with 4 levels no address there exists.
 */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	void *want = (void *)(1UL << 52);
	void *got = mmap(want, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0);

	printf("%d\n", got == want ? 5 : 4);
	return 0;
}
