// SPDX-License-Identifier: GPL-2.0
/* Freestanding helpers for the test guests. */
#include "guest.h"

#define COM1		UV_PORT_SERIAL
#define LSR_THRE	0x20

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

void serial_putc(char c)
{
	int i;

	for (i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		;
	outb(COM1, c);
}

void puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

void hc_puts(const char *s)
{
	hypercall(UV_HC_CONSOLE_WRITE, (uint32_t)(uintptr_t)s, strlen(s), 0, 0);
}

void put_hex(uint64_t v)
{
	char buf[19];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	puts(buf);
}

/* n / d without libgcc's 64-bit division */
uint64_t udiv64(uint64_t n, uint32_t d)
{
	uint64_t q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	return q;
}

void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		uint64_t q = udiv64(v, 10);

		buf[--i] = '0' + (char)(v - q * 10);
		v = q;
	} while (v);
	puts(buf + i);
}

void put_field(const char *key, uint64_t v)
{
	puts(" ");
	puts(key);
	puts("=");
	put_dec(v);
}

void guest_exit(uint8_t code)
{
	outb(UV_PORT_EXIT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

const char *cmdline_get(const struct uv_multiboot_info *mbi, const char *key)
{
	const char *s;
	size_t k = strlen(key);

	if (!(mbi->flags & UV_MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
		return NULL;
	s = (const char *)(uintptr_t)mbi->cmdline;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, key, k) && s[k] == '=')
			return s + k + 1;
		while (*s && *s != ' ')
			s++;
	}
	return NULL;
}

uint64_t parse_num(const char *s, uint64_t dflt)
{
	uint64_t v = 0;
	int base = 10;

	if (!s || !*s || *s == ' ')
		return dflt;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s && *s != ' '; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return dflt;
		v = v * base + d;
	}
	return v;
}

/* first byte above the highest available memory in the Multiboot map */
uint64_t mem_top(const struct uv_multiboot_info *mbi)
{
	uint32_t off = 0;
	uint64_t top = 0;

	if (!(mbi->flags & UV_MULTIBOOT_INFO_MMAP))
		return (uint64_t)(mbi->mem_upper + 1024) * 1024;
	while (off + sizeof(struct uv_multiboot_mmap) <= mbi->mmap_length) {
		const struct uv_multiboot_mmap *m = (const void *)(uintptr_t)(mbi->mmap_addr + off);

		if (m->type == UV_MULTIBOOT_MMAP_AVAILABLE && m->base + m->len > top)
			top = m->base + m->len;
		off += m->size + 4;
	}
	return top;
}
