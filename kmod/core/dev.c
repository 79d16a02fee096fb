// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ultravisor: the module's ioctl interface (uapi/linux/ultravisor.h,
 * documented in docs/uapi.md).
 *
 * Every ioctl validates its argument the same way: read the caller's size,
 * copy min(caller, module) bytes, insist that every input byte the module
 * does not use is zero, answer with the module's size.
 *
 * The command channel: an open for writing (O_WRONLY/O_RDWR) makes that open
 * file the channel's holder, the only one allowed to change the database
 * (submit, pool resize) and to load and control partitions. A second such
 * open gets -EBUSY and one log line naming the holder. Read-only opens are
 * unlimited and get the read-only ioctls; a changing ioctl on them is -EBADF.
 *
 * Locking: uv_holder_lock (mutex) protects uv_holder, uv_holder_pid and
 * uv_holder_comm; it is taken only in open and release and never together
 * with uv_db.lock (db.c has the full order). Transactions never stay open
 * across ioctls (one ioctl = one transaction, rolled back if the task dies in
 * it), so a holder's release has nothing to roll back: what it committed stays.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/ultravisor.h>
#include <uv/cpu_features.h>

#include "channel/channel.h"
#include "core.h"
#include "part.h"
#include "version.h"

static_assert(sizeof(struct uv_version) == UV_VERSION_SIZE_VER0);
static_assert(_IOC_SIZE(UV_IOC_VERSION) == UV_VERSION_SIZE_VER0);
static_assert(sizeof(UV_RELEASE) <= UV_MODULE_VERSION_LEN);

/*
 * Copy an extensible struct in: @ksize bytes at @kbuf from @uarg, whose first
 * __u32 is the caller's size. The caller's size must lie between @min_size
 * and UV_STRUCT_SIZE_MAX. Bytes [4, @in_end) are the struct's input fields
 * (the ioctl checks them); every byte from @in_end on - outputs, reserved,
 * and a newer caller's unknown tail - must be zero.
 */
int uv_copy_in(void *kbuf, size_t ksize, size_t min_size, size_t in_end,
	       void __user *uarg, u32 *usize)
{
	int ret;

	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < min_size || *usize > UV_STRUCT_SIZE_MAX)
		return -EINVAL;

	/* Zero-fills a short struct, checks a long one's tail is zero (-E2BIG). */
	ret = copy_struct_from_user(kbuf, ksize, uarg, *usize);
	if (ret == -E2BIG)
		return -EINVAL;
	if (ret)
		return ret;

	if (memchr_inv((u8 *)kbuf + in_end, 0, ksize - in_end))
		return -EINVAL;
	return 0;
}

/* Answer with the module's size: write min(caller's, module's) bytes. */
int uv_copy_out(void __user *uarg, void *kbuf, size_t ksize, u32 usize)
{
	*(u32 *)kbuf = ksize;
	if (copy_to_user(uarg, kbuf, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

static int uv_ioctl_version(void __user *uarg)
{
	struct uv_version v;
	u32 usize;
	int ret;

	ret = uv_copy_in(&v, sizeof(v), UV_VERSION_SIZE_VER0, sizeof(u32), uarg, &usize);
	if (ret)
		return ret;

	v.abi_major = UV_ABI_MAJOR;
	v.abi_minor = UV_ABI_MINOR;
	v.flags = 0;
	strscpy(v.module_version, UV_RELEASE, sizeof(v.module_version));
	v.virt = uv_cpu_features.virt;
	v.nr_cpus = uv_cpu_features.nr_cpus;

	return uv_copy_out(uarg, &v, sizeof(v), usize);
}

static long uv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	bool holder = file->f_mode & FMODE_WRITE;

	switch (cmd) {
	case UV_IOC_VERSION:
		return uv_ioctl_version(uarg);
	case UV_IOC_TXN_SUBMIT:
		return holder ? uv_ioctl_txn_submit(uarg) : -EBADF;
	case UV_IOC_SNAPSHOT:
		return uv_ioctl_snapshot(uarg);
	case UV_IOC_LOG_READ:
		return uv_ioctl_log_read(uarg);
	case UV_IOC_CHECK:
		return uv_ioctl_check(uarg);
	case UV_IOC_POOL_INFO:
		return uv_ioctl_pool(uarg, false);
	case UV_IOC_POOL_RESIZE:
		return holder ? uv_ioctl_pool(uarg, true) : -EBADF;
	case UV_IOC_QUERY:
		return uv_ioctl_query(uarg);
	case UV_IOC_PART_LOAD:
		return holder ? uv_ioctl_part_load(uarg) : -EBADF;
	case UV_IOC_PART_CTL:
		return holder ? uv_ioctl_part_ctl(uarg) : -EBADF;
	case UV_IOC_PART_ENTRY:
		return holder ? uv_ioctl_part_entry(uarg) : -EBADF;
	case UV_IOC_PART_STATUS:
		return uv_ioctl_part_status(uarg);
	case UV_IOC_CONSOLE_READ:
		return uv_ioctl_console_read(uarg);
	case UV_IOC_CPU_STATS:
		return uv_ioctl_cpu_stats(uarg);
	case UV_IOC_PART_SCHED:
		return uv_ioctl_part_sched(uarg);
	default:
		/* 0x10-0x17: memory channels (kmod/channel); -ENOTTY otherwise */
		return uv_chan_dev_ioctl(file, cmd, uarg, holder);
	}
}

static DEFINE_MUTEX(uv_holder_lock);
static struct file *uv_holder;
static pid_t uv_holder_pid;
static char uv_holder_comm[TASK_COMM_LEN];

static int uv_open(struct inode *inode, struct file *file)
{
	int ret = nonseekable_open(inode, file);

	if (ret || !(file->f_mode & FMODE_WRITE))
		return ret;
	mutex_lock(&uv_holder_lock);
	if (uv_holder) {
		pr_info_ratelimited("command channel busy: held by pid %d (%s); pid %d (%s) refused\n",
				    uv_holder_pid, uv_holder_comm, task_pid_nr(current),
				    current->comm);
		ret = -EBUSY;
	} else {
		uv_holder = file;
		uv_holder_pid = task_pid_nr(current);
		get_task_comm(uv_holder_comm, current);
	}
	mutex_unlock(&uv_holder_lock);
	return ret;
}

static int uv_release(struct inode *inode, struct file *file)
{
	mutex_lock(&uv_holder_lock);
	if (uv_holder == file)
		uv_holder = NULL;
	mutex_unlock(&uv_holder_lock);
	return 0;
}

static const struct file_operations uv_fops = {
	.owner		= THIS_MODULE,
	.open		= uv_open,
	.release	= uv_release,
	.unlocked_ioctl	= uv_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice uv_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= UV_DEVICE_NAME,
	.fops	= &uv_fops,
	.mode	= 0600,
};

const struct miscdevice *uv_dev_misc(void)
{
	return &uv_misc;
}

int uv_dev_init(void)
{
	int ret;

	ret = misc_register(&uv_misc);
	if (ret)
		pr_err("cannot register /dev/%s: error %d\n", UV_DEVICE_NAME, ret);
	return ret;
}

void uv_dev_exit(void)
{
	misc_deregister(&uv_misc);
}
