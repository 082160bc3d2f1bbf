#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make demo": every step a user would type, with a
# progress line before it.  Lifecycle steps go through kexec-tools.
. /usr/share/multikernel/ktap.sh
step() { echo; echo "demo: ==== $* ===="; }
run() { echo "demo\$ $*"; "$@"; }

step "1/9 the host: $(grep -c ^processor /proc/cpuinfo) CPUs online, pool reserved at boot"
run grep -i multikernel /proc/iomem
step "2/9 take cpu3 away from the host"
run sh -c 'echo 0 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
step "3/9 create instance 1 on cpu3 (256M, COM2) and load the same bzImage into it"
CMDLINE="console=ttyS1,115200 console=ttyMK0 panic=-1"
run kexec --multikernel=1 --mk-cpus=3 --mk-mem=256M --mk-uart=0x2f8 \
	-l /boot/bzImage --initrd=/boot/spawn.cpio.gz \
	--append="$CMDLINE -- mkchan echo-server /dev/mkchan0" || exit 1
run kexec --mk-status --multikernel=1
step "4/9 start it: INIT/SIPI to cpu3 while the host keeps running"
run kexec --multikernel=1 --mk-start || exit 1
mk_wait_state 1 running 120 || { echo "demo: instance did not reach running"; exit 1; }
mk_wait_heartbeat 1 2 60
run kexec --mk-status --multikernel=1
step "5/9 its console, read on the host over the channel"
poll_until 60 grep -q "echo server ready" /sys/kernel/multikernel/1/console
CON=/sys/kernel/multikernel/1/console
run grep -E "Hypervisor detected|smpboot: Total|Run /init|mkchan" $CON
step "6/9 a message round trip: host process -> spawned kernel's process -> host"
run mkchan echo-client /dev/mkchan1 1000 || exit 1
step "7/9 the host cannot take cpu3 back while the instance owns it"
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
step "8/9 stop it gracefully (it halts itself), give cpu3 back"
run kexec --multikernel=1 --mk-stop || exit 1
run sh -c 'tail -n 3 /sys/kernel/multikernel/1/console'
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
step "9/9 what the host logged"
run sh -c 'dmesg | grep "multikernel:"'
step "done"
