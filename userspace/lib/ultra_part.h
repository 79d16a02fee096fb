/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libultra: running partitions over /dev/ultravisor (ABI 1.2) - load an image
 * into a partition's monitor instance, start/pause/resume/stop/unload it,
 * read its status and its console - and finding a partition by name or number.
 *
 * Every function returns 0 or a negative errno and fills @e with the errno
 * and the module's reason when it gave one. Load and control need the
 * holder's descriptor (ultra_open_cmd()); status and console work on any.
 */
#ifndef ULTRA_PART_H
#define ULTRA_PART_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ultravisor.h>

#include "ultra.h"

/* Load the Multiboot ELF @image (@len bytes) with @cmdline (may be NULL). */
int ultra_part_load(int fd, uint32_t partition, const void *image, size_t len,
		    const char *cmdline, struct uv_part_load *out, struct ultra_err *e);
/* Load the image in file @path. */
int ultra_part_load_file(int fd, uint32_t partition, const char *path, const char *cmdline,
			 struct uv_part_load *out, struct ultra_err *e);
/* UV_PART_START, _PAUSE, _RESUME, _STOP or _UNLOAD; @out may be NULL. */
int ultra_part_ctl(int fd, uint32_t partition, uint32_t op, struct uv_part_ctl *out,
		   struct ultra_err *e);
int ultra_part_status(int fd, uint32_t partition, struct uv_part_status *out,
		      struct ultra_err *e);
/* Console bytes from @pos into @buf; @out->next_pos is where to go on. */
int ultra_console_read(int fd, uint32_t partition, uint64_t pos, void *buf, size_t len,
		       struct uv_console_read *out, struct ultra_err *e);

/* "running", "faulted", ... ("none" for UV_PSTATE_NONE, "?" if unknown). */
const char *ultra_pstate_name(uint32_t state);
/* "nested-page-fault", "triple-fault", ... */
const char *ultra_pfault_name(uint32_t reason);
/* How a guest stopped itself (UV_PEXITED_*): "exit-port", "poweroff", "reset", ... */
const char *ultra_exited_name(uint32_t how);
/* "start" -> UV_PART_START; 0 if unknown. */
uint32_t ultra_part_op(const char *name);

/*
 * @arg names a partition: "[G,M,K]" or "G,M,K", a number (decimal or 0x hex,
 * the [G,M,K] value), or the name of a partition descriptor (looked up with
 * UV_QUERY_PARTITIONS; -ENOENT if none, -EEXIST if several have it).
 */
int ultra_part_lookup(int fd, const char *arg, uint32_t *number, struct ultra_err *e);
/* "[G,M,K]" */
void ultra_part_number_str(uint32_t number, char *buf, size_t len);

#endif /* ULTRA_PART_H */
