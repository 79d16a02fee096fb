// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA: which host memory and which CPUs belong to the same node, so that
 * placement can give a partition memory on the node of the CPU it runs on
 * (issue #9: "contiguous and on the NUMA node of the chosen CPUs where
 * possible"). The module's database records no nodes, and it does not have
 * to: the host's topology is Linux's, and the daemon runs on the host. It is
 * read from sysfs (/sys/devices/system/node/nodeN/cpulist and the memory
 * blocks under nodeN/), or made up evenly for a simulated host (--sim-nodes).
 * With one node, or none known, there is no preference.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commandd.h"

void cmdd_numa_clear(struct cmdd_numa *n)
{
	u32 i;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < RESDB_MAX_CPUS; i++)
		n->cpu_node[i] = -1;
}

/* Add [start, end) to node, merging with the last range when they touch. */
static int add_range(struct cmdd_numa *n, u32 node, u64 start, u64 end)
{
	struct cmdd_numa_range *last = n->nr_ranges ? &n->range[n->nr_ranges - 1] : NULL;

	if (last && last->node == node && last->end_pfn == start) {
		last->end_pfn = end;
		return 0;
	}
	if (n->nr_ranges == CMDD_NUMA_RANGES)
		return -ENOSPC;
	n->range[n->nr_ranges].node = node;
	n->range[n->nr_ranges].start_pfn = start;
	n->range[n->nr_ranges].end_pfn = end;
	n->nr_ranges++;
	return 0;
}

void cmdd_numa_even(struct cmdd_numa *n, u32 nodes, u64 host_pages, u32 nr_cpus)
{
	u32 i;

	cmdd_numa_clear(n);
	if (nodes < 2 || nodes > CMDD_NUMA_NODES || !nr_cpus)
		return;
	n->nr_nodes = nodes;
	for (i = 0; i < nodes; i++)
		add_range(n, i, host_pages * i / nodes, host_pages * (i + 1) / nodes);
	for (i = 0; i < nr_cpus && i < RESDB_MAX_CPUS; i++)
		n->cpu_node[i] = (int8_t)(i * nodes / nr_cpus);
}

int cmdd_numa_node_of_cpu(const struct cmdd_numa *n, u32 cpu)
{
	if (!n || n->nr_nodes < 2 || cpu >= RESDB_MAX_CPUS)
		return -1;
	return n->cpu_node[cpu];
}

bool cmdd_numa_in_node(const struct cmdd_numa *n, int node, u64 pfn, u64 nr)
{
	u32 i;

	for (i = 0; i < n->nr_ranges; i++) {
		const struct cmdd_numa_range *r = &n->range[i];

		if ((int)r->node == node && pfn >= r->start_pfn && pfn + nr <= r->end_pfn)
			return true;
	}
	return false;
}

/* "0-3,8,10-11" -> cpu_node[] = node for each. */
static void parse_cpulist(struct cmdd_numa *n, const char *s, u32 node)
{
	while (*s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a, c;

		if (end == s)
			return;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s)
				return;
		}
		for (c = a; c <= b && c < RESDB_MAX_CPUS; c++)
			n->cpu_node[c] = (int8_t)node;
		s = *end == ',' ? end + 1 : end;
	}
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	buf[0] = 0;
	if (!f)
		return errno ? -errno : -EIO;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Node node's memory blocks (nodeN/memoryM) as page frame ranges. */
static int node_memory(struct cmdd_numa *n, const char *dir, u32 node, u64 block_pages)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	u64 *blk = NULL;
	size_t nb = 0, cap = 0;
	int ret = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long long m;

		if (strncmp(de->d_name, "memory", 6) != 0)
			continue;
		m = strtoull(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end)
			continue;
		if (nb == cap) {
			u64 *p = realloc(blk, (cap ? cap * 2 : 64) * sizeof(*blk));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			blk = p;
			cap = cap ? cap * 2 : 64;
		}
		blk[nb++] = m;
	}
	closedir(d);
	if (!ret && nb) {
		size_t i;

		qsort(blk, nb, sizeof(*blk), cmp_u64);
		for (i = 0; !ret && i < nb; i++)
			ret = add_range(n, node, blk[i] * block_pages, (blk[i] + 1) * block_pages);
	}
	free(blk);
	return ret;
}

int cmdd_numa_from_sysfs(const char *root, struct cmdd_numa *n)
{
	char path[512], line[4096];
	u64 block_bytes;
	u32 node, found = 0;
	int ret;

	cmdd_numa_clear(n);
	if (!root)
		root = "/sys/devices/system";
	snprintf(path, sizeof(path), "%s/memory/block_size_bytes", root);
	ret = read_line(path, line, sizeof(line));
	if (ret)
		return ret;
	block_bytes = strtoull(line, NULL, 16);
	if (!block_bytes || block_bytes % RESDB_PAGE_SIZE)
		return -EINVAL;
	for (node = 0; node < CMDD_NUMA_NODES; node++) {
		snprintf(path, sizeof(path), "%s/node/node%u/cpulist", root, node);
		if (read_line(path, line, sizeof(line)))
			continue;
		parse_cpulist(n, line, node);
		snprintf(path, sizeof(path), "%s/node/node%u", root, node);
		ret = node_memory(n, path, node, block_bytes / RESDB_PAGE_SIZE);
		if (ret) {
			cmdd_numa_clear(n);
			return ret;
		}
		found = node + 1;
	}
	n->nr_nodes = found;
	return 0;
}
