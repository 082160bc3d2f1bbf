#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of a spawned multikernel instance.  With arguments (everything after
# "--" on the kernel command line) it runs them as a shell command; without,
# it says it is alive.  Either way it then idles so the host can stop it.
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev 2>/dev/null
export PATH=/usr/bin:/bin:/sbin
if [ $# -gt 0 ]; then
	sh -c "$*"
else
	alive="spawn-init: alive on $(grep -c ^processor /proc/cpuinfo) CPU(s), kernel $(uname -r)"
	echo "$alive"
	# the kernel log too: the host reads it in the instance's console file
	echo "$alive" > /dev/kmsg
fi
while :; do sleep 3600; done
