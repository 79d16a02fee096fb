// SPDX-License-Identifier: GPL-2.0
/*
 * uv_serial_poll: tell the guest kernel's 8250 driver that ttyS0 has no
 * interrupt line (TIOCSSERIAL, irq 0), so it polls the UART from a timer.
 * The monitor's 16550 raises no interrupt and the platform has no I/O APIC
 * (docs/guest-platform.md): with the default IRQ 4 the port cannot start and
 * every write to the console tty fails with EIO.
 */
#include <fcntl.h>
#include <linux/serial.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/ttyS0";
	struct serial_struct ss;
	int fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || ioctl(fd, TIOCGSERIAL, &ss)) {
		perror(dev);
		return 1;
	}
	ss.irq = 0;
	if (ioctl(fd, TIOCSSERIAL, &ss)) {
		perror("TIOCSSERIAL");
		return 1;
	}
	close(fd);
	return 0;
}
