#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kernel it kexec-reboots into
# Baseline: a plain kexec_file_load + kexec reboot into the same kernel still
# boots; the second kernel reports the result and the VM status.
. /usr/share/multikernel/ktap.sh

ktap_header 2
ARGS="echo ok 2 second kernel reached init after kexec; echo VM-EXIT-STATUS: 0; poweroff -f"
if mkexec load-file /boot/bzImage /boot/spawn.cpio.gz "console=ttyS0,115200 panic=-1 -- $ARGS"
then
	ktap_ok "kexec_file_load of the host kernel"
else
	ktap_fail "kexec_file_load of the host kernel"
	ktap_finish
fi
echo "# rebooting through kexec"
mkexec exec
echo "not ok 2 kexec reboot returned"
exit 1
