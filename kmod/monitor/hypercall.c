// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls (docs/hypercalls.md, uapi/linux/ultravisor_hypercall.h):
 * VMMCALL with the function in RAX, arguments in RBX, RCX, RDX, RSI, the
 * result in RAX. In 32-bit mode only the low halves count. Buffers are guest
 * physical, copied once into a monitor buffer through guest_mem.c (which
 * refuses anything outside partition memory), and only the copy is used.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>

#include "internal.h"
#ifdef UV_CHANNELS	/* ultravisor.ko has kmod/channel; uv_montest.ko does not */
#include "channel/channel.h"
#endif

#define VMMCALL_LEN	3

static s64 uv_hc_console_write(struct uv_vcpu *v, u64 gpa, u64 len)
{
	if (len > UV_HC_CONSOLE_MAX)
		return -UV_HC_E2BIG;
	if (!len)
		return 0;
	if (uv_guest_read(v->part, gpa, v->hc_buf, len))
		return -UV_HC_EFAULT;
	uv_console_write(&v->part->console, v->hc_buf, len);
	return len;
}

/* Returns true if the guest is done (UV_HC_STOP). */
bool uv_hypercall(struct uv_vcpu *v, const struct uv_exit *e)
{
	u64 nr = v->regs.rax, a1 = v->regs.rbx, a2 = v->regs.rcx;
	s64 ret;

	if (!e->long_mode) {
		nr = (u32)nr;
		a1 = (u32)a1;
		a2 = (u32)a2;
	}
	/* the result is for the instruction after VMMCALL, also on error */
	v->rip = e->next_rip ? e->next_rip : v->rip + VMMCALL_LEN;
	if (!e->long_mode)
		v->rip = (u32)v->rip;

	if (e->cpl) {
		ret = -UV_HC_EPERM;
		goto out;
	}
	switch (nr) {
	case UV_HC_ABI_VERSION:
		ret = UV_HC_ABI_VERSION_NR;
		break;
	case UV_HC_CONSOLE_WRITE:
		ret = uv_hc_console_write(v, a1, a2);
		break;
	case UV_HC_YIELD:
		cond_resched();
		ret = 0;
		break;
	case UV_HC_STOP:
		uv_partition_exited(v->part, (u32)a1, UV_PEXITED_HYPERCALL);
		return true;
	case UV_HC_TIME_NS:
		ret = ktime_get_ns();
		if (!e->long_mode)
			v->regs.rdx = (u64)ret >> 32;
		break;
#ifdef UV_CHANNELS
	case UV_HC_CHANNEL_LIST:	/* kmod/channel */
		ret = uv_chan_hc_list(v->part, a1, a2);
		break;
	case UV_HC_CHANNEL_NOTIFY:
		ret = uv_chan_hc_notify(v->part, a1, a2);
		break;
#endif
	default:
		ret = -UV_HC_ENOSYS;
		break;
	}
out:
	v->regs.rax = e->long_mode ? (u64)ret : (u32)ret;
	return false;
}
