// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold: create a KVM virtual machine and keep it until killed. In Linux 6.1
 * kvm_amd turns SVM on (EFER.SVME) only while a VM exists, so this is how a test
 * makes "another hypervisor owns the CPUs" true inside the emulated host.
 * Prints "kvm_hold: holding VM" once the VM exists.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	if (kvm < 0) {
		perror("kvm_hold: open /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}
	printf("kvm_hold: holding VM\n");
	fflush(stdout);
	for (;;)
		pause();
}
