#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kernel it kexec-reboots into
# Plain kexec-tools reboot (kexec -l, kexec -e) still boots the same kernel.
# vm-needs: /sbin/kexec
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_feature
mk_require_vm "kexec-reboots the machine"
mk_require_spawn
mk_require_cmd kexec
ktap_print_header
ktap_set_plan 2
ARGS="echo ok 2 kexec -e reached the second kernel; echo VM-EXIT-STATUS: 0; poweroff -f"
if kexec -l /boot/bzImage --initrd=/boot/spawn.cpio \
	--append="console=ttyS0,115200 panic=-1 -- $ARGS"; then
	ktap_test_pass "kexec -l of the host kernel"
else
	ktap_test_fail "kexec -l of the host kernel"
	ktap_finished
fi
echo "# kexec -e"
kexec -e
echo "not ok 2 kexec -e returned"
exit 1
