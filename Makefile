# SPDX-License-Identifier: GPL-2.0-or-later
#
# virtcca-qemu build driver.  On a fresh Debian 12 machine:
#   make demo    install what is missing, build, boot the default realm guest
#   make check   the same set-up, then every test
# Everything is idempotent: a second run rebuilds only what changed.

TOP := $(CURDIR)
BUILD ?= $(TOP)/build
export VIRTCCA_CACHE ?= $(HOME)/.cache/virtcca-qemu
PYTHON := /usr/bin/python3

QEMU_TREE := $(BUILD)/qemu-src
QEMU_BUILD := $(BUILD)/qemu
QEMU_BIN := $(BUILD)/qemu-system-aarch64
TMM_BUILD := $(BUILD)/tmm
GUEST_DIR := $(VIRTCCA_CACHE)/guest

# Only the features the extension uses: TCG, fdt, slirp for virtio-net,
# nettle for the TMM's crypto; only the devices in configs/devices/
# aarch64-softmmu/virtcca.mak.
QEMU_FEATURES := --target-list=aarch64-softmmu \
	--without-default-features --without-default-devices \
	--with-devices-aarch64=virtcca \
	--enable-tcg --enable-fdt=system --enable-slirp --enable-nettle \
	--disable-docs --disable-install-blobs --disable-debug-info
QEMU_CONFIGURE := --cc="ccache cc" --python=$(PYTHON) $(QEMU_FEATURES)

# The aarch64 cross build (make cross): the same features and devices, plus
# KVM and the virtcca accelerator (accel/virtcca/, built only for an
# aarch64 host), warnings as errors.  libfdt's arm64 link files come from a
# private directory (see scripts/install-cross-deps.sh).
CROSS_BUILD := $(BUILD)/cross
CROSS_SYSROOT := $(VIRTCCA_CACHE)/cross-sysroot
CROSS_CONFIGURE := --cross-prefix=aarch64-linux-gnu- \
	--cc="ccache aarch64-linux-gnu-gcc" --python=$(PYTHON) \
	--extra-ldflags=-L$(CROSS_SYSROOT)/usr/lib/aarch64-linux-gnu \
	$(QEMU_FEATURES) --enable-kvm --enable-werror

# ccache hits across clones: paths are hashed relative to the build dir.
export CCACHE_BASEDIR := $(BUILD)
export CCACHE_NOHASHDIR := true

QTESTS := tests/qtest/virtcca-test tests/qtest/tzc400-test

.PHONY: all deps qemu-tree qemu tmm guest bench-guest check demo bench \
	fuzz fuzz-fast \
	payload fuzz-realm qemu-asan standin-preload \
	cross cross-deps \
	coverage \
	clean help

all: qemu tmm

help:
	@echo "make demo    build everything and boot the default realm guest"
	@echo "make check   build everything and run every test"
	@echo "make bench   run the benchmarks"
	@echo "make fuzz    run the TMM fuzzer, ASan+UBSan (FUZZ_RUNS=$(FUZZ_RUNS))"
	@echo "make fuzz-fast  the same without sanitizers, for long runs"
	@echo "make fuzz-realm the hostile-realm fuzzer on an ASan+UBSan QEMU"
	@echo "make coverage  line coverage of the TMM core"
	@echo "make qemu | tmm | guest | clean"

deps:
	@sh scripts/install-deps.sh

qemu-tree: deps
	@sh scripts/prepare-qemu.sh $(TOP) $(QEMU_TREE)

$(QEMU_BUILD)/.configured: Makefile | qemu-tree
	@mkdir -p $(QEMU_BUILD)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(QEMU_CONFIGURE)' ] || \
	    [ ! -f $(QEMU_BUILD)/build.ninja ]; then \
		echo "configure: $(QEMU_CONFIGURE)"; \
		cd $(QEMU_BUILD) && $(QEMU_TREE)/configure $(QEMU_CONFIGURE) \
			> configure.log 2>&1 || \
			{ tail -20 configure.log; exit 1; }; \
	fi
	@echo '$(QEMU_CONFIGURE)' > $@

qemu: qemu-tree $(QEMU_BUILD)/.configured
	@echo "building QEMU (log: $(QEMU_BUILD)/ninja.log)"
	@ninja -C $(QEMU_BUILD) qemu-system-aarch64 $(QTESTS) \
		> $(QEMU_BUILD)/ninja.log 2>&1 || \
		{ grep -A20 FAILED $(QEMU_BUILD)/ninja.log | head -60; \
		  echo "error: QEMU build failed (ninja -C $(QEMU_BUILD))"; exit 1; }
	@tail -1 $(QEMU_BUILD)/ninja.log
	@ln -sf qemu/qemu-system-aarch64 $(QEMU_BIN)

# QEMU with AddressSanitizer and UndefinedBehaviorSanitizer, for the
# hostile-realm fuzzer (make fuzz-realm, and its short run in make check).
ASAN_BUILD := $(BUILD)/qemu-asan
ASAN_CONFIGURE := --cc="ccache cc" --python=$(PYTHON) $(QEMU_FEATURES) \
	--enable-asan --enable-ubsan

$(ASAN_BUILD)/.configured: Makefile | qemu-tree
	@mkdir -p $(ASAN_BUILD)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(ASAN_CONFIGURE)' ] || \
	    [ ! -f $(ASAN_BUILD)/build.ninja ]; then \
		echo "configure (ASan+UBSan): $(ASAN_CONFIGURE)"; \
		cd $(ASAN_BUILD) && $(QEMU_TREE)/configure $(ASAN_CONFIGURE) \
			> configure.log 2>&1 || \
			{ tail -20 configure.log; exit 1; }; \
	fi
	@echo '$(ASAN_CONFIGURE)' > $@

qemu-asan: qemu-tree $(ASAN_BUILD)/.configured
	@echo "building QEMU with ASan+UBSan (log: $(ASAN_BUILD)/ninja.log)"
	@ninja -C $(ASAN_BUILD) qemu-system-aarch64 > $(ASAN_BUILD)/ninja.log \
		2>&1 || { grep -A20 FAILED $(ASAN_BUILD)/ninja.log | head -60; \
		echo "error: ASan build failed (ninja -C $(ASAN_BUILD))"; exit 1; }
	@tail -1 $(ASAN_BUILD)/ninja.log

# The hostile-realm fuzzer: FUZZ_REALM_SEEDS seeds of FUZZ_REALM_ITERS
# operations per vCPU on 2 vCPUs (tests/realm/fuzz.py says what it checks).
FUZZ_REALM_SEEDS ?= 25
FUZZ_REALM_ITERS ?= 20000
FUZZ_REALM_FIRST ?= 1
fuzz-realm: qemu-asan payload
	@$(PYTHON) tests/realm/fuzz.py --qemu $(ASAN_BUILD)/qemu-system-aarch64 \
		--payload $(PAYLOAD) --seeds $(FUZZ_REALM_SEEDS) \
		--first-seed $(FUZZ_REALM_FIRST) --iters $(FUZZ_REALM_ITERS)

# The cross build shares build/qemu-src with the native one; ninja's -j
# follows the cores, ccache makes reruns cheap.
cross-deps: deps
	@sh scripts/install-cross-deps.sh

$(CROSS_BUILD)/.configured: Makefile | qemu-tree cross-deps
	@mkdir -p $(CROSS_BUILD)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(CROSS_CONFIGURE)' ] || \
	    [ ! -f $(CROSS_BUILD)/build.ninja ]; then \
		echo "configure (aarch64 cross): $(CROSS_CONFIGURE)"; \
		cd $(CROSS_BUILD) && $(QEMU_TREE)/configure $(CROSS_CONFIGURE) \
			> configure.log 2>&1 || \
			{ tail -20 configure.log; exit 1; }; \
	fi
	@echo '$(CROSS_CONFIGURE)' > $@

cross: qemu-tree cross-deps $(CROSS_BUILD)/.configured
	@echo "cross-building QEMU for aarch64 (log: $(CROSS_BUILD)/ninja.log)"
	@ninja -C $(CROSS_BUILD) qemu-system-aarch64 $(QTESTS) \
		> $(CROSS_BUILD)/ninja.log 2>&1 || \
		{ grep -A20 FAILED $(CROSS_BUILD)/ninja.log | head -60; \
		  echo "error: cross build failed (ninja -C $(CROSS_BUILD))"; \
		  exit 1; }
	@tail -1 $(CROSS_BUILD)/ninja.log

# The bare-metal realm payload of the hostile-realm tests and fuzzer
# (tests/realm/), built with Debian's aarch64 cross compiler.
PAYLOAD := $(BUILD)/realm/payload.bin
PAYLOAD_SRCS := tests/realm/start.S tests/realm/payload.c tests/realm/payload.ld
PAYLOAD_CFLAGS := -O2 -g -ffreestanding -fno-builtin -nostdlib -nostartfiles \
	-static -fno-pie -no-pie -mgeneral-regs-only -march=armv8.1-a \
	-mstrict-align -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments
payload: cross-deps $(PAYLOAD)
$(PAYLOAD): $(PAYLOAD_SRCS)
	@mkdir -p $(dir $@)
	@aarch64-linux-gnu-gcc $(PAYLOAD_CFLAGS) -T tests/realm/payload.ld \
		tests/realm/start.S tests/realm/payload.c -o $(@:.bin=.elf)
	@aarch64-linux-gnu-objcopy -O binary $(@:.bin=.elf) $@

# The kernel stand-in as an LD_PRELOAD library for the aarch64 binary (make
# cross) under qemu-user: -accel virtcca meets a "/dev/kvm" that is the
# stand-in (tests/tmm/kvm/kvm-standin-preload.c).  The real thing needs CCA
# hardware.
STANDIN_PRELOAD := $(BUILD)/standin/kvm-standin-preload.so
STANDIN_SRCS := $(wildcard hw/arm/virtcca/tmm/*.c hw/arm/virtcca/tmm/*/*.c \
	hw/arm/virtcca/plan/*.c) tests/tmm/kvm/kvm-standin.c \
	tests/tmm/kvm/standin-arm64.c tests/tmm/kvm/standin-vgic.c \
	tests/tmm/kvm/kvm-standin-preload.c
STANDIN_HDRS := $(wildcard hw/arm/virtcca/tmm/*.h hw/arm/virtcca/tmm/*/*.h \
	hw/arm/virtcca/plan/*.h tests/tmm/kvm/*.h) accel/virtcca/kvm-abi.h
standin-preload: cross-deps $(STANDIN_PRELOAD)
$(STANDIN_PRELOAD): $(STANDIN_SRCS) $(STANDIN_HDRS)
	@mkdir -p $(dir $@)
	@aarch64-linux-gnu-gcc -shared -fPIC -O2 -g -std=gnu11 -Wall -Wextra \
		-Werror -Wno-unused-parameter -Wno-missing-field-initializers \
		-Ihw/arm/virtcca/tmm -Ihw/arm/virtcca/plan -Iaccel/virtcca \
		-Itests/tmm/kvm $(STANDIN_SRCS) -lnettle -lhogweed -lgmp -ldl \
		-lpthread -o $@

tmm: deps
	@[ -f $(TMM_BUILD)/build.ninja ] || meson setup $(TMM_BUILD) >/dev/null
	@meson compile -C $(TMM_BUILD) >/dev/null || \
		{ meson compile -C $(TMM_BUILD); exit 1; }

guest: deps
	@sh scripts/make-guest.sh $(GUEST_DIR)

# check includes the aarch64 cross build: -accel virtcca (KVM on an aarch64
# host) is compiled only there, so this is what keeps it building, with
# warnings as errors, and tests/system/test_accel.py runs that binary under
# qemu-user-static.
check: qemu tmm guest cross standin-preload payload qemu-asan
	@$(PYTHON) tests/run.py --build $(BUILD) --guest $(GUEST_DIR)

demo: qemu tmm guest
	@$(PYTHON) tests/boot/demo.py --qemu $(QEMU_BIN) --guest $(GUEST_DIR)

# The workload benchmark guest: the default guest's initramfs plus
# hackbench, redis, memcached, lighttpd and their load generators.
bench-guest: guest
	@sh scripts/make-bench-guest.sh $(VIRTCCA_CACHE)/bench-guest

bench: qemu tmm guest bench-guest
	@$(PYTHON) tests/bench/run.py --build $(BUILD)

# The libFuzzer target over the RMI and RSI surface, built with clang.
FUZZ_RUNS ?= 10000000
FUZZ_BUILD := $(BUILD)/tmm-fuzz
FUZZ_CORPUS := $(VIRTCCA_CACHE)/fuzz-corpus
fuzz:
	@EXTRA_PKGS="clang libclang-rt-14-dev" sh scripts/install-deps.sh
	@[ -f $(FUZZ_BUILD)/build.ninja ] || \
		CC=clang meson setup -Dfuzzer=enabled -Dwerror=false \
			$(FUZZ_BUILD) >/dev/null
	@meson compile -C $(FUZZ_BUILD) fuzz-rmi >/dev/null
	@mkdir -p $(FUZZ_CORPUS)
	$(FUZZ_BUILD)/tests/tmm/core/fuzz-rmi -runs=$(FUZZ_RUNS) \
		-print_final_stats=1 $(FUZZ_CORPUS)

# The same harness without sanitizers, several times faster: the oracle is
# the monitor's invariant check after every call, which aborts.  Used for
# long runs (FUZZ_RUNS); shorter inputs keep the rate up.
FUZZ_FAST := $(BUILD)/fuzz-rmi-fast
TMM_SRCS := $(wildcard hw/arm/virtcca/tmm/*.c hw/arm/virtcca/tmm/*/*.c)
fuzz-fast:
	@EXTRA_PKGS="clang libclang-rt-14-dev" sh scripts/install-deps.sh
	@mkdir -p $(BUILD) $(FUZZ_CORPUS)
	clang -O2 -g -fsanitize=fuzzer -Ihw/arm/virtcca/tmm \
		tests/tmm/core/fuzz-rmi.c $(TMM_SRCS) -lnettle -lhogweed -lgmp \
		-o $(FUZZ_FAST)
	$(FUZZ_FAST) -runs=$(FUZZ_RUNS) -max_len=128 -print_final_stats=1 \
		$(FUZZ_CORPUS)

# Line coverage of the TMM core library by its unit tests (gcovr).
COV_BUILD := $(BUILD)/tmm-coverage
coverage:
	@EXTRA_PKGS="gcovr" sh scripts/install-deps.sh
	@[ -f $(COV_BUILD)/build.ninja ] || \
		meson setup -Db_coverage=true $(COV_BUILD) >/dev/null
	@meson compile -C $(COV_BUILD) >/dev/null
	@find $(COV_BUILD) -name '*.gcda' -delete
	@meson test -C $(COV_BUILD) --num-processes 2 >/dev/null || \
		{ echo "coverage: unit tests failed"; exit 1; }
	@cd $(COV_BUILD) && gcovr -r $(TOP) --filter '$(TOP)/hw/arm/virtcca/tmm/' \
		--exclude-directories '.*bench-.*\.p' \
		--object-directory . --print-summary | tail -45

clean:
	rm -rf $(BUILD)
