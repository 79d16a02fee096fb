# SPDX-License-Identifier: GPL-2.0
#
# Freestanding test guests (included by the top Makefile): each
# tests/guests/NAME.c becomes build/guests/NAME.elf, a Multiboot v1 ELF
# kernel (32-bit protected mode, no paging) linked at 1 MiB with start.S and
# lib.c. The VM image copies build/guests/*.elf to the emulated host's /guests.

GUEST_DIR    := tests/guests
GUEST_NAMES  := $(filter-out lib,$(basename $(notdir $(wildcard $(GUEST_DIR)/*.c))))
GUEST_ELFS   := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES))
GUEST_CFLAGS := -m32 -march=i686 -O2 -std=gnu11 -ffreestanding -fno-pic -fno-pie -nostdlib \
		-fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only \
		-fno-builtin -Wall -Wextra -Werror -Wno-unused-parameter -I$(TOP)/uapi
GUEST_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,-T,$(GUEST_DIR)/guest.ld \
		 -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_COMMON := $(GUEST_DIR)/start.S $(GUEST_DIR)/lib.c
GUEST_DEPS   := $(GUEST_COMMON) $(GUEST_DIR)/guest.h $(GUEST_DIR)/guest.ld \
		uapi/linux/ultravisor_hypercall.h uapi/linux/ultravisor_multiboot.h

$(BUILD)/guests/%.elf: $(GUEST_DIR)/%.c $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $<

# Guests that drive a console channel also link the virtio-console driver
# (tests/guests/lib/virtio_console.c), the line echo (lib/con_echo.c) and the
# interrupt support (lib/irq.c).
GUEST_CON    := conwrite conecho conhostile conirq x2apic smpipi
GUEST_CON_LIB := $(GUEST_DIR)/lib/virtio_console.c $(GUEST_DIR)/lib/con_echo.c \
		 $(GUEST_DIR)/lib/irq.c $(GUEST_DIR)/lib/irq_stubs.S
$(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_CON)): $(BUILD)/guests/%.elf: $(GUEST_DIR)/%.c \
		$(GUEST_DEPS) $(GUEST_CON_LIB) $(GUEST_DIR)/lib/virtio_console.h \
		$(GUEST_DIR)/lib/con_echo.h $(GUEST_DIR)/lib/irq.h \
		uapi/linux/ultravisor_channel.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $(GUEST_CON_LIB) $<

EXTRA_ALL += $(GUEST_ELFS)
