#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the multikernel test host VM: mount the basics, run /vm/run.sh and
# report its exit status on the console, then power off.
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev 2>/dev/null
grep -q " /sys/kernel/debug debugfs " /proc/mounts ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
# multikernel instances are configfs objects under /sys/kernel/config/multikernel
grep -q " /sys/kernel/config configfs " /proc/mounts ||
	mount -t configfs none /sys/kernel/config ||
	echo "host-init: cannot mount configfs on /sys/kernel/config"
mount -t securityfs none /sys/kernel/security 2>/dev/null
mount -t tmpfs none /tmp
# Leave COM2 (I/O 0x2f8) to spawned kernels: unbind it from the host's 8250
# driver.  (8250.nr_uarts=1 would do the same at boot, but with ACPI PNP
# enumeration it takes the console down on QEMU q35.)
for d in /sys/bus/pnp/devices/*; do
	if grep -q 'io 0x2f8-0x2ff' "$d/resources" 2>/dev/null && [ -e "$d/driver" ]; then
		echo "${d##*/}" > "$d/driver/unbind"
		echo "host-init: COM2 (${d##*/}) released for spawned kernels"
	fi
done
export PATH=/usr/bin:/bin:/sbin:/usr/share/kselftest/multikernel
# a disposable machine: the tests that reboot, crash or lock it down run
export MULTIKERNEL_TEST_VM=1
echo "host-init: up, $(grep -c ^processor /proc/cpuinfo) CPUs online, kernel $(uname -r)"
rc=0
if [ -f /vm/run.sh ]; then
	cd /tmp && sh /vm/run.sh
	rc=$?
fi
echo "VM-EXIT-STATUS: $rc"
sync
poweroff -f
