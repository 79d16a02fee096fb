// SPDX-License-Identifier: GPL-2.0
/*
 * hello: the smallest useful partition. Prints through the emulated 16550
 * and through UV_HC_CONSOLE_WRITE, checks what the monitor promises (Multiboot
 * magic, CPUID hypervisor bit and signature, hypercall ABI version), and
 * stops with exit code 0 through port 0xf4 (or 1 if a promise was broken).
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	uint32_t a, b, c, d, ver;
	int bad = 0;

	puts("hello: serial port works\n");
	hc_puts("hello: hypercall console works\n");

	if (magic != UV_MULTIBOOT_BOOT_MAGIC) {
		puts("hello: bad multiboot magic\n");
		bad = 1;
	}
	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 31))) {
		puts("hello: no hypervisor bit\n");
		bad = 1;
	}
	cpuid(UV_CPUID_SIGNATURE, &a, &b, &c, &d);
	if (b != UV_CPUID_SIG_EBX || c != UV_CPUID_SIG_ECX || d != UV_CPUID_SIG_EDX ||
	    a < UV_CPUID_ABI) {
		puts("hello: bad CPUID signature\n");
		bad = 1;
	}
	cpuid(UV_CPUID_ABI, &a, &b, &c, &d);
	ver = hypercall(UV_HC_ABI_VERSION, 0, 0, 0, 0);
	if (ver != UV_HC_ABI_VERSION_NR || a != ver) {
		puts("hello: bad ABI version\n");
		bad = 1;
	}
	puts("hello: ABI ");
	put_hex(ver);
	puts(", memory top ");
	put_hex(mem_top(mbi));
	puts("\n");
	puts(bad ? "hello: FAILED\n" : "hello: all checks passed\n");
	guest_exit(bad);
}
