// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ultravisor: the module's ioctl interface (uapi/linux/ultravisor.h,
 * documented in docs/uapi.md).
 *
 * Every ioctl validates its argument the same way: read the caller's size,
 * copy min(caller, module) bytes, insist that every input byte the module
 * does not use is zero, answer with the module's size. There is no state per
 * open file yet, so no locking.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/ultravisor.h>
#include <uv/cpu_features.h>

#include "core.h"
#include "version.h"

static_assert(sizeof(struct uv_version) == UV_VERSION_SIZE_VER0);
static_assert(_IOC_SIZE(UV_IOC_VERSION) == UV_VERSION_SIZE_VER0);
static_assert(sizeof(UV_RELEASE) <= UV_MODULE_VERSION_LEN);

/*
 * Copy an extensible struct in: @ksize bytes at @kbuf from @uarg, whose first
 * __u32 is the caller's size. The caller's size must lie between @min_size
 * and UV_STRUCT_SIZE_MAX, and every byte but the size field must be zero:
 * the module's structs have no input fields yet.
 */
static int uv_copy_in(void *kbuf, size_t ksize, size_t min_size,
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

	if (memchr_inv((u8 *)kbuf + sizeof(u32), 0, ksize - sizeof(u32)))
		return -EINVAL;
	return 0;
}

static int uv_ioctl_version(void __user *uarg)
{
	struct uv_version v;
	u32 usize;
	int ret;

	ret = uv_copy_in(&v, sizeof(v), UV_VERSION_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;

	v.size = sizeof(v);
	v.abi_major = UV_ABI_MAJOR;
	v.abi_minor = UV_ABI_MINOR;
	v.flags = 0;
	strscpy(v.module_version, UV_RELEASE, sizeof(v.module_version));
	v.virt = uv_cpu_features.virt;
	v.nr_cpus = uv_cpu_features.nr_cpus;

	if (copy_to_user(uarg, &v, min_t(size_t, usize, sizeof(v))))
		return -EFAULT;
	return 0;
}

static long uv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case UV_IOC_VERSION:
		return uv_ioctl_version(uarg);
	default:
		return -ENOTTY;
	}
}

static int uv_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations uv_fops = {
	.owner		= THIS_MODULE,
	.open		= uv_open,
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
