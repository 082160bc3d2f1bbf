#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make demo": every step a user would type, with a
# progress line before it.
. /usr/share/multikernel/ktap.sh
step() { echo; echo "demo: ==== $* ===="; }
run() { echo "demo\$ $*"; "$@"; }

step "1. the host: $(grep -c ^processor /proc/cpuinfo) CPUs online, pool reserved at boot"
run grep -i multikernel /proc/iomem
step "2. take cpu3 away from the host"
run sh -c 'echo 0 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
step "3. create instance 1: cpu3, 256M of the pool, COM2 handed over"
run sh -c 'echo "create 1 3 256M uart=0x2f8" > /sys/kernel/multikernel/control' || exit 1
step "4. load the same bzImage with kexec_file_load(KEXEC_FILE_MULTIKERNEL)"
run mkexec mk-load-file 1 /boot/bzImage /boot/spawn.cpio.gz \
	"console=ttyS1,115200 panic=-1" || exit 1
run cat /proc/multikernel
step "5. start it: INIT/SIPI to cpu3 while the host keeps running"
run sh -c 'echo "start 1" > /sys/kernel/multikernel/control' || exit 1
mk_wait_state 1 running 120 || { echo "demo: instance did not reach running"; exit 1; }
mk_wait_heartbeat 1 3 60
run cat /proc/multikernel
step "6. the host cannot take cpu3 back while the instance owns it"
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
step "7. stop it (graceful: the spawned kernel halts itself), give cpu3 back"
run sh -c 'echo "stop 1" > /sys/kernel/multikernel/control'
run cat /proc/multikernel
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
run sh -c 'dmesg | grep multikernel:'
step "done"
