// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY: /sys/kernel/debug/ultravisor/txn_pause_after_step (root, 0600).
 *
 * Write a step index N: the next transaction submitted through the command
 * channel stops after applying step N and sleeps, killably, still holding the
 * database's write lock (readers wait), until "release" is written or the task
 * gets SIGKILL. Killed, the ioctl rolls the transaction back from its before
 * images. It lets tests kill the holder of the command channel between two
 * steps of a transaction. Reading the file says "off", "armed N" or
 * "paused N pid P". Write "off" to disarm.
 *
 * Locking: uv_hook_lock (spinlock) protects the state below; it nests inside
 * uv_db.lock and is never held while sleeping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "db.h"

static DEFINE_SPINLOCK(uv_hook_lock);
static DECLARE_WAIT_QUEUE_HEAD(uv_hook_wq);
static u32 uv_hook_step = UV_NONE;	/* armed: pause after this step */
static bool uv_hook_paused;
static bool uv_hook_release;
static u32 uv_hook_paused_step;
static pid_t uv_hook_pid;
static struct dentry *uv_debugfs_dir;

int uv_testhook_after_step(u32 step)
{
	int ret;

	if (READ_ONCE(uv_hook_step) != step)
		return 0;
	spin_lock(&uv_hook_lock);
	if (uv_hook_step != step) {
		spin_unlock(&uv_hook_lock);
		return 0;
	}
	uv_hook_step = UV_NONE;
	uv_hook_paused = true;
	uv_hook_release = false;
	uv_hook_paused_step = step;
	uv_hook_pid = task_pid_nr(current);
	spin_unlock(&uv_hook_lock);

	pr_info("test hook: transaction of pid %d paused after step %u\n", uv_hook_pid, step);
	ret = wait_event_killable(uv_hook_wq, READ_ONCE(uv_hook_release));

	spin_lock(&uv_hook_lock);
	uv_hook_paused = false;
	spin_unlock(&uv_hook_lock);
	if (ret)
		pr_info("test hook: pid %d killed while paused: rolling the transaction back\n",
			task_pid_nr(current));
	return ret;
}

static ssize_t uv_hook_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	char s[64];
	int n;

	spin_lock(&uv_hook_lock);
	if (uv_hook_paused)
		n = scnprintf(s, sizeof(s), "paused %u pid %d\n", uv_hook_paused_step,
			      uv_hook_pid);
	else if (uv_hook_step != UV_NONE)
		n = scnprintf(s, sizeof(s), "armed %u\n", uv_hook_step);
	else
		n = scnprintf(s, sizeof(s), "off\n");
	spin_unlock(&uv_hook_lock);
	return simple_read_from_buffer(buf, len, ppos, s, n);
}

static ssize_t uv_hook_write(struct file *f, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	char s[16];
	u32 step;

	if (len >= sizeof(s))
		return -EINVAL;
	if (copy_from_user(s, ubuf, len))
		return -EFAULT;
	s[len] = '\0';
	strim(s);
	if (!strcmp(s, "release") || !strcmp(s, "off")) {
		spin_lock(&uv_hook_lock);
		uv_hook_step = UV_NONE;
		uv_hook_release = true;
		spin_unlock(&uv_hook_lock);
		wake_up_all(&uv_hook_wq);
		return len;
	}
	if (kstrtou32(s, 0, &step) || step >= UV_TXN_MAX_STEPS)
		return -EINVAL;
	spin_lock(&uv_hook_lock);
	uv_hook_step = step;
	spin_unlock(&uv_hook_lock);
	return len;
}

static const struct file_operations uv_hook_fops = {
	.owner	= THIS_MODULE,
	.read	= uv_hook_read,
	.write	= uv_hook_write,
	.llseek	= default_llseek,
};

int uv_testhook_init(void)
{
	uv_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("txn_pause_after_step", 0600, uv_debugfs_dir, NULL, &uv_hook_fops);
	return 0;
}

void uv_testhook_exit(void)
{
	debugfs_remove(uv_debugfs_dir);
	uv_debugfs_dir = NULL;
	spin_lock(&uv_hook_lock);
	uv_hook_step = UV_NONE;
	spin_unlock(&uv_hook_lock);
}
