/* SPDX-License-Identifier: GPL-2.0 */
/* Freestanding helpers for the test guests (32-bit protected mode, no paging). */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include <stddef.h>

#include <linux/ultravisor_hypercall.h>
#include <linux/ultravisor_multiboot.h>	/* gmain()'s boot information */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* VMMCALL: function in EAX, arguments in EBX, ECX, EDX, ESI; result in EAX */
static inline uint32_t hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	uint32_t ret;

	__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
			 : "memory");
	return ret;
}

/* the same, for UV_HC_TIME_NS: a 64-bit result in EDX:EAX */
static inline uint64_t hypercall64(uint32_t nr)
{
	uint32_t lo, hi;

	__asm__ volatile("vmmcall" : "=a"(lo), "=d"(hi) : "a"(nr), "d"(0) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

void serial_putc(char c);
void puts(const char *s);		/* serial port */
void hc_puts(const char *s);		/* UV_HC_CONSOLE_WRITE */
void put_hex(uint64_t v);
void put_dec(uint64_t v);
void put_field(const char *key, uint64_t v);	/* " key=v" (decimal): a report field */
void guest_exit(uint8_t code) __attribute__((noreturn));
uint64_t udiv64(uint64_t n, uint32_t d);
/* the value after "key=" in the command line */
const char *cmdline_get(const struct uv_multiboot_info *mbi, const char *key);
uint64_t parse_num(const char *s, uint64_t dflt);
uint64_t mem_top(const struct uv_multiboot_info *mbi);
size_t strlen(const char *s);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int strncmp(const char *a, const char *b, size_t n);

#endif
