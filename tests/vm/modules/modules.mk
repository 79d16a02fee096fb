# SPDX-License-Identifier: GPL-2.0
#
# Test-only kernel modules for the in-VM tests (included by the top Makefile).
# uv_montest.ko: the monitor (kmod/monitor) with a debugfs driver, so that
# tests/vm/monitor-*.sh can run guests before the lifecycle ioctls exist.
# Built against the test kernel into build/vm-modules/, whose *.ko the VM
# image copies into /lib/modules/.

VM_MODULES_DIR := $(BUILD)/vm-modules
VM_MODULES_SRC := kmod/monitor kmod/include kmod/core/cpu_features.c uapi \
		  $(wildcard tests/vm/modules/*.c) tests/vm/modules/Kbuild

.PHONY: vm-modules
vm-modules: need-kv
	$(call kbuild,$(shell cat $(CACHE)/KV),$(VM_MODULES_DIR),$(VM_MODULES_SRC))

EXTRA_ALL += vm-modules
