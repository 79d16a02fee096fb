# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest (included by the top Makefile): the test kernel's own Debian
# vmlinuz, unmodified, and an initramfs built by mkinitramfs, in
# build/guests/linux/. The VM image copies them to the emulated host's
# /guests/linux/ (scripts/lib/vm.sh).

LINUX_GUEST_DIR := tests/guests/linux
LINUX_GUEST_OUT := $(BUILD)/guests/linux

$(LINUX_GUEST_OUT)/uv_serial_poll: $(LINUX_GUEST_DIR)/uv_serial_poll.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) -static -Os -Wall -Wextra -Werror -o $@ $<

$(LINUX_GUEST_OUT)/uv_sigdfl: $(LINUX_GUEST_DIR)/uv_sigdfl.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) -static -Os -Wall -Wextra -Werror -o $@ $<

$(LINUX_GUEST_OUT)/initramfs.cpio.gz: $(LINUX_GUEST_DIR)/init $(LINUX_GUEST_DIR)/mkinitramfs \
		$(LINUX_GUEST_DIR)/linux.mk $(LINUX_GUEST_OUT)/uv_serial_poll \
		$(LINUX_GUEST_OUT)/uv_sigdfl channel-drivers
	$(call say,GEN,$@)$(LINUX_GUEST_DIR)/mkinitramfs $@ $(LINUX_GUEST_OUT)/uv_serial_poll \
		$(BUILD)/channel-drivers/uv_chanbus.ko $(LINUX_GUEST_OUT)/uv_sigdfl

$(LINUX_GUEST_OUT)/vmlinuz: $(CACHE)/kernel/$(KV)/boot/vmlinuz-$(KV)
	@mkdir -p $(dir $@)
	$(call say,CP,$@)cp $< $@

ifneq ($(KV),)
EXTRA_ALL += $(LINUX_GUEST_OUT)/initramfs.cpio.gz $(LINUX_GUEST_OUT)/vmlinuz
endif
