#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tight low memory: multikernel=768M on a host whose RAM below 1 MiB has room
# for the 320K of multikernel low memory, but not for that and the host's own
# real-mode trampoline as well.  Multikernel must give way: the host boots
# with every CPU (secondary CPUs start through that trampoline), multikernel
# says it is disabled and why, and creating an instance fails with ENODEV.
#
# Layout (QEMU/SeaBIOS): RAM below 1 MiB is 0-0x9fbff, the page at 0 and the
# EBDA from 0x9f000 are reserved, so [0x1000, 0x9f000) is free.  memmap
# reserves [0x1000, 0x4c000), which leaves 332K: the 320K fit, the 320K plus
# the 24K trampoline do not (either order).
# vm-append: memmap=300K$0x1000
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_feature
mk_require_cpus 4
mk_require_spawn
mk_require_cmdline 'memmap=300K$0x1000'
ktap_print_header
ktap_set_plan 7
dmesg | grep -E "BIOS-e820: \[mem 0x0000000000000000|user: \[mem 0x0000000000000000|multikernel:" |
	head -n 12 | sed 's/^/# /'

memmap_applied() {
	dmesg | grep -qE "user: \[mem 0x0000000000001000-0x000000000004bfff\] reserved"
}
ktap_check "memmap= reserved [0x1000, 0x4c000) (the tight layout is in effect)" memmap_applied
disabled_msg() {
	dmesg | grep -q "multikernel: disabled: 320K below 1M for trampolines would leave" &&
		dmesg | grep -q "no room for the host's [0-9]*K real-mode trampoline"
}
ktap_check "boot log: multikernel disabled, naming the host's trampoline" disabled_msg
all_online() {
	[ "$(cat /sys/devices/system/cpu/online)" = "0-3" ]
}
ktap_check "all four CPUs came up through the host's trampoline" all_online
no_iomem() {
	! grep -q "Multikernel" /proc/iomem
}
ktap_check "no multikernel pool or low memory in /proc/iomem" no_iomem
ktap_check "mkdir of an instance: ENODEV" expect_errno ENODEV mkexec mkdir one
ktap_check "kexec_file_load into instance 1: ENOENT (no instance)" \
	expect_errno ENOENT mkexec mk-load-file 1 /boot/bzImage /boot/spawn.cpio "panic=-1"
# the secondary CPUs keep using the trampoline: one goes down and up again
cpu_cycle() {
	cpu_online 3 0 && cpu_online 3 1 && all_online
}
ktap_check "cpu3 goes offline and online again" cpu_cycle
ktap_finished
