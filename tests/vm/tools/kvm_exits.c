// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_exits N: the instruction mix of tests/guests/exits.c under KVM (/dev/kvm,
 * kvm_amd), for `make bench` (scripts/bench-exits). A 32-bit flat guest runs N
 * CPUIDs, N VMMCALLs (an unknown hypercall number: KVM answers it in the kernel,
 * as our monitor answers its own) and N OUTs to port 0x80 (KVM hands those to
 * this program: KVM_EXIT_IO), each loop timed with RDTSC in the guest, then HLT.
 * Prints "kvm: cpuid C cycles", "... vmmcall ...", "... pio ..." (TSC cycles
 * per exit, the guest's clock, as exits.c prints them).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define RESULTS		0x8000

static uint8_t code[256];
static size_t len;

static void emit(const void *b, size_t n)
{
	memcpy(code + len, b, n);
	len += n;
}

static void emit32(uint32_t v)
{
	emit(&v, 4);
}

/* mov ebp, n; rdtsc; mov esi,eax; mov edi,edx; loop: BODY; dec ebp; jnz loop;
 * rdtsc; sub eax,esi; sbb edx,edi; mov [slot],eax; mov [slot+4],edx */
static void timed_loop(uint32_t n, const uint8_t *body, size_t body_len, uint32_t slot)
{
	size_t top;
	int8_t rel;

	emit("\xbd", 1);
	emit32(n);
	emit("\x0f\x31\x89\xc6\x89\xd7", 6);
	top = len;
	emit(body, body_len);
	emit("\x4d\x75", 2);
	rel = (int8_t)(top - (len + 1));
	emit(&rel, 1);
	emit("\x0f\x31\x29\xf0\x19\xfa", 6);
	emit("\xa3", 1);
	emit32(slot);
	emit("\x89\x15", 2);
	emit32(slot + 4);
}

static void die(const char *what)
{
	fprintf(stderr, "kvm_exits: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 10000;
	static const char *const names[] = { "cpuid", "vmmcall", "pio" };
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint64_t *res;
	uint8_t *mem;
	int kvm, vm, vcpu, i;
	long pio = 0;

	if (!n)
		n = 10000;
	/* xor eax,eax; cpuid */
	timed_loop(n, (const uint8_t *)"\x31\xc0\x0f\xa2", 4, RESULTS);
	/* mov eax, 0xffff (no such hypercall); vmmcall */
	timed_loop(n, (const uint8_t *)"\xb8\xff\xff\x00\x00\x0f\x01\xd9", 8, RESULTS + 8);
	/* out 0x80, al */
	timed_loop(n, (const uint8_t *)"\xe6\x80", 2, RESULTS + 16);
	emit("\xf4", 1);	/* hlt */

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE, code, len);
	memset(&region, 0, sizeof(region));
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	/* flat 32-bit protected mode, no paging: the segment caches are all KVM needs */
	sregs.cs.base = 0;
	sregs.cs.limit = 0xffffffff;
	sregs.cs.g = 1;
	sregs.cs.db = 1;
	sregs.cs.selector = 8;
	sregs.cs.type = 11;
	sregs.cs.s = 1;
	sregs.cs.present = 1;
	sregs.ds = sregs.cs;
	sregs.ds.type = 3;
	sregs.ds.selector = 16;
	sregs.es = sregs.ss = sregs.ds;
	sregs.cr0 |= 1;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO) {
			pio++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		fprintf(stderr, "kvm_exits: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	if (pio != n) {
		fprintf(stderr, "kvm_exits: %ld port exits, expected %u\n", pio, n);
		return 1;
	}
	res = (uint64_t *)(mem + RESULTS);
	printf("kvm: %u of each\n", n);
	for (i = 0; i < 3; i++)
		printf("kvm: %s %llu cycles\n", names[i], (unsigned long long)(res[i] / n));
	return 0;
}
