# SPDX-License-Identifier: GPL-2.0
# Test-only kernel modules (included by the top Makefile): uv_resdb_selftest.ko runs
# the resource database's vectors in kernel context. Built into build/kselftest/;
# the VM image copies its *.ko into /lib/modules/.
.PHONY: kselftest
kselftest: need-kv
	$(call kbuild,$(shell cat $(CACHE)/KV),$(BUILD)/kselftest,tests/kselftest/Kbuild \
		tests/kselftest/resdb_selftest.c tests/kselftest/vectors.S kmod/resdb uapi tests/vectors)

EXTRA_ALL += kselftest
