// SPDX-License-Identifier: GPL-2.0
/*
 * Server side of a channel: UV_IOC_CHAN_OPEN attaches a server (a transaction,
 * Change Server from none) and returns a channel fd. mmap of that fd maps the
 * client partition's memory - nothing else - at offset = guest-physical address,
 * page by page from the fault handler, from a table rebuilt after every committed
 * transaction: memory that leaves the client is unmapped from every server before
 * the write lock of that transaction is dropped, so no later transaction can hand
 * it to anyone while a server still sees it. The client's descriptor page is never
 * mapped. Closing the fd detaches (a transaction), and when the channel is pending
 * reclamation, the last detach reclaims it ([0182]).
 *
 * Each fd has an inode of its own, so unmap_mapping_range() zaps only its mappings.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "channel/channel.h"
#include "channel/internal.h"
#include "core/core.h"
#include "core/db.h"
#include "core/events.h"
#include "core/part.h"

/* Rebuild the fd's table from the database and drop every PTE it has. */
void uv_chan_srv_refresh(struct uv_chan_srv *s)
{
	struct uv_chan_ext *ext = NULL;
	u64 bytes = 0;
	u32 n = 0;

	if (!s->chan || !s->attached ||
	    uv_chan_client_extents(s->chan->client, &ext, &n, &bytes)) {
		ext = NULL;
		n = 0;
	}
	mutex_lock(&s->map_lock);
	kvfree(s->ext);
	s->ext = ext;
	s->nr_ext = n;
	if (ext)
		s->mem_bytes = bytes;
	s->hole_pfn = s->chan ? uv_db.db.base_pfn + s->chan->client : 0;
	mutex_unlock(&s->map_lock);
	unmap_mapping_range(s->inode->i_mapping, 0, 0, 1);
}

static vm_fault_t uv_chan_fault(struct vm_fault *vmf)
{
	struct uv_chan_srv *s = vmf->vma->vm_file->private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	u64 gpa;
	u32 i;

	mutex_lock(&s->map_lock);
	if (!s->ext || vmf->pgoff >= s->mem_bytes >> PAGE_SHIFT)
		goto out;
	gpa = (u64)vmf->pgoff << PAGE_SHIFT;
	for (i = 0; i < s->nr_ext; i++) {
		const struct uv_chan_ext *e = &s->ext[i];
		u64 pfn;

		if (gpa < e->gpa || (gpa - e->gpa) >> PAGE_SHIFT >= e->nr)
			continue;
		pfn = e->pfn + ((gpa - e->gpa) >> PAGE_SHIFT);
		if (pfn != s->hole_pfn && pfn_valid(pfn))
			ret = vmf_insert_pfn(vmf->vma, vmf->address, pfn);
		break;
	}
out:
	mutex_unlock(&s->map_lock);
	return ret;
}

static const struct vm_operations_struct uv_chan_vm_ops = {
	.fault = uv_chan_fault,
};

static int uv_chan_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct uv_chan_srv *s = file->private_data;
	u64 pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	u64 limit;

	/* shared only: a private (copy-on-write) map of PFN pages is not supported */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&s->map_lock);
	limit = s->ext ? s->mem_bytes >> PAGE_SHIFT : 0;
	mutex_unlock(&s->map_lock);
	if (vma->vm_pgoff > limit || pages > limit - vma->vm_pgoff)
		return -EINVAL;
#ifdef VM_LOCKED_MASK	/* 6.3 and later: vm_flags are changed through helpers */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
#endif
	vma->vm_ops = &uv_chan_vm_ops;
	return 0;
}

static __poll_t uv_chan_poll(struct file *file, poll_table *wait)
{
	struct uv_chan_srv *s = file->private_data;
	__poll_t mask = 0;

	mutex_lock(&uv_chan_lock);
	if (s->chan)
		poll_wait(file, &s->chan->wq, wait);
	if (!s->chan || !s->attached || s->chan->pending)
		mask = EPOLLHUP | EPOLLERR;
	mutex_unlock(&uv_chan_lock);
	return mask;
}

static long uv_chan_eventfd(struct uv_chan_srv *s, void __user *uarg)
{
	struct eventfd_ctx *ctx = NULL, *old;
	struct uv_chan_eventfd a;
	u32 usize;
	int ret;

	ret = uv_copy_in(&a, sizeof(a), UV_CHAN_EVENTFD_SIZE_VER0,
			 offsetof(struct uv_chan_eventfd, flags), uarg, &usize);
	if (ret)
		return ret;
	if (a.queue >= UV_CHANNEL_MAX_QUEUES || a.fd < -1)
		return -EINVAL;
	if (a.fd >= 0) {
		ctx = eventfd_ctx_fdget(a.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	mutex_lock(&uv_chan_lock);
	if (!s->chan || !s->attached) {
		mutex_unlock(&uv_chan_lock);
		if (ctx)
			eventfd_ctx_put(ctx);
		return -ENOLINK;
	}
	spin_lock(&s->chan->ev_lock);
	old = s->chan->efd[a.queue];
	s->chan->efd[a.queue] = ctx;
	spin_unlock(&s->chan->ev_lock);
	mutex_unlock(&uv_chan_lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

/*
 * The server's used-buffer (or config-change) notification: signal what the
 * client wrote for the queue (or config_vector) in the client: a GSI
 * (0..UV_CHAN_LAST_GSI) is an edge on that pin of its I/O APIC, a vector
 * (32..255) is raised in its vCPU as it is; a queue without either
 * (UV_CHANNEL_NO_VECTOR) is polled by the guest, nothing to do. The value is
 * read once from client memory and checked before it is used.
 */
static long uv_chan_notify(struct uv_chan_srv *s, void __user *uarg)
{
	struct uv_channel_header *h;
	struct uv_chan_notify a;
	struct uv_chan *c;
	bool config, raise = false, gsi = false;
	u32 usize, client = 0;
	int ret, raised = 0;

	/* vector is out only: what a reused struct has in it is ignored */
	ret = uv_copy_in(&a, sizeof(a), UV_CHAN_NOTIFY_SIZE_VER0, sizeof(a), uarg, &usize);
	if (ret)
		return ret;
	config = a.flags & UV_CHAN_NOTIFY_F_CONFIG;
	if ((a.flags & ~UV_CHAN_NOTIFY_F_CONFIG) || a.queue >= UV_CHANNEL_MAX_QUEUES ||
	    (config && a.queue))
		return -EINVAL;
	mutex_lock(&uv_chan_lock);
	c = s->chan;
	if (!c || !s->attached) {
		mutex_unlock(&uv_chan_lock);
		return -ENOLINK;
	}
	atomic64_inc(&c->notifies);
	h = uv_chan_header(c);
	/* client-written: one read, only the copy is used */
	if (!h)
		a.vector = UV_CHANNEL_NO_VECTOR;
	else if (config)
		a.vector = le16_to_cpu(READ_ONCE(h->config_vector));
	else
		a.vector = le16_to_cpu(READ_ONCE(h->queue[a.queue].vector));
	if (a.vector == UV_CHANNEL_NO_VECTOR) {
		atomic64_inc(&c->used_only);
	} else if (a.vector > UV_CHAN_LAST_VECTOR ||
		   (a.vector > UV_CHAN_LAST_GSI && a.vector < UV_CHAN_FIRST_VECTOR)) {
		atomic64_inc(&c->bad_vector);
		pr_info_ratelimited("channel %#x: the client's %s interrupt %u is neither a GSI (0..%u) nor a vector (%u..%u): not raised\n",
				    c->number, config ? "config" : "queue", a.vector,
				    UV_CHAN_LAST_GSI, UV_CHAN_FIRST_VECTOR, UV_CHAN_LAST_VECTOR);
		ret = -ERANGE;
	} else {
		atomic64_inc(&c->irqs);
		client = c->client;
		raise = true;
		gsi = a.vector <= UV_CHAN_LAST_GSI;
	}
	mutex_unlock(&uv_chan_lock);
	/*
	 * Not under uv_chan_lock: a lifecycle ioctl holds uv_inst_lock while it
	 * waits for the vCPU, which may be in a channel hypercall waiting for
	 * uv_chan_lock. s->chan never changes once attached (it only goes NULL).
	 */
	if (raise) {
		raised = gsi ? uv_inst_raise_gsi(client, a.vector) :
			       uv_inst_raise_irq(client, a.vector);
		if (raised) {
			mutex_lock(&uv_chan_lock);
			if (s->chan)
				atomic64_dec(&s->chan->irqs);
			mutex_unlock(&uv_chan_lock);
		}
	}
	if (uv_copy_out(uarg, &a, sizeof(a), usize))
		return -EFAULT;
	return ret ? ret : raised;
}

static long uv_chan_fd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct uv_chan_srv *s = file->private_data;

	switch (cmd) {
	case UV_IOC_CHAN_EVENTFD:
		return uv_chan_eventfd(s, (void __user *)arg);
	case UV_IOC_CHAN_NOTIFY:
		return uv_chan_notify(s, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* Detach: a transaction (slot -> none); the last server of a pending channel reclaims. */
static void uv_chan_detach(struct uv_chan_srv *s)
{
	struct uv_txn_step step = { .op = UV_TXN_CHANGE_SERVER };
	char msg[UV_MESSAGE_LEN] = "";
	u64 seq = 0, seq2 = 0;
	struct uv_chan *c;
	bool reclaim = false;
	u32 k;
	int ret = 0, ret2 = 0;

	down_write(&uv_db.lock);
	mutex_lock(&uv_chan_lock);
	c = s->chan;
	if (c)
		list_del_init(&s->node);
	if (!c || !s->attached) {
		mutex_unlock(&uv_chan_lock);
		goto unlock;
	}
	mutex_unlock(&uv_chan_lock);
	step.server.number = s->number;
	step.server.index = s->slot;
	step.server.from = s->server;
	step.server.to = UV_NONE;
	s->attached = false;
	ret = uv_chan_submit_locked(&step, 1, &seq, msg, sizeof(msg));
	if (ret) {
		pr_err("channel %#x: detaching server %#x failed: %s\n", s->number, s->server,
		       msg);
		goto unlock;
	}
	mutex_lock(&uv_chan_lock);
	if (xa_load(&uv_chans, s->number) == c) {
		const struct resdb_channel *d = resdb_channel(&uv_db.db, c->number);
		struct uv_channel_header *h = uv_chan_header(c);

		if (h)
			WRITE_ONCE(h->server_state, cpu_to_le32(UV_CHANNEL_SERVER_NONE));
		reclaim = c->pending && d;
		for (k = 0; reclaim && k < UV_CHANNEL_SERVERS; k++)
			reclaim = d->server[k] == UV_NONE;
	} else {
		c = NULL;
	}
	mutex_unlock(&uv_chan_lock);
	if (reclaim) {
		ret2 = uv_chan_finish_reclaim_locked(c, &seq2, msg, sizeof(msg));
		if (ret2)
			pr_err("channel %#x: reclamation failed: %s\n", s->number, msg);
	}
unlock:
	up_write(&uv_db.lock);
	if (seq)
		uv_event_txn_commit(seq, 1);
	if (reclaim && !ret2)
		uv_event_txn_commit(seq2, 0);
}

static int uv_chan_release(struct inode *inode, struct file *file)
{
	struct uv_chan_srv *s = file->private_data;

	if (!s)
		return 0;
	uv_chan_detach(s);
	kvfree(s->ext);
	iput(s->inode);
	kfree(s);
	return 0;
}

static const struct file_operations uv_chan_fops = {
	.owner		= THIS_MODULE,
	.release	= uv_chan_release,
	.mmap		= uv_chan_mmap,
	.poll		= uv_chan_poll,
	.unlocked_ioctl	= uv_chan_fd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Attach under uv_db.lock: the transaction, then the fd's table. */
static int uv_chan_attach(struct uv_chan_srv *s, struct uv_chan_open *a)
{
	struct uv_txn_step step = { .op = UV_TXN_CHANGE_SERVER };
	const struct resdb_channel *d;
	struct uv_channel_header *h;
	struct uv_chan *c;
	u32 k;
	int ret;

	mutex_lock(&uv_chan_lock);
	c = xa_load(&uv_chans, a->channel);
	d = resdb_channel(&uv_db.db, a->channel);
	if (!c || !d) {
		mutex_unlock(&uv_chan_lock);
		scnprintf(a->message, sizeof(a->message), "no channel %#x", a->channel);
		return -ENOENT;
	}
	if (c->pending) {
		mutex_unlock(&uv_chan_lock);
		scnprintf(a->message, sizeof(a->message),
			  "channel %#x is pending reclamation (client destroyed)", a->channel);
		return -EBUSY;
	}
	mutex_unlock(&uv_chan_lock);
	for (k = 0; k < UV_CHANNEL_SERVERS; k++)
		if (d->server[k] == UV_NONE)
			break;
	if (k == UV_CHANNEL_SERVERS) {
		scnprintf(a->message, sizeof(a->message), "channel %#x: all %u server slots taken",
			  a->channel, UV_CHANNEL_SERVERS);
		return -EBUSY;
	}
	step.server.number = a->channel;
	step.server.index = k;
	step.server.from = UV_NONE;
	step.server.to = a->server;
	ret = uv_chan_submit_locked(&step, 1, &a->log_seq, a->message, sizeof(a->message));
	if (ret)
		return ret;
	mutex_lock(&uv_chan_lock);
	s->chan = c;
	s->number = a->channel;
	s->server = a->server;
	s->slot = k;
	s->attached = true;
	list_add_tail(&s->node, &c->servers);
	h = uv_chan_header(c);
	c->epoch++;
	if (h) {
		WRITE_ONCE(h->server_epoch, cpu_to_le32(c->epoch));
		WRITE_ONCE(h->server_state, cpu_to_le32(UV_CHANNEL_SERVER_NONE));
	}
	mutex_unlock(&uv_chan_lock);
	uv_chan_srv_refresh(s);
	a->slot = k;
	a->client = c->client;
	a->type = c->type;
	a->epoch = c->epoch;
	a->channel_gpa = c->gpa;
	a->channel_size = (u64)c->nr_pages << PAGE_SHIFT;
	a->nr_regions = 1;
	a->region[0].gpa = 0;
	a->region[0].size = s->mem_bytes;
	a->region[0].offset = 0;
	return 0;
}

int uv_chan_ioctl_open(void __user *uarg)
{
	struct uv_chan_srv *s = NULL;
	struct file *file = NULL;
	struct uv_chan_open *a;
	struct inode *inode;
	u32 usize;
	int fd = -1, ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = uv_copy_in(a, sizeof(*a), UV_CHAN_OPEN_SIZE_VER0,
			 offsetof(struct uv_chan_open, fd), uarg, &usize);
	if (ret)
		goto out;
	if (a->flags) {
		ret = -EINVAL;
		goto out;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_init(&s->map_lock);
	INIT_LIST_HEAD(&s->node);
	file = anon_inode_getfile("[uv-channel]", &uv_chan_fops, s, O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		kfree(s);
		file = NULL;
		goto out;
	}
	inode = alloc_anon_inode(file_inode(file)->i_sb);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		file->private_data = NULL;
		fput(file);
		kfree(s);
		file = NULL;
		goto out;
	}
	s->inode = inode;
	file->f_mapping = inode->i_mapping;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (down_write_killable(&uv_db.lock)) {
		ret = -EINTR;
		goto out;
	}
	ret = uv_chan_attach(s, a);
	up_write(&uv_db.lock);
	if (ret)
		goto reply;
	uv_event_txn_commit(a->log_seq, 1);
	a->fd = fd;
reply:
	if (uv_copy_out(uarg, a, sizeof(*a), usize) && !ret)
		ret = -EFAULT;
	if (!ret) {
		fd_install(fd, file);
		ret = 0;
		file = NULL;
		fd = -1;
	}
out:
	if (fd >= 0)
		put_unused_fd(fd);
	if (file)
		fput(file);	/* release detaches if the attach went through */
	kfree(a);
	return ret;
}
