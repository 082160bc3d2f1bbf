# SPDX-License-Identifier: GPL-2.0
#
# Multikernel workbench.  This is not the kernel's Makefile: it assembles a
# patched Linux 6.12 tree under build/linux from Debian's linux-source-6.12
# plus this repository, builds it, and runs it in QEMU.
#
#   make            build kernel, test programs and initramfs images
#   make demo       boot the host VM and show the feature end to end
#   make check      build everything and run every test (KTAP, "N passed, N failed")
#   make bench      channel latency/throughput against in-host baselines
#   make series     write the upstream patch series to series/
#   make vm-run SCRIPT=file   boot a fresh host VM and run FILE in it as root
#   make refresh-diffs        regenerate upstream diffs from build/linux
#
# Variables: VM_CPUS (4), VM_MEM (2G), VM_TIMEOUT (seconds), ACCEL (auto|kvm|tcg)

SHELL      := /bin/bash
TOP        := $(CURDIR)
BUILD      := $(TOP)/build
KSRC       := $(BUILD)/linux
JOBS       ?= $(shell nproc)
BZIMAGE    := $(KSRC)/arch/x86/boot/bzImage
SELFTESTS  := tools/testing/selftests/multikernel
FRAGMENTS  := $(SELFTESTS)/config kernel/configs/multikernel.config
PROGS_SRC  := $(wildcard $(SELFTESTS)/*.c)
PROGS      := $(patsubst $(SELFTESTS)/%.c,$(BUILD)/progs/%,$(PROGS_SRC))
MK         := $(TOP)/scripts/multikernel

DEB_PKGS   := linux-source-6.12 qemu-system-x86 busybox-static bc bison flex \
	      libelf-dev libssl-dev cpio gcc make patch xz-utils python3 \
	      python3-docutils sparse dwarves kmod dpkg-dev

export BUILD

.PHONY: all deps tree kernel progs kexec-tools initramfs vm-run check demo bench clean \
	refresh-diffs series FORCE

all: kernel progs initramfs

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

$(KSRC)/.config: $(FRAGMENTS) | tree
	@echo "config: tinyconfig + $(FRAGMENTS)"
	@$(MAKE) -s -C $(KSRC) tinyconfig >/dev/null
	@cd $(KSRC) && scripts/kconfig/merge_config.sh -m -O . .config $(addprefix $(TOP)/,$(FRAGMENTS)) >/dev/null
	@$(MAKE) -s -C $(KSRC) olddefconfig >/dev/null
	@$(MK)/check-config.sh $(KSRC)/.config $(FRAGMENTS)

kernel: tree $(KSRC)/.config
	@echo "kernel: building bzImage ($(JOBS) jobs)"
	@$(MAKE) -s -C $(KSRC) -j$(JOBS) bzImage
	@echo "kernel: $(BZIMAGE) ($$(stat -c %s $(BZIMAGE)) bytes, $$(cat $(KSRC)/include/config/kernel.release))"

$(BUILD)/progs/%: $(SELFTESTS)/%.c $(wildcard $(SELFTESTS)/*.h) | tree
	@mkdir -p $(BUILD)/progs $(BUILD)/uapi
	@$(MAKE) -s -C $(KSRC) headers_install INSTALL_HDR_PATH=$(BUILD)/uapi >/dev/null
	gcc -static -O2 -Wall -Wextra -I$(BUILD)/uapi/include -o $@ $<

progs: $(PROGS)

kexec-tools: deps
	@$(MK)/build-kexec-tools.sh

initramfs: kernel progs kexec-tools
	@$(MK)/mkinitramfs.sh

vm-run: all
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=file" >&2; exit 2; }
	@$(MK)/vm.sh --script "$(SCRIPT)"

check: all
	@$(SELFTESTS)/run_vm_tests.sh

demo: all
	@$(MK)/demo.sh

bench: all
	@$(MK)/bench.sh

# The upstream series: series/NNNN-*.patch plus a cover letter
series: tree
	@python3 $(MK)/series/mkseries.py generate
	@for p in series/0*.patch; do \
		r=$$(perl $(KSRC)/scripts/checkpatch.pl --strict --terse --show-types $$p | grep -cE 'ERROR|WARNING'); \
		printf '  %-70s %6s lines, checkpatch errors+warnings: %s\n' "$${p#series/}" "$$(wc -l < $$p)" "$$r"; \
	done

refresh-diffs:
	@$(MK)/refresh-diffs.sh $(FILES)

clean:
	rm -rf $(BUILD)
