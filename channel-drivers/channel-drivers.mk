# SPDX-License-Identifier: GPL-2.0
#
# Guest-side kernel modules (channel-drivers/), included by the top Makefile.
# They run inside a partition, never on this machine nor in the emulated host's
# own kernel: built against the test kernel's headers (the guest runs the same
# Debian kernel) into build/channel-drivers/, and against the newer headers into
# build/channel-drivers-newer/<kernel>/ to catch API drift.
CHANNEL_DRIVERS_SRCS = channel-drivers/Kbuild $(sort $(wildcard channel-drivers/*.[ch])) uapi

.PHONY: channel-drivers channel-drivers-newer
channel-drivers: need-kv
	$(call kbuild,$(shell cat $(CACHE)/KV),$(BUILD)/channel-drivers,$(CHANNEL_DRIVERS_SRCS))

channel-drivers-newer:
	$(call kbuild_in,$(CACHE)/newer/$(KVN)/root/usr/src/linux-headers-$(KVN),$(BUILD)/channel-drivers-newer/$(KVN),$(CHANNEL_DRIVERS_SRCS))

EXTRA_ALL += channel-drivers
