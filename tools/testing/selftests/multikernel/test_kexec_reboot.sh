#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kernel it kexec-reboots into
# Baseline: a plain kexec_file_load + kexec reboot into the same kernel still
# boots; the second kernel reports the result and the VM status.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_feature
mk_require_vm "kexec-reboots the machine"
mk_require_spawn
ktap_print_header
ktap_set_plan 2
ARGS="echo ok 2 second kernel reached init after kexec; echo VM-EXIT-STATUS: 0; poweroff -f"
if mkexec load-file /boot/bzImage /boot/spawn.cpio "console=ttyS0,115200 panic=-1 -- $ARGS"
then
	ktap_test_pass "kexec_file_load of the host kernel"
else
	ktap_test_fail "kexec_file_load of the host kernel"
	ktap_finished
fi
echo "# rebooting through kexec"
mkexec exec
echo "not ok 2 kexec reboot returned"
exit 1
