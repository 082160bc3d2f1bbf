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
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
# the topology of the # vm-smp: line above: cpu3 at APIC id 4, no cpu5
if ! awk '/^processor/ { p = $3 } /^apicid/ && p == 3 { a = $3 } END { exit !(a == 4) }' \
	/proc/cpuinfo || cpu_in_list 5 "$(cat /sys/devices/system/cpu/present)"; then
	mk_skip "needs cpu3 at APIC id 4 and no cpu5 (the # vm-smp: topology above)"
fi
ktap_print_header
ktap_set_plan 14
apicid_of() {
	awk -v c="$1" '/^processor/ { p = $3 } /^apicid/ { if (p == c) print $3 }' /proc/cpuinfo
}
ktap_check "cpu3 has APIC id 4 in this topology" test "$(apicid_of 3)" = 4
for c in 1 2 3; do cpu_online $c 0; done
mkexec mkdir absent
ktap_check "a possible but absent CPU is refused: EINVAL" \
	expect_errno EINVAL mkexec attr absent cpus 5
mkexec rmdir absent
ktap_check "create instance smp on cpus 2-3 with COM2" mk_create smp 2-3 256M 0x2f8
ktap_check "kexec_load (user-built boot_params) into instance smp" \
	mkexec mk-load "$(mk_id smp)" $SPAWN_KERNEL $SPAWN_INITRD "console=ttyS1,115200 panic=-1"
ktap_check "create instance uni on cpu1 without a UART" mk_create uni 1 128M
ktap_check "kexec_file_load into instance uni" mk_load uni "console=ttyS1,115200 panic=-1"
ktap_check "start instance smp" mk_start smp
ktap_check "start instance uni" mk_start uni
ktap_check "instance smp (2 CPUs) reaches running" mk_wait_state smp running 120
ktap_check "instance uni reaches running" mk_wait_state uni running 120
both_running() {
	mk_state_is smp running && mk_state_is uni running &&
		grep -qw smp /proc/multikernel && grep -qw uni /proc/multikernel
}
ktap_check "both instances are running and listed in /proc/multikernel" both_running
cat /proc/multikernel
ktap_check "instance smp sends 4 heartbeats (its init prints meanwhile)" \
	mk_wait_heartbeat smp 4 60
stop_both() {
	mk_stop smp && mk_stop uni
}
ktap_check "stop both instances" stop_both
ktap_check "all CPUs come back online" \
	sh -c 'for c in 1 2 3; do echo 1 > /sys/devices/system/cpu/cpu$c/online || exit 1; done'
ktap_finished
