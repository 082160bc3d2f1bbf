# SPDX-License-Identifier: GPL-2.0
#
# Multikernel workbench.  This is not the kernel's Makefile: it assembles a
# patched Linux 6.12 tree under build/linux from Debian's linux-source-6.12
# plus this repository, builds it, and runs it in QEMU.
#
#   make            build kernel, test programs and initramfs images
#   make demo       boot the host VM and show the feature end to end
#   make check      build everything and run every test (KTAP, "N passed, N failed"),
#                   and the "# vm-debug: yes" tests once more on the debug kernel
#   make kernel-debug   the debug kernel (KASAN, lockdep, ...) in build/linux-debug
#   make kernel-rt      the PREEMPT_RT spawn kernel in build/linux-rt (/boot/bzImage-rt)
#   make bench      channel latency/throughput against in-host baselines
#   make series     write the upstream patch series to series/
#   make series-check   the series check with every patch built (W=1) and
#                   vmtest.sh run from the series' own tree
#   make vm-run SCRIPT=file   boot a fresh host VM and run FILE in it as root
#   make qemu       QEMU 10 from bookworm-backports in build/qemu (tests with
#                   "# vm-qemu-bin: new", e.g. test_x2apic.sh; part of make all)
#   make refresh-diffs        regenerate upstream diffs from build/linux
#
# Variables: VM_CPUS (4), VM_MEM (2G), VM_TIMEOUT (seconds), ACCEL (auto|kvm|tcg),
#            DEBUG_PASS (1; 0 skips make check's debug pass, all runs every test
#            in it), VM_JOBS (1: test VMs at once), SERIES_BUILD_EACH (make
#            check: 0 builds no patch, 1 builds each patch's own files, full
#            rebuilds every patch completely), CCACHE (0; 1 compiles the
#            kernels through ccache too)

SHELL      := /bin/bash
TOP        := $(CURDIR)
BUILD      := $(TOP)/build
KSRC       := $(BUILD)/linux
JOBS       ?= $(shell nproc)
BZIMAGE    := $(KSRC)/arch/x86/boot/bzImage
SELFTESTS  := tools/testing/selftests/multikernel
# the test VM's base, what the selftests need (the kselftest "config"), the feature
FRAGMENTS  := $(SELFTESTS)/config.vm $(SELFTESTS)/config kernel/configs/multikernel.config
# the test kernels trust the key kexec images are signed with in the tests
KEYS       := $(BUILD)/keys
KEY_FRAGMENT := $(KEYS)/trusted-keys.config
DEBUG_FRAGMENTS := $(FRAGMENTS) $(SELFTESTS)/config.debug $(KEY_FRAGMENT)
# the PREEMPT_RT kernel for spawns: no host side, tinyconfig + these
RT_FRAGMENTS := kernel/configs/multikernel-rt.config $(SELFTESTS)/config.rt
DEBUG_PASS ?= 1
# make check generates, checkpatches and git-ams the series; building each
# of its patches (about ten minutes on two cores) is make series-check
SERIES_BUILD_EACH ?= 0
export SERIES_BUILD_EACH
PROGS_SRC  := $(wildcard $(SELFTESTS)/*.c)
PROGS      := $(patsubst $(SELFTESTS)/%.c,$(BUILD)/progs/%,$(PROGS_SRC))
MK         := $(TOP)/scripts/multikernel
# ccache (Debian's /usr/lib/ccache/gcc) serves the series check: its
# builds of earlier patches (mkseries.py build-each) recompile objects whose
# preprocessed source is unchanged, so it always puts ccache first.  For the
# kernel builds themselves it is opt-in (CCACHE=1): on an empty cache, as in
# CI's clean clone, every call misses and preprocesses twice, about a fifth
# more compile time.  kbuild's recorded command lines stay plain "gcc", so
# objects built with and without it are interchangeable.
CCACHE     ?= 0
ifeq ($(CCACHE),1)
export PATH := /usr/lib/ccache:$(PATH)
endif
export CCACHE_DIR := $(BUILD)/ccache

DEB_PKGS   := linux-source-6.12 qemu-system-x86 busybox-static bc bison flex \
	      libelf-dev libssl-dev cpio gcc make patch xz-utils python3 \
	      python3-docutils python3-sphinx sparse dwarves kmod dpkg-dev openssl \
	      sbsigntool rt-tests ccache lz4

export BUILD

.PHONY: all deps tree kernel progs kexec-tools initramfs vm-run check demo bench clean \
	refresh-diffs series series-check FORCE kernel-debug initramfs-debug kernel-rt qemu

all: kernel progs initramfs qemu

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: need root to apt-get install$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	echo "deps: linux-source-6.12 $$(dpkg-query -W -f='$${Version}' linux-source-6.12)"

tree: deps
	@$(MK)/assemble.sh

# Test key for kexec signature checks (test_kexec_sig.sh): a fragment cannot
# name a file under $(BUILD), so the option that makes the kernel trust the
# key is generated next to it; mkinitramfs.sh signs a kernel copy with it.
$(KEY_FRAGMENT): | deps
	@mkdir -p $(KEYS)
	@openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 -batch \
		-subj "/CN=multikernel kexec test key/" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=digitalSignature" \
		-keyout $(KEYS)/kexec-test.key -out $(KEYS)/kexec-test.pem 2>/dev/null
	@echo 'CONFIG_SYSTEM_TRUSTED_KEYS="$(KEYS)/kexec-test.pem"' > $@

$(KSRC)/.config: $(FRAGMENTS) $(KEY_FRAGMENT) | tree
	@echo "config: tinyconfig + $(FRAGMENTS) + test key"
	@$(MAKE) -s -C $(KSRC) tinyconfig >/dev/null
	@cd $(KSRC) && scripts/kconfig/merge_config.sh -m -O . .config $(addprefix $(TOP)/,$(FRAGMENTS)) $(KEY_FRAGMENT) >/dev/null
	@$(MAKE) -s -C $(KSRC) olddefconfig >/dev/null
	@$(MK)/check-config.sh $(KSRC)/.config $(FRAGMENTS) $(KEY_FRAGMENT)

# W=1 like every check of our objects and every patch of the series, which
# make check builds starting from these objects (mkseries.py build-each)
kernel: tree $(KSRC)/.config
	@echo "kernel: building bzImage ($(JOBS) jobs, W=1)"
	@$(MAKE) -s -C $(KSRC) -j$(JOBS) W=1 bzImage
	@echo "kernel: $(BZIMAGE) ($$(stat -c %s $(BZIMAGE)) bytes, $$(cat $(KSRC)/include/config/kernel.release))"

$(BUILD)/progs/%: $(SELFTESTS)/%.c $(wildcard $(SELFTESTS)/*.h) | tree
	@mkdir -p $(BUILD)/progs $(BUILD)/uapi
	@$(MAKE) -s -C $(KSRC) headers_install INSTALL_HDR_PATH=$(BUILD)/uapi >/dev/null
	gcc -static -O2 -Wall -Wextra -I$(BUILD)/uapi/include -o $@ $<

progs: $(PROGS)

kexec-tools: deps
	@$(MK)/build-kexec-tools.sh

# the newer QEMU of the tests that name it (# vm-qemu-bin: new)
qemu: deps
	@$(MK)/get-qemu.sh

initramfs: kernel kernel-rt progs kexec-tools
	@$(MK)/mkinitramfs.sh

# the debug pass's kernel, its own copy of build/linux's sources
kernel-debug: tree $(KEY_FRAGMENT)
	@JOBS=$(JOBS) $(MK)/build-debug-kernel.sh $(DEBUG_FRAGMENTS)

# the RT spawn kernel (/boot/bzImage-rt), a second configuration of the same
# sources in build/linux-rt
kernel-rt: tree
	@JOBS=$(JOBS) $(MK)/build-debug-kernel.sh --tree linux-rt $(RT_FRAGMENTS)

initramfs-debug: initramfs kernel-debug
	@$(MK)/mkinitramfs.sh --debug

vm-run: all
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=file" >&2; exit 2; }
	@$(MK)/vm.sh --script "$(SCRIPT)"

# The debug kernel builds while the normal tests run, at idle priority
# (run_vm_tests.sh starts DEBUG_BUILD), in the CPU time their VMs leave.
check: all $(if $(filter 0,$(DEBUG_PASS)),,$(KEY_FRAGMENT))
	@DEBUG_PASS=$(DEBUG_PASS) \
	 DEBUG_BUILD="JOBS=$(JOBS) $(MK)/build-debug-kernel.sh $(DEBUG_FRAGMENTS) && $(MK)/mkinitramfs.sh --debug" \
	 $(SELFTESTS)/run_vm_tests.sh

demo: all
	@$(MK)/demo.sh

bench: all
	@$(MK)/bench.sh

# The upstream series: series/NNNN-*.patch plus a cover letter, signed off
# by you (git config user.name and user.email; without them it stops).
# The checkpatch counts are from the run generate makes for the cover letter;
# FILE_PATH_CHANGES is not counted: check_series.sh checks that MAINTAINERS
# covers the files of a patch that does not touch it.  Nor is
# UNKNOWN_COMMIT_ID: the upstream commit ids a backport cites are not in the
# history-less base.
series: tree
	@python3 $(MK)/series/mkseries.py generate
	@for p in series/0*.patch; do \
		[ "$$p" = series/0000-cover-letter.patch ] && continue; \
		r=$$(grep -E 'ERROR|WARNING' $(BUILD)/series-checkpatch/$${p#series/}.txt | grep -cv -e FILE_PATH_CHANGES -e UNKNOWN_COMMIT_ID); \
		printf '  %-70s %6s lines, checkpatch errors+warnings: %s\n' "$${p#series/}" "$$(wc -l < $$p)" "$$r"; \
	done

series-check: all
	@SERIES_BUILD_EACH=$(if $(filter full,$(SERIES_BUILD_EACH)),full,1) \
	 $(MK)/checks/check_series.sh

refresh-diffs:
	@$(MK)/refresh-diffs.sh $(FILES)

clean:
	rm -rf $(BUILD)
