// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the Boot channel's Multiboot loader: fuzz bytes are the
 * image file. Any image may be refused, but with an errno and a message; the
 * loader never writes outside its window (guard pages around it, checked after
 * every run, besides ASan); an accepted image has its entry point and its
 * information inside the window. An input whose first byte is odd is taken as
 * patches (offset, byte) to a valid ELF32 image built here, so the fuzzer
 * starts from images the loader accepts without a binary seed in the tree.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor.h>
#include <linux/ultravisor_hypercall.h>

#include "boot_load.h"

#define WIN	(2u << 20)	/* 2 MiB of guest memory at gpa 0 */
#define GUARD	4096
#define FILL	0x5a

static void must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_boot_multiboot: %s\n", what);
		abort();
	}
}

#define TPL_LEN	0x480

/* A valid Multiboot ELF32: one segment at 1 MiB, header at 0x200, code at 0x400. */
static void template(uint8_t *t)
{
	Elf32_Ehdr h = { 0 };
	Elf32_Phdr p = { 0 };
	uint32_t mb[3] = { UV_MULTIBOOT_HEADER_MAGIC, 0x3, -(UV_MULTIBOOT_HEADER_MAGIC + 0x3) };

	memset(t, 0x90, TPL_LEN);
	memcpy(h.e_ident, ELFMAG, SELFMAG);
	h.e_ident[EI_CLASS] = ELFCLASS32;
	h.e_ident[EI_DATA] = ELFDATA2LSB;
	h.e_type = ET_EXEC;
	h.e_machine = EM_386;
	h.e_entry = 0x100000;
	h.e_phoff = sizeof(h);
	h.e_phentsize = sizeof(p);
	h.e_phnum = 1;
	p.p_type = PT_LOAD;
	p.p_offset = 0x400;
	p.p_vaddr = 0x100000;
	p.p_paddr = 0x100000;
	p.p_filesz = TPL_LEN - 0x400;
	p.p_memsz = 0x2000;
	memcpy(t, &h, sizeof(h));
	memcpy(t + sizeof(h), &p, sizeof(p));
	memcpy(t + 0x200, mb, sizeof(mb));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t tpl[TPL_LEN];
	static uint8_t *buf;
	struct ultra_guest_window w;
	struct ultra_boot_entry en;
	struct ultra_err e = { 0 };
	bool pristine = size == 1 && (data[0] & 1);
	size_t i;
	int ret;

	if (!buf) {
		buf = malloc(WIN + 2 * GUARD);
		must(buf != NULL, "out of memory");
	}
	memset(buf, FILL, GUARD);
	memset(buf + GUARD + WIN, FILL, GUARD);
	if (size && (data[0] & 1)) {
		template(tpl);
		for (i = 1; i + 3 <= size; i += 3)
			tpl[(data[i] | data[i + 1] << 8) % TPL_LEN] = data[i + 2];
		data = tpl;
		size = TPL_LEN;
	}
	w.base = buf + GUARD;
	w.gpa = 0;
	w.size = WIN;
	ret = ultra_boot_multiboot(&w, data, size, size & 1 ? "fuzz=1" : NULL, &en, &e);
	must(!pristine || !ret, "the unpatched template was refused");
	if (ret) {
		must(ret < 0 && e.err == -ret && e.msg[0], "refusal without errno or message");
	} else {
		must(en.mode == UV_ENTRY_FLAT32, "bad mode");
		must(en.eip < WIN, "entry point outside the window");
		must(en.ebx < WIN && en.high <= WIN && en.low < en.high, "information outside");
		must(en.eax == UV_MULTIBOOT_BOOT_MAGIC, "bad magic");
	}
	for (i = 0; i < GUARD; i++)
		must(buf[i] == FILL && buf[GUARD + WIN + i] == FILL, "wrote outside the window");
	return 0;
}
