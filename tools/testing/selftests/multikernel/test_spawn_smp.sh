#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A two-CPU instance loaded through kexec_load() (boot_params built in user
# space) and a second one-CPU instance through kexec_file_load(), both
# running at once.
# com2-expect: spawn-init: alive on 2 CPU(s)
# com2-expect: smpboot: Total of 2 processors activated
# vm-smp: 4,sockets=2,cores=3,maxcpus=6
#
# The VM topology gives cpu3 APIC id 4: APIC ids are not CPU numbers.
. /usr/share/multikernel/ktap.sh

ktap_header 14
apicid_of() {
	awk -v c="$1" '/^processor/ { p = $3 } /^apicid/ { if (p == c) print $3 }' /proc/cpuinfo
}
ktap_check "cpu3 has APIC id 4 in this topology" test "$(apicid_of 3)" = 4
for c in 1 2 3; do cpu_online $c 0; done
ktap_check "a possible but absent CPU is refused: EINVAL" \
	expect_errno EINVAL mkexec ctl "create 3 5 128M"
ktap_check "create instance 1 on cpus 2-3 with COM2" mkexec ctl "create 1 2-3 256M uart=0x2f8"
ktap_check "kexec_load (user-built boot_params) into instance 1" \
	mkexec mk-load 1 $SPAWN_KERNEL $SPAWN_INITRD "console=ttyS1,115200 panic=-1"
ktap_check "create instance 2 on cpu1 without a UART" mkexec ctl "create 2 1 128M"
ktap_check "kexec_file_load into instance 2" \
	mkexec mk-load-file 2 $SPAWN_KERNEL $SPAWN_INITRD "console=ttyS1,115200 panic=-1"
ktap_check "start instance 1" mkexec ctl "start 1"
ktap_check "start instance 2" mkexec ctl "start 2"
ktap_check "instance 1 (2 CPUs) reaches running" mk_wait_state 1 running 120
ktap_check "instance 2 reaches running" mk_wait_state 2 running 120
ktap_check "both instances are listed as running" \
	sh -c '[ $(grep -c " running " /proc/multikernel) = 2 ]'
cat /proc/multikernel
ktap_check "instance 1 sends 4 heartbeats (its init prints meanwhile)" \
	mk_wait_heartbeat 1 4 60
ktap_check "stop both instances" sh -c 'mkexec ctl "stop 1" && mkexec ctl "stop 2"'
ktap_check "all CPUs come back online" \
	sh -c 'for c in 1 2 3; do echo 1 > /sys/devices/system/cpu/cpu$c/online || exit 1; done'
ktap_finish
