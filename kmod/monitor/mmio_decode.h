/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instruction decoder of the I/O APIC's MMIO emulation (mmio.c): the
 * 32-bit MOVs between a general-purpose register and memory that Linux's
 * readl() and writel() compile to, in 64-bit mode. An optional REX prefix
 * without W, then 0x8B (mov r32, m32) or 0x89 (mov m32, r32), a ModRM with a
 * memory operand, a SIB and a displacement as the ModRM says (RIP-relative
 * included). Only the length and the register are needed: the nested page
 * fault names the address. Free of kernel APIs, so the unit tests check it
 * too (tests/unit/test_mmio_decode.c).
 */
#ifndef _UV_MONITOR_MMIO_DECODE_H
#define _UV_MONITOR_MMIO_DECODE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#define UV_MMIO_INSN_MAX	15	/* the architectural limit */

/* One decoded MOV: direction, register (ModRM numbering with REX.R), length. */
struct uv_mmio {
	bool write;
	unsigned char reg;
	unsigned char len;
};

/* Decode @n bytes at @buf into @m: NULL, or why the instruction is refused. */
static inline const char *uv_mmio_decode(const unsigned char *buf, unsigned int n,
					 struct uv_mmio *m)
{
	unsigned int i = 0, mod, rm;
	unsigned char rex = 0, modrm;

	if (n && (buf[0] & 0xf0) == 0x40)
		rex = buf[i++];
	if (rex & 0x08)
		return "64-bit operand (REX.W)";
	if (i + 2 > n)
		return "instruction truncated";
	if (buf[i] != 0x89 && buf[i] != 0x8b)
		return "not a 32-bit MOV between a register and memory (0x89/0x8b)";
	m->write = buf[i++] == 0x89;
	modrm = buf[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	m->reg = ((modrm >> 3) & 7) | ((rex & 0x04) << 1);
	if (mod == 3)
		return "register operand, not memory";
	if (rm == 4) {			/* SIB */
		if (i + 1 > n)
			return "instruction truncated";
		if (mod == 0 && (buf[i] & 7) == 5)
			i += 4;		/* no base: disp32 */
		i++;
	} else if (mod == 0 && rm == 5) {
		i += 4;			/* RIP-relative disp32 */
	}
	if (mod == 1)
		i += 1;
	else if (mod == 2)
		i += 4;
	if (i > n)
		return "instruction truncated";
	m->len = i;
	return NULL;
}

#endif /* _UV_MONITOR_MMIO_DECODE_H */
