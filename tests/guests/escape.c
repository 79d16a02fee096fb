// SPDX-License-Identifier: GPL-2.0
/*
 * escape: tries to reach memory outside its partition. The command line
 * chooses one attempt, "target=WHAT [addr=GPA]":
 *   above        read the first byte above the partition's memory
 *   above-write  write it
 *   lapic        read the local APIC page (0xfee00000)
 *   ioapic       write the I/O APIC page (0xfec00000)
 *   pcihole      read the PCI hole (0xe0000000)
 *   bios         read the top of the 4 GiB space, where firmware ROM lives (0xfffff000)
 *   addr         write the guest-physical address addr= (e.g. a host page's address)
 *   exec         jump above the partition's memory
 * Each one must end the partition in state "faulted" with that address. If
 * the guest is still running afterwards it says so and exits with code 1.
 */
#include "guest.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

static void say(const char *what, uint64_t addr)
{
	puts("escape: ");
	puts(what);
	puts(" ");
	put_hex(addr);
	puts("\n");
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	const char *t = cmdline_get(mbi, "target");
	uint64_t top = mem_top(mbi), addr = 0;
	volatile uint32_t *p;
	int write = 0;

	if (!t) {
		puts("escape: no target= on the command line\n");
		guest_exit(2);
	}
	if (!strncmp(t, "above-write", 11)) {
		addr = top;
		write = 1;
	} else if (!strncmp(t, "above", 5)) {
		addr = top;
	} else if (!strncmp(t, "lapic", 5)) {
		addr = 0xfee00000;
	} else if (!strncmp(t, "ioapic", 6)) {
		addr = 0xfec00000;
		write = 1;
	} else if (!strncmp(t, "pcihole", 7)) {
		addr = 0xe0000000;
	} else if (!strncmp(t, "bios", 4)) {
		addr = 0xfffff000;
	} else if (!strncmp(t, "addr", 4)) {
		addr = parse_num(cmdline_get(mbi, "addr"), 0);
		write = 1;
	} else if (!strncmp(t, "exec", 4)) {
		void (*fn)(void) = (void (*)(void))(uintptr_t)top;

		say("jumping to", top);
		fn();
		puts("escape: still running after the jump\n");
		guest_exit(1);
	} else {
		puts("escape: unknown target\n");
		guest_exit(2);
	}
	if (addr >= 0x100000000ULL) {
		puts("escape: address above 4 GiB, not reachable in 32-bit mode\n");
		guest_exit(2);
	}
	say(write ? "writing" : "reading", addr);
	p = (volatile uint32_t *)(uintptr_t)addr;
	if (write)
		*p = 0xdeadbeef;
	else
		(void)*p;
	puts("escape: still running after the access\n");
	guest_exit(1);
}
