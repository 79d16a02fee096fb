/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/channel internals.
 *
 * Locking (outermost first):
 *   uv_db.lock (core/db.c)   the database; every transaction, and every change of
 *                            the registry, happens with it held for writing
 *   uv_chan_lock (mutex)     the registry (uv_chans, uv_chan_by_pfn) and every
 *                            channel's server list and pending flags
 *   uv_chan_srv.map_lock     a server fd's table of the client's memory; also held
 *                            by its fault handler (under mmap_lock) around the
 *                            insertion, so a refresh + zap cannot miss a PTE
 *   uv_chan.ev_lock (spin)   the eventfds of a channel (hypercall path)
 * uv_inst_lock (core/part.c) is taken to raise a notification's interrupt, never
 * inside uv_chan_lock: a lifecycle ioctl holds it while it waits for a vCPU that may
 * be in a channel hypercall, which takes uv_chan_lock.
 * A channel is freed with kfree_rcu() after it left both xarrays: the notify
 * hypercall looks it up under rcu_read_lock() without any of the locks above.
 * uv_db_apply_locked() calls uv_chan_db_committed(), which takes uv_chan_lock:
 * never submit a transaction with uv_chan_lock held.
 */
#ifndef _UV_CHANNEL_INTERNAL_H
#define _UV_CHANNEL_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_channel.h>

struct eventfd_ctx;
struct inode;

/* A run of the client's memory: guest-physical [gpa, gpa + nr pages) at pfn. */
struct uv_chan_ext {
	u64 gpa;
	u64 pfn;
	u64 nr;
};

struct uv_chan {
	u32 number;
	u32 type;
	u32 client;
	u32 nr_pages;
	u64 first_pfn;
	u64 gpa;			/* of the header page, by the layout rule */
	u16 num_queues;
	bool pending;			/* client destroyed: waits for its servers */
	bool reclaim_partition;		/* ... and then the client itself */
	u32 epoch;
	struct list_head servers;	/* struct uv_chan_srv, uv_chan_lock */
	wait_queue_head_t wq;		/* poll of the server fds */

	spinlock_t ev_lock;		/* efd[]: taken by the notify hypercall */
	struct eventfd_ctx *efd[UV_CHANNEL_MAX_QUEUES];
	atomic64_t kicks;
	atomic64_t signalled;
	atomic64_t notifies;
	atomic64_t irqs;		/* notifies that raised the client's interrupt */
	atomic64_t used_only;		/* notifies of polled queues: the used ring says it */
	atomic64_t bad_vector;		/* notifies refused: the client's vector is no IRQ */
	struct rcu_head rcu;
};

struct uv_chan_srv {
	struct uv_chan *chan;		/* NULL once the channel is gone */
	u32 number;
	u32 server;
	u32 slot;
	bool attached;			/* holds the slot in the database */
	struct list_head node;		/* in chan->servers */
	struct inode *inode;		/* own address_space: zap only our mappings */

	struct mutex map_lock;		/* ext, nr_ext, mem_bytes, hole_pfn */
	struct uv_chan_ext *ext;	/* NULL: nothing may be mapped */
	u32 nr_ext;
	u64 mem_bytes;			/* guest-physical size of the client */
	u64 hole_pfn;			/* the client's descriptor page: never mapped */
};

extern struct mutex uv_chan_lock;
extern struct xarray uv_chans;		/* number -> struct uv_chan */
extern struct xarray uv_chan_by_pfn;	/* first_pfn -> struct uv_chan */

/* registry.c; uv_db.lock held */
int uv_chan_client_extents(u32 client, struct uv_chan_ext **ext, u32 *nr, u64 *bytes);
void *uv_chan_header(const struct uv_chan *c);
int uv_chan_submit_locked(const struct uv_txn_step *steps, u32 nr, u64 *log_seq,
			  char *msg, size_t msg_len);
int uv_chan_finish_reclaim_locked(struct uv_chan *c, u64 *log_seq, char *msg, size_t len);
const char *uv_chan_type_name(u32 type);

/* server.c */
int uv_chan_ioctl_open(void __user *uarg);
void uv_chan_srv_refresh(struct uv_chan_srv *s);

/* registry.c */
int uv_chan_ioctl_list(void __user *uarg);
int uv_chan_ioctl_reclaim(void __user *uarg);
void uv_chan_exit_registry(void);

#endif /* _UV_CHANNEL_INTERNAL_H */
