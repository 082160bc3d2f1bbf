#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kernel it kexec-reboots into
# Plain kexec-tools reboot (kexec -l, kexec -e) still boots the same kernel.
. /usr/share/multikernel/ktap.sh

ktap_header 2
ARGS="echo ok 2 kexec -e reached the second kernel; echo VM-EXIT-STATUS: 0; poweroff -f"
if kexec -l /boot/bzImage --initrd=/boot/spawn.cpio.gz \
	--append="console=ttyS0,115200 panic=-1 -- $ARGS"; then
	ktap_ok "kexec -l of the host kernel"
else
	ktap_fail "kexec -l of the host kernel"
	ktap_finish
fi
echo "# kexec -e"
kexec -e
echo "not ok 2 kexec -e returned"
exit 1
