// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Linux loader (userspace/lib/boot_linux.c) and the ACPI
 * tables it writes (acpi_tables.c): where everything lands, what the zero
 * page says, that the e820 map covers the partition exactly once, every
 * table's checksum and pointer, and each refusal with the window untouched
 * outside it. The bzImage is synthetic: a setup header with the fields the
 * boot protocol defines and a recognisable protected-mode body.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ultravisor_hypercall.h>

#include "acpi_tables.h"
#include "boot_linux.h"

#define MIB		(1ULL << 20)
#define MEM		(64 * MIB)
#define SETUP_SECTS	3
#define SETUP_LEN	((size_t)(SETUP_SECTS + 1) * 512)
#define PM_LEN		((size_t)300 * 1024)
#define PREF		(16 * MIB)
#define INIT_SIZE	(20 * MIB)

static uint8_t *image;
static size_t image_len;
static uint8_t *mem;
static struct ultra_guest_window win;
static uint8_t initrd[10000];

static uint16_t g16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t g32(const uint8_t *p) { return g16(p) | (uint32_t)g16(p + 2) << 16; }
static uint64_t g64(const uint8_t *p) { return g32(p) | (uint64_t)g32(p + 4) << 32; }
static void p16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void p32(uint8_t *p, uint32_t v) { p16(p, v); p16(p + 2, v >> 16); }
static void p64(uint8_t *p, uint64_t v) { p32(p, v); p32(p + 4, v >> 32); }

static void make_image(void)
{
	size_t i;

	image_len = SETUP_LEN + PM_LEN;
	image = calloc(1, image_len);
	ck_assert_ptr_nonnull(image);
	image[0x1f1] = SETUP_SECTS;
	p16(image + 0x1fe, 0xaa55);
	image[0x200] = 0xeb;
	image[0x201] = 0x6a;			/* header ends at 0x26c (2.15) */
	p32(image + 0x202, 0x53726448);
	p16(image + 0x206, 0x020f);
	image[0x211] = 0x01;			/* LOADED_HIGH */
	p32(image + 0x214, 0x100000);
	p32(image + 0x22c, 0x7fffffff);
	p32(image + 0x230, 0x200000);
	image[0x234] = 1;
	p16(image + 0x236, 0x7f);		/* XLF_KERNEL_64 and friends */
	p32(image + 0x238, 2047);
	p64(image + 0x258, PREF);
	p32(image + 0x260, INIT_SIZE);
	for (i = SETUP_LEN; i < image_len; i++)
		image[i] = (uint8_t)(i * 7 + 1);
}

static void setup(void)
{
	size_t i;

	make_image();
	mem = calloc(1, MEM);
	ck_assert_ptr_nonnull(mem);
	win = (struct ultra_guest_window){ .base = mem, .gpa = 0, .size = MEM };
	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
}

static void teardown(void)
{
	free(image);
	free(mem);
}

static struct ultra_linux_boot boot_args(void)
{
	return (struct ultra_linux_boot){
		.kernel = image, .kernel_len = image_len, .initrd = initrd,
		.initrd_len = sizeof(initrd), .cmdline = "console=ttyS0 pci=off", .nr_cpus = 1,
	};
}

static int load(struct ultra_linux_boot *b, struct ultra_boot_entry *en,
		struct ultra_linux_layout *l, struct ultra_err *e)
{
	memset(e, 0, sizeof(*e));
	return ultra_boot_linux(&win, b, en, l, e);
}

START_TEST(test_layout)
{
	struct ultra_linux_boot b = boot_args();
	struct ultra_boot_entry en;
	struct ultra_linux_layout l;
	struct ultra_err e;
	const uint8_t *bp;

	ck_assert_int_eq(load(&b, &en, &l, &e), 0);
	ck_assert_uint_eq(en.mode, UV_ENTRY_FLAT32);
	ck_assert_uint_eq(en.eip, PREF);
	ck_assert_uint_eq(en.esi, ULTRA_LINUX_BOOT_PARAMS);
	ck_assert_uint_eq(en.eax, 0);
	ck_assert_uint_eq(en.ebx, 0);
	ck_assert_uint_eq(en.low, ULTRA_LINUX_BOOT_PARAMS);
	ck_assert_uint_eq(en.high, l.initrd + sizeof(initrd));
	/* the protected-mode kernel, byte for byte, at its preferred address */
	ck_assert_int_eq(memcmp(mem + PREF, image + SETUP_LEN, PM_LEN), 0);
	ck_assert_uint_eq(l.kernel_end, PREF + INIT_SIZE);
	/* initramfs page aligned, as high as memory allows */
	ck_assert_uint_eq(l.initrd % 4096, 0);
	ck_assert_uint_le(l.initrd + sizeof(initrd), MEM);
	ck_assert_uint_gt(l.initrd + sizeof(initrd) + 4096, MEM);
	ck_assert_int_eq(memcmp(mem + l.initrd, initrd, sizeof(initrd)), 0);

	bp = mem + ULTRA_LINUX_BOOT_PARAMS;
	ck_assert_uint_eq(g32(bp + 0x202), 0x53726448);		/* header copied */
	ck_assert_uint_eq(g16(bp + 0x206), 0x020f);
	ck_assert_uint_eq(bp[0x210], 0xff);			/* type_of_loader */
	ck_assert_uint_eq(g32(bp + 0x214), PREF);		/* code32_start */
	ck_assert_uint_eq(g32(bp + 0x218), l.initrd);
	ck_assert_uint_eq(g32(bp + 0x21c), sizeof(initrd));
	ck_assert_uint_eq(g32(bp + 0x228), ULTRA_LINUX_CMDLINE);
	ck_assert_str_eq((const char *)mem + ULTRA_LINUX_CMDLINE, "console=ttyS0 pci=off");
	ck_assert_uint_eq(g64(bp + 0x070), ULTRA_LINUX_ACPI);	/* acpi_rsdp_addr */
	ck_assert_uint_eq(l.rsdp, ULTRA_LINUX_ACPI);
	ck_assert_int_eq(memcmp(mem + l.rsdp, "RSD PTR ", 8), 0);
	/* nothing past the header but what the loader sets */
	ck_assert_uint_eq(bp[0x26c], 0);
}
END_TEST

START_TEST(test_e820_covers_memory)
{
	struct ultra_linux_boot b = boot_args();
	struct ultra_boot_entry en;
	struct ultra_linux_layout l;
	struct ultra_err e;
	const uint8_t *bp = mem + ULTRA_LINUX_BOOT_PARAMS;
	uint64_t next = 0, ram = 0;
	unsigned int i, n;

	ck_assert_int_eq(load(&b, &en, &l, &e), 0);
	n = bp[0x1e8];
	ck_assert_uint_eq(n, l.e820_entries);
	ck_assert_uint_ge(n, 4);
	for (i = 0; i < n; i++) {
		uint64_t a, s;
		uint32_t t;
		const uint8_t *x = bp + 0x2d0 + (size_t)i * 20;

		a = g64(x);
		s = g64(x + 8);
		t = g32(x + 16);
		ck_assert_uint_eq(a, next);		/* in order, no gap, no overlap */
		ck_assert_uint_gt(s, 0);
		next = a + s;
		if (t == 1)
			ram += s;
		/* what the loader wrote is never RAM below 1 MiB */
		if (a <= ULTRA_LINUX_BOOT_PARAMS && ULTRA_LINUX_BOOT_PARAMS < next)
			ck_assert_uint_eq(t, 2);
		if (a <= ULTRA_LINUX_ACPI && ULTRA_LINUX_ACPI < next)
			ck_assert_uint_eq(t, 3);
		if (a <= PREF && PREF < next)
			ck_assert_uint_eq(t, 1);
	}
	ck_assert_uint_eq(next, MEM);
	ck_assert_uint_eq(ram, MEM - 0x100000 + ULTRA_LINUX_BOOT_PARAMS);
}
END_TEST

static const uint8_t *table_at(uint64_t gpa, const char *sig)
{
	const uint8_t *t = mem + gpa;

	ck_assert_uint_lt(gpa, MEM);
	ck_assert_int_eq(memcmp(t, sig, 4), 0);
	ck_assert_uint_eq(ultra_acpi_sum(t, g32(t + 4)), 0);
	return t;
}

/* a Generic Address Structure for a byte-wide I/O port */
static void check_io_gas(const uint8_t *g, uint16_t port)
{
	ck_assert_uint_eq(g[0], 1);		/* system I/O */
	ck_assert_uint_eq(g[1], 8);
	ck_assert_uint_eq(g[2], 0);
	ck_assert_uint_eq(g[3], 1);		/* byte access */
	ck_assert_uint_eq(g64(g + 4), port);
}

START_TEST(test_acpi_tables)
{
	struct ultra_linux_boot b = boot_args();
	struct ultra_boot_entry en;
	struct ultra_linux_layout l;
	struct ultra_err e;
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				      0x0a, 5, 0x0a, 5, 0x00, 0x00 };
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *ioapic;
	unsigned int i;

	b.nr_cpus = 3;
	ck_assert_int_eq(load(&b, &en, &l, &e), 0);
	rsdp = mem + l.rsdp;
	ck_assert_uint_eq(ultra_acpi_sum(rsdp, 20), 0);
	ck_assert_uint_eq(ultra_acpi_sum(rsdp, 36), 0);
	ck_assert_uint_eq(rsdp[15], 2);
	ck_assert_uint_eq(g32(rsdp + 20), 36);
	xsdt = table_at(g64(rsdp + 24), "XSDT");
	ck_assert_uint_eq(g32(xsdt + 4), 36 + 16);
	fadt = table_at(g64(xsdt + 36), "FACP");
	madt = table_at(g64(xsdt + 44), "APIC");
	ck_assert_uint_eq(g32(fadt + 4), 276);
	ck_assert_uint_eq(g32(fadt + 112) & ULTRA_FADT_F_HW_REDUCED, ULTRA_FADT_F_HW_REDUCED);
	ck_assert_uint_eq(g32(fadt + 112) & ULTRA_FADT_F_APIC_PHYSICAL,
			  ULTRA_FADT_F_APIC_PHYSICAL);
	ck_assert_uint_eq(g16(fadt + 109) & 0x3, 0);		/* no legacy devices, no 8042 */
	ck_assert_uint_eq(g64(fadt + 140), g32(fadt + 40));	/* X_DSDT = DSDT */
	dsdt = table_at(g64(fadt + 140), "DSDT");
	/* power-off and reset: byte-wide I/O registers at the monitor's ports */
	ck_assert_uint_eq(g32(fadt + 112) & ULTRA_FADT_F_RESET_REG_SUP,
			  ULTRA_FADT_F_RESET_REG_SUP);
	check_io_gas(fadt + 116, UV_PORT_ACPI_RESET);
	ck_assert_uint_eq(fadt[128], UV_ACPI_RESET_VALUE);
	check_io_gas(fadt + 244, UV_PORT_ACPI_SLEEP_CTL);
	check_io_gas(fadt + 256, UV_PORT_ACPI_SLEEP_STS);
	/* the DSDT holds exactly Name (\_S5, Package (4) { 5, 5, 0, 0 }) */
	ck_assert_uint_eq(g32(dsdt + 4), 36 + sizeof(s5));
	ck_assert_mem_eq(dsdt + 36, s5, sizeof(s5));
	ck_assert_uint_le(g64(fadt + 140) + g32(dsdt + 4), g64(xsdt + 44));	/* before the MADT */
	ck_assert_uint_eq(g32(madt + 4), 44 + 3 * 16 + 12);
	ck_assert_uint_eq(g32(madt + 36), 0xfee00000);
	ck_assert_uint_eq(g32(madt + 40), 0);			/* no PCAT_COMPAT */
	for (i = 0; i < 3; i++) {
		const uint8_t *x = madt + 44 + (size_t)i * 16;

		ck_assert_uint_eq(x[0], 9);
		ck_assert_uint_eq(x[1], 16);
		ck_assert_uint_eq(g32(x + 4), i);
		ck_assert_uint_eq(g32(x + 8), 1);
		ck_assert_uint_eq(g32(x + 12), i);
	}
	/* the I/O APIC: type 1, ID 0, at the monitor's page, pins from GSI 0 */
	ioapic = madt + 92;
	ck_assert_uint_eq(ioapic[0], 1);
	ck_assert_uint_eq(ioapic[1], 12);
	ck_assert_uint_eq(ioapic[2], 0);
	ck_assert_uint_eq(g32(ioapic + 4), 0xfec00000);
	ck_assert_uint_eq(g32(ioapic + 8), 0);
}
END_TEST

START_TEST(test_acpi_refusals)
{
	uint8_t buf[ULTRA_ACPI_SIZE];
	struct ultra_err e = { 0 };
	uint64_t rsdp = 0;

	ck_assert_int_eq(ultra_acpi_build(buf, sizeof(buf), 0x9e000, 0, &rsdp, &e), -EINVAL);
	ck_assert_int_eq(ultra_acpi_build(buf, sizeof(buf), 0x9e000, ULTRA_ACPI_MAX_CPUS + 1,
					  &rsdp, &e), -EINVAL);
	ck_assert_int_eq(ultra_acpi_build(buf, 600, 0x9e000, 1, &rsdp, &e), -ENOSPC);
	ck_assert_int_eq(ultra_acpi_build(buf, sizeof(buf), 0xffffff00ULL, 1, &rsdp, &e),
			 -ERANGE);
	ck_assert_int_gt(ultra_acpi_build(buf, sizeof(buf), 0x9e000, ULTRA_ACPI_MAX_CPUS, &rsdp,
					  &e), 0);
}
END_TEST

/* a refused load leaves @errno and a message, and writes nothing to the window */
static void refused(struct ultra_linux_boot *b, int err, const char *msg_part)
{
	struct ultra_boot_entry en;
	struct ultra_err e;
	size_t i;

	ck_assert_msg(load(b, &en, NULL, &e) == -err, "expected -%d (%s), got %d: %s", err,
		      msg_part, -e.err, e.msg);
	ck_assert_int_eq(e.err, err);
	ck_assert_msg(strstr(e.msg, msg_part), "message \"%s\" lacks \"%s\"", e.msg, msg_part);
	for (i = 0; i < MEM && !mem[i]; i++)
		;
	ck_assert_msg(i == MEM, "refused load wrote at %#zx", i);
}

/* the channel area: reserved at the window's top, RAM and the initramfs below it */
START_TEST(test_e820_channel_area)
{
	struct ultra_linux_boot b = boot_args();
	struct ultra_boot_entry en;
	struct ultra_linux_layout l;
	struct ultra_err e;
	const uint8_t *bp = mem + ULTRA_LINUX_BOOT_PARAMS, *x;
	unsigned int n;

	b.chan_bytes = 4 * MIB - 4096;
	ck_assert_int_eq(load(&b, &en, &l, &e), 0);
	n = bp[0x1e8];
	x = bp + 0x2d0 + (size_t)(n - 1) * 20;
	ck_assert_uint_eq(g64(x), MEM - b.chan_bytes);
	ck_assert_uint_eq(g64(x + 8), b.chan_bytes);
	ck_assert_uint_eq(g32(x + 16), 2);
	x -= 20;
	ck_assert_uint_eq(g64(x) + g64(x + 8), MEM - b.chan_bytes);
	ck_assert_uint_eq(g32(x + 16), 1);
	ck_assert_uint_le(l.initrd + l.initrd_len, MEM - b.chan_bytes);
}
END_TEST

START_TEST(test_refusals)
{
	struct ultra_linux_boot b = boot_args();
	char longline[5000];

	b.kernel_len = 0x200;
	refused(&b, ENOEXEC, "too short");
	b = boot_args();
	image[0x1fe] = 0;
	refused(&b, ENOEXEC, "not a bzImage");
	image[0x1fe] = 0x55;
	p32(image + 0x202, 0x12345678);
	refused(&b, ENOEXEC, "not a bzImage");
	p32(image + 0x202, 0x53726448);
	p16(image + 0x206, 0x020b);
	refused(&b, EOPNOTSUPP, "2.11 is too old");
	p16(image + 0x206, 0x020f);
	p16(image + 0x236, 0);
	refused(&b, EOPNOTSUPP, "not a 64-bit kernel");
	p16(image + 0x236, 1);
	image[0x211] = 0;
	refused(&b, EOPNOTSUPP, "zImage");
	image[0x211] = 1;
	image[0x1f1] = 200;			/* setup larger than the file */
	b.kernel_len = (size_t)200 * 512;
	refused(&b, ENOEXEC, "setup sectors");
	image[0x1f1] = SETUP_SECTS;
	b.kernel_len = image_len;
	p32(image + 0x260, 100);
	refused(&b, ENOEXEC, "init_size");
	p32(image + 0x260, INIT_SIZE);
	p64(image + 0x258, 0x1234);
	refused(&b, ENOEXEC, "preferred load address");
	p64(image + 0x258, PREF);

	/* memory: kernel, then initramfs, do not fit */
	win.size = 24 * MIB;
	refused(&b, ENOSPC, "kernel: needs memory up to 36 MiB");
	win.size = MEM;
	b.initrd_len = MEM - PREF - INIT_SIZE + 4096;
	b.initrd = calloc(1, b.initrd_len);
	refused(&b, ENOSPC, "initramfs");
	free((void *)b.initrd);
	b = boot_args();

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	b.cmdline = longline;
	refused(&b, E2BIG, "at most 1023");
	b = boot_args();
	b.nr_cpus = 0;
	refused(&b, EINVAL, "vCPUs");
	b = boot_args();

	/* the window */
	win.gpa = 0x1000;
	refused(&b, EINVAL, "from guest-physical 0");
	win.gpa = 0;
	win.size = MIB;
	refused(&b, EINVAL, "at least 2 MiB");
	win.size = MEM;
	/* a channel area must be whole pages and leave the first MiB */
	b.chan_bytes = 100;
	refused(&b, EINVAL, "channel area");
	b.chan_bytes = MEM;
	refused(&b, EINVAL, "channel area");
	b.chan_bytes = 0;
}
END_TEST

/* the window is never written past its end, whatever the image claims */
START_TEST(test_window_bounds)
{
	struct ultra_linux_boot b = boot_args();
	struct ultra_boot_entry en;
	struct ultra_linux_layout l;
	struct ultra_err e;

	/* init_size exactly up to the end: fits, and the initramfs cannot */
	win.size = PREF + INIT_SIZE;
	b.initrd = NULL;
	b.initrd_len = 0;
	ck_assert_int_eq(load(&b, &en, &l, &e), 0);
	ck_assert_uint_eq(l.initrd_len, 0);
	ck_assert_uint_eq(g32(mem + ULTRA_LINUX_BOOT_PARAMS + 0x218), 0);
	b = boot_args();
	memset(mem, 0, MEM);
	refused(&b, ENOSPC, "initramfs");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("boot_linux");
	TCase *t = tcase_create("loader");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_layout);
	tcase_add_test(t, test_e820_covers_memory);
	tcase_add_test(t, test_e820_channel_area);
	tcase_add_test(t, test_acpi_tables);
	tcase_add_test(t, test_acpi_refusals);
	tcase_add_test(t, test_refusals);
	tcase_add_test(t, test_window_bounds);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
