# SPDX-License-Identifier: GPL-2.0
#
# ultravisor: top-level build. `make help` lists the targets.
#
# Everything built goes under build/; downloads (test kernel, checkpatch) under cache/.
# The kernel module is built against the headers of the *test* kernel (cache/KV, chosen by
# scripts/setup), never against the running kernel: nothing is ever loaded here.

TOP    := $(abspath .)
BUILD  ?= $(TOP)/build
CACHE  ?= $(TOP)/cache
KV     ?= $(shell cat $(CACHE)/KV 2>/dev/null)
KVN    ?= $(shell cat $(CACHE)/KV_NEWER 2>/dev/null)
export UV_CACHE := $(CACHE)

# `make V=1` shows the full commands; by default one short line per step, as Kbuild does.
V ?= 0
ifeq ($(V),1)
say :=
else
say = @printf '  %-7s %s\n' $(1) $(patsubst $(TOP)/%,%,$(2));
endif

CC        ?= gcc
CLANG     ?= clang
PKGS      := libnl-3.0 libnl-genl-3.0 json-c liburcu
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --static --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

INCLUDES := -I$(TOP)/uapi -I$(TOP)/userspace/lib -I$(TOP)/userspace -I$(TOP)/kmod
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
	    -fno-strict-aliasing $(INCLUDES) $(PKG_CFLAGS)
# Programs are static: the same binaries run on the build machine and in the emulated
# host's busybox initramfs, which has no shared libraries.
LDFLAGS  ?= -static

# ---- sources (every .c of a folder belongs to it: adding a file needs no Makefile edit) ----
RESDB_SRCS := $(sort $(wildcard kmod/resdb/*.c))
LIB_SRCS   := $(sort $(wildcard userspace/lib/*.c))
PROG_DIRS  := $(filter-out userspace/lib,$(patsubst %/,%,$(sort $(dir $(wildcard userspace/*/*.c)))))
PROGS      := $(notdir $(PROG_DIRS))
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))
VMTOOL_SRCS := $(sort $(wildcard tests/vm/tools/*.c))

OBJ       := $(BUILD)/obj
LIBRESDB  := $(BUILD)/lib/libresdb.a
LIBULTRA  := $(BUILD)/lib/libultra.a
BIN       := $(BUILD)/bin
# userspace/ultractl -> build/bin/ultractl; any other userspace/X (a daemon) -> build/bin/ultra-X.
PROG_BINS := $(foreach p,$(PROGS),$(BIN)/$(if $(filter ultractl,$(p)),$(p),ultra-$(p)))
# A program's objects but main.o also form build/lib/libX.a, so unit tests, fuzzers and
# benchmarks link the program's logic.
PROG_LIBS := $(foreach p,$(PROGS),$(BUILD)/lib/lib$(p).a)
PROG_LIB_SRCS := $(foreach p,$(PROGS),$(filter-out %/main.c,$(wildcard userspace/$(p)/*.c)))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(BENCH_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
VMTOOL_BINS := $(patsubst tests/vm/tools/%.c,$(BUILD)/vmtools/%,$(VMTOOL_SRCS))

.PHONY: all help setup module module-newer harness-modules userspace check lint vmtest \
	check-harness check-demo test demo bench fuzz fuzz-smoke clean need-kv
.DEFAULT_GOAL := all
# sub-makes stay quiet about directories: the last lines of `make test` are the VM summary
MAKEFLAGS += --no-print-directory

# Fragments of other parts of the tree add their build products to EXTRA_ALL.
EXTRA_ALL :=
-include tests/guests/guests.mk
-include tests/vm/modules/modules.mk
-include tests/guests/linux/linux.mk
include tests/kselftest/kselftest.mk
include channel-drivers/channel-drivers.mk

all: module userspace $(EXTRA_ALL)

help:
	@echo 'make            build the module (test kernel) and the userspace programs'
	@echo 'make setup      install packages and fetch the test kernel (root, idempotent)'
	@echo 'make check      userspace unit tests (Check) and a short fuzz run'
	@echo 'make lint       checkpatch --strict (kernel code), cppcheck + clang-tidy (userspace)'
	@echo 'make vmtest     in-VM tests in the emulated host (T=name selects one)'
	@echo 'make check-harness  proves the VM harness fails on an oops and on a hung test'
	@echo 'make test       everything a change must pass (the README test command)'
	@echo 'make demo       boot the emulated host and show ultravisor running'
	@echo 'make check-demo the interactive demo driven through a pseudo-terminal'
	@echo 'make bench      print benchmark figures'
	@echo 'make fuzz       longer libFuzzer runs (FUZZ_SECONDS=300)'

setup:
	scripts/setup

# `make demo` and `make vmtest` run setup by themselves when its results are missing.
need-kv:
	@if [ -z "$(KV)" ] || [ ! -f /usr/src/linux-headers-$(KV)/Makefile ] || \
	    [ ! -s $(CACHE)/kernel/$(KV)/vmlinux ]; then scripts/setup; fi

# ---- kernel module ----------------------------------------------------------------------
# kbuild_in HEADERS DIR SOURCES...: mirror SOURCES into DIR (scripts/lib/mirror-sources),
# then run Kbuild there against the kernel headers tree HEADERS.
# kbuild KV DIR SOURCES...: the same against the installed headers of kernel KV.
kbuild = $(call kbuild_in,/usr/src/linux-headers-$(1),$(2),$(3))
define kbuild_in
	@test -f "$(1)/Makefile" || { echo "no kernel headers in '$(1)': run 'make setup'"; exit 1; }
	@$(TOP)/scripts/lib/mirror-sources $(2) $(3)
	$(MAKE) -C $(1) M=$(2) modules
endef

KMOD_TREE := Kbuild kmod uapi

# (KV is read at recipe time: on a fresh machine need-kv has only just recorded it)
module: need-kv
	$(call kbuild,$(shell cat $(CACHE)/KV),$(BUILD)/kmod/$(shell cat $(CACHE)/KV),$(KMOD_TREE))

# build-only against a newer kernel (bookworm-backports headers unpacked by setup):
# catches kernel API drift
module-newer:
	$(call kbuild_in,$(CACHE)/newer/$(KVN)/root/usr/src/linux-headers-$(KVN),$(BUILD)/kmod-newer/$(KVN),$(KMOD_TREE))

# test-only modules for the harness' self test (tests/harness/modules/)
harness-modules: need-kv
	$(call kbuild,$(shell cat $(CACHE)/KV),$(BUILD)/harness-modules,$(wildcard tests/harness/modules/*))

# ---- userspace --------------------------------------------------------------------------
userspace: $(PROG_BINS) $(VMTOOL_BINS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBRESDB): $(patsubst %.c,$(OBJ)/%.o,$(RESDB_SRCS))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(LIBULTRA): $(patsubst %.c,$(OBJ)/%.o,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# keep objects between builds (they are intermediates of pattern rules), but never a
# half-written target of a failed step
.SECONDARY:
.DELETE_ON_ERROR:
.SECONDEXPANSION:
# objects of program $(1) (addsuffix/basename, not patsubst: under secondary expansion a
# % in a prerequisite would be the stem)
prog_objs = $(addprefix $(OBJ)/,$(addsuffix .o,$(basename $(wildcard userspace/$(1)/*.c))))

$(BUILD)/lib/lib%.a: $$(filter-out $(OBJ)/userspace/$$*/main.o,$$(call prog_objs,$$*))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BIN)/ultractl: $(call prog_objs,ultractl) $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BIN)/ultra-%: $$(call prog_objs,$$*) $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/vmtools/%: $(OBJ)/tests/vm/tools/%.o $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/unit/%: $(OBJ)/tests/unit/%.o $(PROG_LIBS) $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# the command daemon's suites that share one test bench (tests/unit/commandd_fixture.c)
FIXTURE_UNITS := $(addprefix $(BUILD)/tests/unit/,test_commandd test_commandd_pool \
		 test_commandd_interleave)
$(FIXTURE_UNITS): $(BUILD)/tests/unit/%: $(OBJ)/tests/unit/%.o $(OBJ)/tests/unit/commandd_fixture.o \
		  $(PROG_LIBS) $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD)/tests/bench/%: $(OBJ)/tests/bench/%.o $(PROG_LIBS) $(LIBULTRA) $(LIBRESDB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) -o $@ $^ $(PKG_LIBS) -lm

# ---- tests ------------------------------------------------------------------------------
# Check prints one summary line per suite; CK_FORK=yes isolates crashing tests.
check: $(UNIT_BINS) fuzz-smoke
	@rc=0; for t in $(UNIT_BINS); do echo "== $$(basename $$t)"; \
		(cd $(TOP) && CK_FORK=yes $$t) || rc=1; done; exit $$rc

# libFuzzer targets: clang, ASan + UBSan; each links the resdb, library and program
# sources directly.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	       -std=gnu11 -D_GNU_SOURCE $(INCLUDES)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(RESDB_SRCS) $(LIB_SRCS) $(PROG_LIB_SRCS)
	@mkdir -p $(dir $@)
	$(call say,FUZZ,$@)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(RESDB_SRCS) $(PKG_CFLAGS) $(LIB_SRCS) $(PROG_LIB_SRCS) \
		$(shell pkg-config --libs $(PKGS) 2>/dev/null)

FUZZ_SMOKE_SECONDS ?= 20
FUZZ_SECONDS ?= 300
fuzz-smoke: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		echo "== $$n: $(FUZZ_SMOKE_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SMOKE_SECONDS) -print_final_stats=0 $(BUILD)/fuzz/corpus-$$n \
			$$( [ -d tests/fuzz/seeds/$$n ] && echo tests/fuzz/seeds/$$n ) \
			>$(BUILD)/fuzz/$$n.log 2>&1 || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		grep -E '^#[0-9]+ *DONE' $(BUILD)/fuzz/$$n.log || true; done

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$n \
			$$( [ -d tests/fuzz/seeds/$$n ] && echo tests/fuzz/seeds/$$n ) || exit 1; done

# userspace benchmarks, then the exit benchmark in the emulated host (ours vs kvm_amd),
# then the schedule's accuracy and slot-switch cost, the console, the Linux boot and
# the Linux guest's channel interrupt against polling
bench: need-kv $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$(basename $$b)"; $$b || exit 1; done
	$(MAKE) all
	@echo "== bench-exits"
	scripts/bench-exits
	@echo "== bench-sched"
	scripts/bench-sched
	@echo "== bench-console"
	scripts/bench-console
	@echo "== bench-linux-boot"
	scripts/bench-linux-boot
	@echo "== bench-chanirq"
	scripts/bench-chanirq

lint:
	scripts/lint

# These run setup first when needed, then build in a sub-make: on a fresh machine the
# pkg-config flags above are only known once setup has installed the libraries.
vmtest: need-kv
	$(MAKE) all harness-modules
	scripts/vmtest $(if $(T),--only $(T))

check-harness: need-kv
	$(MAKE) all harness-modules
	scripts/check-harness

check-demo: need-kv
	$(MAKE) all
	scripts/check-demo-tty

# The README's test command. Fast checks first so a failure shows early.
test:
	scripts/setup
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) check
	$(MAKE) module-newer channel-drivers-newer
	$(MAKE) check-harness
	$(MAKE) check-demo
	$(MAKE) vmtest

demo: need-kv
	$(MAKE) all
	scripts/demo

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
