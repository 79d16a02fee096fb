// SPDX-License-Identifier: GPL-2.0
/*
 * smpipi: a 2-vCPU partition's IPIs, INIT and STARTUP from a freestanding
 * guest (docs/guest-platform.md, section 11). vCPU 0 (the BSP) copies a
 * real-mode trampoline to TRAMP_PAGE and starts vCPU 1 the way Linux does
 * (INIT assert, INIT de-assert, STARTUP twice). The AP, in real mode, stores
 * its x2APIC ID at AP_ID, counts its starts at AP_COUNT and sends the BSP a
 * fixed IPI (AP_VECTOR), then halts with IF = 0. Hostile writes around it:
 * IPIs to APIC IDs no vCPU has, an NMI IPI, INIT and STARTUP to itself, an
 * illegal vector (ESR), a storm of STARTUPs at page 0 to the running AP
 * (ignored: it must not restart), then INIT and STARTUP again (it restarts
 * once). Prints "smpipi: FAIL ..." per failed check and exits with their count.
 */
#include "guest.h"
#include "lib/irq.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

#define X2APIC_ID		0x802
#define X2APIC_SVR		0x80f
#define X2APIC_EOI		0x80b
#define X2APIC_ESR		0x828
#define X2APIC_ICR		0x830

#define ICR_FIXED		(0u << 8)
#define ICR_NMI			(4u << 8)
#define ICR_INIT		(5u << 8)
#define ICR_STARTUP		(6u << 8)
#define ICR_ASSERT		(1u << 14)
#define ICR_LEVEL		(1u << 15)
#define ICR_SELF		(1u << 18)
#define ESR_SEND_ILLEGAL	(1u << 5)

#define TRAMP_PAGE		0x8000u		/* STARTUP vector 0x08 */
#define AP_COUNT		0x9000u		/* the AP's starts */
#define AP_ID			0x9004u		/* its x2APIC ID, as it read it */
#define AP_VECTOR		0x40		/* the AP's IPI to the BSP */

/*
 * The AP's code, copied to TRAMP_PAGE: real mode, CS = 0x0800 (base 0x8000),
 * position independent. DS = 0 to reach AP_COUNT and AP_ID. WRMSR to the ICR
 * works in real mode (CPL 0).
 */
extern const uint8_t ap_tramp[], ap_tramp_end[];
__asm__(".pushsection .text\n"
	".globl ap_tramp, ap_tramp_end\n"
	"ap_tramp:\n"
	".code16\n"
	"	cli\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %ds\n"
	"	movl $0x802, %ecx\n"		/* the ID first: the BSP reads it once */
	"	rdmsr\n"				/* it sees the count (stores are */
	"	movl %eax, 0x9004\n"		/* seen in order) */
	"	lock incl 0x9000\n"
	"	movl $0x830, %ecx\n"
	"	movl $0x40, %eax\n"		/* fixed, vector AP_VECTOR, to APIC ID 0 */
	"	xorl %edx, %edx\n"
	"	wrmsr\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".code32\n"
	"ap_tramp_end:\n"
	".popsection\n");

static unsigned int failures;

static void icr(uint32_t dest, uint32_t low)
{
	wrmsr(X2APIC_ICR, (uint64_t)dest << 32 | low);
}

static void check(int ok, const char *what, uint64_t got)
{
	if (ok)
		return;
	failures++;
	puts("smpipi: FAIL ");
	puts(what);
	puts(": got ");
	put_hex(got);
	puts("\n");
}

static void handler(uint32_t v)
{
	wrmsr(X2APIC_EOI, 0);
}

static volatile uint32_t *mem32(uint32_t gpa)
{
	return (volatile uint32_t *)(uintptr_t)gpa;
}

/* Spin with IF = 1 until *@p is @want or @ms passed (TSC up to 3 GHz). */
static void wait_for(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	uint64_t end = rdtsc() + (uint64_t)ms * 3000000ULL;

	irq_enable();
	while (*p != want && rdtsc() < end)
		__asm__ volatile("pause");
	irq_disable();
}

/* Linux's sequence: INIT assert, INIT de-assert, STARTUP twice */
static void start_ap(uint32_t id)
{
	icr(id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	icr(id, ICR_INIT | ICR_LEVEL);
	icr(id, ICR_STARTUP | (TRAMP_PAGE >> 12));
	icr(id, ICR_STARTUP | (TRAMP_PAGE >> 12));
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	unsigned int i;

	irq_setup(handler);
	wrmsr(X2APIC_SVR, 0x1ff);
	check(rdmsr(X2APIC_ID) == 0, "BSP's x2APIC ID", rdmsr(X2APIC_ID));
	memcpy((void *)(uintptr_t)TRAMP_PAGE, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
	*mem32(AP_COUNT) = 0;
	*mem32(AP_ID) = 0xffffffffu;

	/* nothing of these may reach anything, or stop the BSP */
	icr(7, ICR_FIXED | 0x50);			/* no APIC ID 7 */
	icr(0x12345, ICR_INIT | ICR_LEVEL | ICR_ASSERT);	/* nor 0x12345 */
	icr(1, ICR_NMI);				/* NMI IPIs are ignored */
	icr(0, ICR_INIT | ICR_LEVEL | ICR_ASSERT);	/* INIT to itself */
	icr(0, ICR_SELF | ICR_STARTUP | 0x08);		/* STARTUP to itself */
	icr(1, ICR_FIXED | 0x51);		/* to the AP waiting for SIPI: dropped */
	wrmsr(X2APIC_ESR, 0);
	icr(0, ICR_SELF | ICR_FIXED | 0x05);		/* illegal vector */
	check(rdmsr(X2APIC_ESR) & ESR_SEND_ILLEGAL, "ESR: send illegal vector",
	      rdmsr(X2APIC_ESR));
	wait_for(mem32(AP_COUNT), 1, 20);
	check(*mem32(AP_COUNT) == 0, "the AP waits for its STARTUP", *mem32(AP_COUNT));
	puts("smpipi: hostile writes survived\n");

	start_ap(1);
	wait_for(mem32(AP_COUNT), 1, 5000);
	check(*mem32(AP_COUNT) == 1, "the AP started once", *mem32(AP_COUNT));
	check(*mem32(AP_ID) == 1, "the AP's x2APIC ID", *mem32(AP_ID));
	wait_for(&irq_count[AP_VECTOR], 1, 5000);
	check(irq_count[AP_VECTOR] == 1, "the AP's IPI reached the BSP", irq_count[AP_VECTOR]);
	check(irq_count[0x50] == 0 && irq_count[0x51] == 0, "no stray vector", irq_count[0x50]);
	puts("smpipi: AP started, its IPI arrived\n");

	/* a STARTUP storm at page 0 to the running AP: all ignored */
	for (i = 0; i < 200; i++)
		icr(1, ICR_STARTUP | 0x00);
	wait_for(mem32(AP_COUNT), 2, 200);
	check(*mem32(AP_COUNT) == 1, "STARTUPs to a running AP ignored", *mem32(AP_COUNT));

	/* INIT puts it back to wait-for-SIPI; a STARTUP then restarts it, once */
	start_ap(1);
	for (i = 0; i < 50; i++)
		icr(1, ICR_STARTUP | (TRAMP_PAGE >> 12));
	wait_for(mem32(AP_COUNT), 2, 5000);
	wait_for(mem32(AP_COUNT), 3, 200);
	check(*mem32(AP_COUNT) == 2, "INIT and STARTUP restart the AP once", *mem32(AP_COUNT));
	wait_for(&irq_count[AP_VECTOR], 2, 5000);
	check(irq_count[AP_VECTOR] == 2, "its second IPI arrived", irq_count[AP_VECTOR]);

	puts(failures ? "smpipi: some checks failed\n" : "smpipi: all checks passed\n");
	guest_exit(failures);
}
