/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory channels, kernel side ([0113]-[0133], [0166], [0182]; docs/channels.md).
 *
 * The resource database records a channel (Initialize Channel, Change Server,
 * Destroy Channel). This layer keeps what the database does not: the header page
 * written when the channel is created, the server fds (mmap of the client's
 * memory, eventfds for guest kicks), notification counters, and channels waiting
 * for their servers before their pages are reclaimed.
 *
 * Entry points for the rest of the module:
 *  - uv_chan_exit: main.c, before the database goes;
 *  - uv_chan_dev_ioctl: dev.c, for the numbers 0x10-0x17;
 *  - uv_chan_db_committed: db.c, after every committed transaction, with
 *    uv_db.lock held for writing;
 *  - uv_chan_client_rebuilt: core/part.c, after it zeroed a rebuilt instance;
 *  - uv_chan_hc_list/notify: the monitor's hypercall dispatch (vCPU thread).
 */
#ifndef _UV_CHANNEL_CHANNEL_H
#define _UV_CHANNEL_CHANNEL_H

#include <linux/types.h>

struct file;
struct uv_partition;
struct uv_txn_step;

/* Module unload, before the database goes (every channel fd pins the module). */
void uv_chan_exit(void);

/* -ENOTTY for a number that is not a channel ioctl. */
long uv_chan_dev_ioctl(struct file *file, unsigned int cmd, void __user *uarg, bool holder);

/* The database changed (uv_db.lock held for writing). */
void uv_chan_db_committed(const struct uv_txn_step *steps, u32 nr);

/* The client's memory was zeroed by a rebuild: format its channels again. */
void uv_chan_client_rebuilt(u32 client);

/* Hypercalls: results are the RAX values (negative UV_HC_E*). */
s64 uv_chan_hc_list(struct uv_partition *p, u64 gpa, u64 max);
s64 uv_chan_hc_notify(struct uv_partition *p, u64 gpa, u64 notify_data);

#endif /* _UV_CHANNEL_CHANNEL_H */
