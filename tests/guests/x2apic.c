// SPDX-License-Identifier: GPL-2.0
/*
 * x2apic: the Linux guest platform seen from a freestanding guest (docs/
 * guest-platform.md): CPUID (x2APIC, TSC-deadline, ARAT, KVM's signature at
 * 0x40000100 with kvmclock only), IA32_APIC_BASE at reset, the x2APIC
 * registers, priority delivery (two self-IPIs taken highest first, each in
 * ISR until its EOI; TPR holding a vector back), the TSC-deadline timer
 * (fires once, not when masked, reads 0 after firing) and kvmclock (the
 * pvclock page's scale against the monitor's own clock). Prints "x2apic:
 * FAIL ..." for each failed check and exits with their count (0: all pass).
 */
#include "guest.h"
#include "lib/irq.h"

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi);

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define X2APIC_ID		0x802
#define X2APIC_VER		0x803
#define X2APIC_TPR		0x808
#define X2APIC_PPR		0x80a
#define X2APIC_EOI		0x80b
#define X2APIC_SVR		0x80f
#define X2APIC_ISR		0x810
#define X2APIC_IRR		0x820
#define X2APIC_LVTT		0x832
#define X2APIC_SELF_IPI		0x83f
#define MSR_KVM_SYSTEM_TIME	0x4b564d01
#define TSC_DEADLINE_MODE	(2u << 17)
#define LVT_MASKED		(1u << 16)

static unsigned int failures;
static volatile uint32_t order[8], norder;
static volatile uint32_t isr_seen[8], ppr_seen[8];

static void check(int ok, const char *what, uint64_t got)
{
	if (ok)
		return;
	failures++;
	puts("x2apic: FAIL ");
	puts(what);
	puts(": got ");
	put_hex(got);
	puts("\n");
}

/* bit @v of the 256-bit register at @base (ISR or IRR) */
static int apic_bit(uint32_t base, uint32_t v)
{
	return (rdmsr(base + v / 32) >> (v % 32)) & 1;
}

static void handler(uint32_t v)
{
	if (norder < 8) {
		order[norder] = v;
		isr_seen[norder] = apic_bit(X2APIC_ISR, v);
		ppr_seen[norder] = (uint32_t)rdmsr(X2APIC_PPR);
		norder++;
	}
	wrmsr(X2APIC_EOI, 0);
}

/* Spin with IF = 1 until @n interrupts were taken or @ms passed (TSC up to 3 GHz). */
static void wait_irqs(uint32_t n, uint32_t ms)
{
	uint64_t end = rdtsc() + (uint64_t)ms * 3000000ULL;

	irq_enable();
	while (irq_total < n && rdtsc() < end)
		__asm__ volatile("pause");
	irq_disable();
}

static void cpuid_checks(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	check(c & (1u << 21), "CPUID.1:ECX x2APIC", c);
	check(c & (1u << 24), "CPUID.1:ECX TSC-deadline", c);
	check(!(c & (1u << 26)), "CPUID.1:ECX XSAVE hidden", c);
	check(d & (1u << 9), "CPUID.1:EDX APIC", d);
	check((b >> 24) == 0, "CPUID.1:EBX APIC ID", b);
	cpuid(6, &a, &b, &c, &d);
	check(a == 4, "CPUID.6:EAX ARAT only", a);
	cpuid(0x40000100, &a, &b, &c, &d);
	check(b == 0x4b4d564b && c == 0x564b4d56 && d == 0x4d, "KVM signature at 0x40000100", b);
	check(a == 0x40000101, "KVM max leaf", a);
	cpuid(0x40000101, &a, &b, &c, &d);
	check(a == ((1u << 1) | (1u << 3) | (1u << 24)), "KVM features: NOP_IO_DELAY CLOCKSOURCE2 STABLE",
	      a);
}

static void apic_checks(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	check(base == (0xfee00000ULL | (1 << 11) | (1 << 10) | (1 << 8)),
	      "APIC base: x2APIC on, BSP", base);
	check(rdmsr(X2APIC_ID) == 0, "x2APIC ID", rdmsr(X2APIC_ID));
	check(rdmsr(X2APIC_VER) == 0x50014, "x2APIC version", rdmsr(X2APIC_VER));
	check(rdmsr(X2APIC_SVR) == 0xff, "SVR at reset", rdmsr(X2APIC_SVR));
	wrmsr(X2APIC_SVR, 0x1ff);		/* software enable, spurious vector 0xff */

	/* two self-IPIs with IF = 0: both wait in IRR; then the higher goes first */
	wrmsr(X2APIC_SELF_IPI, 0x31);
	wrmsr(X2APIC_SELF_IPI, 0x62);
	check(apic_bit(X2APIC_IRR, 0x31) && apic_bit(X2APIC_IRR, 0x62), "IRR holds both",
	      rdmsr(X2APIC_IRR + 1));
	wait_irqs(2, 100);
	check(norder == 2 && order[0] == 0x62 && order[1] == 0x31, "delivered highest first",
	      (uint64_t)order[0] << 8 | order[1]);
	check(isr_seen[0] && isr_seen[1], "in service in its handler", isr_seen[0]);
	check(ppr_seen[0] == 0x60 && ppr_seen[1] == 0x30, "PPR = the class in service",
	      (uint64_t)ppr_seen[0] << 8 | ppr_seen[1]);
	check(!apic_bit(X2APIC_ISR, 0x62) && !apic_bit(X2APIC_ISR, 0x31), "EOI cleared ISR",
	      rdmsr(X2APIC_ISR + 3));

	/* TPR 0x50 holds back 0x45; TPR 0 lets it through */
	wrmsr(X2APIC_TPR, 0x50);
	wrmsr(X2APIC_SELF_IPI, 0x45);
	wait_irqs(3, 20);
	check(irq_total == 2 && apic_bit(X2APIC_IRR, 0x45), "TPR 0x50 holds 0x45 back", irq_total);
	wrmsr(X2APIC_TPR, 0);
	wait_irqs(3, 100);
	check(irq_count[0x45] == 1, "TPR 0 delivers it", irq_count[0x45]);
}

static void timer_checks(void)
{
	uint64_t t;

	/* masked: never fires */
	wrmsr(X2APIC_LVTT, TSC_DEADLINE_MODE | LVT_MASKED | 0x70);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000);
	wait_irqs(4, 50);
	check(irq_count[0x70] == 0, "masked deadline timer is silent", irq_count[0x70]);
	/* armed ~2 ms ahead: fires once, the MSR reads 0 afterwards */
	wrmsr(X2APIC_LVTT, TSC_DEADLINE_MODE | 0x70);
	t = rdtsc() + 4000000;
	wrmsr(MSR_TSC_DEADLINE, t);
	check(rdmsr(MSR_TSC_DEADLINE) == t || irq_count[0x70] == 1, "deadline reads back", t);
	irq_disable();
	while (irq_count[0x70] == 0)
		__asm__ volatile("sti; hlt; cli" ::: "memory");	/* the timer ends the HLT */
	check(rdtsc() >= t, "fired at or after its deadline", rdtsc());
	wait_irqs(10, 20);
	check(irq_count[0x70] == 1, "fired once", irq_count[0x70]);
	check(rdmsr(MSR_TSC_DEADLINE) == 0, "deadline reads 0 after firing",
	      rdmsr(MSR_TSC_DEADLINE));
}

/* pvclock_vcpu_time_info */
struct pvti {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

static struct pvti pv __attribute__((aligned(64)));

static uint64_t pv_ns(uint64_t tsc)
{
	uint64_t d = tsc - pv.tsc_timestamp;

	d = pv.shift >= 0 ? d << pv.shift : d >> -pv.shift;
	/* (d * mul) >> 32 without a 64x64 multiply: split d */
	return pv.system_time + ((d >> 32) * pv.mul) + (((d & 0xffffffffULL) * pv.mul) >> 32);
}

static void kvmclock_checks(void)
{
	uint64_t h0, h1, t0, t1, g, hd;

	wrmsr(MSR_KVM_SYSTEM_TIME, (uint32_t)(uintptr_t)&pv | 1);
	check(pv.version && !(pv.version & 1), "pvclock version even, not 0", pv.version);
	check(pv.flags == 1, "pvclock stable bit", pv.flags);
	check(pv.mul >= 0x80000000u, "pvclock multiplier normalized", pv.mul);
	h0 = hypercall64(UV_HC_TIME_NS);
	t0 = rdtsc();
	for (g = 0; g < 20000000; g++)
		__asm__ volatile("" ::: "memory");
	h1 = hypercall64(UV_HC_TIME_NS);
	t1 = rdtsc();
	g = pv_ns(t1) - pv_ns(t0);
	hd = h1 - h0;
	/* kvmclock's ns over the loop against the host's, within 2 % */
	check(g * 100 > hd * 98 && g * 100 < hd * 102, "kvmclock rate = host clock", g);
	puts("x2apic: kvmclock ");
	put_dec(g);
	puts(" ns, host ");
	put_dec(hd);
	puts(" ns\n");
}

void gmain(uint32_t magic, const struct uv_multiboot_info *mbi)
{
	irq_setup(handler);
	cpuid_checks();
	apic_checks();
	timer_checks();
	kvmclock_checks();
	puts(failures ? "x2apic: some checks failed\n" : "x2apic: all checks passed\n");
	guest_exit(failures);
}
