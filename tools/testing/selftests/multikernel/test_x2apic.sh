#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A host in x2APIC mode (QEMU 10's x2APIC CPU model behind an intel-iommu
# with interrupt remapping in extended mode) spawns two kernels: one on a
# CPU with a low APIC id, one on a CPU whose APIC id is 256, which only
# x2APIC can address.  Both keep the host's APIC mode, beat, and stop.
# vm-qemu-bin: new
# vm-qemu: -cpu qemu64,+x2apic -device intel-iommu,intremap=on,eim=on
# vm-qemu: -device qemu64-x86_64-cpu,socket-id=1,core-id=0,thread-id=0
# vm-qemu: -machine kernel-irqchip=split
# vm-smp: 3,sockets=2,cores=129,threads=1,maxcpus=258
# com2-expect: Switched APIC routing to: physical x2apic
#
# (With KVM, intel-iommu remaps interrupts only with the split irqchip.)
# Socket 1 starts at APIC id 256 (8 bits of core id): the cold-plugged CPU
# of socket 1 is the host's cpu3.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
awk '/^apicid/ && $3 >= 256 { found = 1 } END { exit !found }' /proc/cpuinfo ||
	mk_skip "needs a CPU with an APIC id of 256 or more (the # vm-smp: topology above)"
ktap_print_header
ktap_set_plan 20
apicid_of() {
	awk -v c="$1" '/^processor/ { p = $3 } /^apicid/ { if (p == c) print $3 }' /proc/cpuinfo
}
host_x2apic() {
	dmesg | grep -q "Switched APIC routing to: .*x2apic" &&
		dmesg | grep -q "Enabled IRQ remapping in x2apic mode"
}
ktap_check "the host runs x2APIC with interrupt remapping" host_x2apic
ktap_check "cpu3 has APIC id 256, cpu2 has APIC id 2" \
	test "$(apicid_of 3),$(apicid_of 2)" = 256,2
ktap_check "cpu2 goes offline" cpu_online 2 0
ktap_check "cpu3 (APIC id 256) goes offline" cpu_online 3 0
ktap_check "create instance low on cpu2 with COM2" mk_create low 2 256M 0x2f8
ktap_check "create instance high on cpu3" mk_create high 3 192M
# each spawn puts the APIC id /proc/cpuinfo gives its CPU in its log
SHOW='-- echo spawn apicid $(sed -n s/^apicid.*:.//p /proc/cpuinfo) > /dev/kmsg'
ktap_check "load instance low" mk_load low "console=ttyS1,115200 panic=-1 $SHOW"
ktap_check "load instance high" mk_load high "panic=-1 $SHOW"
start_both() {
	mk_start low && mk_start high
}
ktap_check "start both instances" start_both
both_running() {
	mk_state_is low running && mk_state_is high running
}
ktap_check "both instances reach running" poll_until 150 both_running
beats_both() {
	mk_wait_heartbeat low 3 60 && mk_wait_heartbeat high 3 60
}
ktap_check "both instances send 3 heartbeats" beats_both
console_has() {
	mk_get "$1" console | grep -qF -- "$2"
}
# the spawn stays in x2APIC: the physical x2APIC driver, never disabled
spawn_x2apic() {
	if poll_until 30 console_has "$1" "$2" &&
	   console_has "$1" "Switched APIC routing to: physical x2apic" &&
	   ! console_has "$1" "x2apic disabled" &&
	   ! console_has "$1" "IRQ remapping doesn't support X2APIC mode"; then
		return 0
	fi
	mk_get "$1" console | grep -iE "apic|refus" | sed 's/^/# /'
	return 1
}
ktap_check "instance low stays in x2APIC and runs on APIC id 2" \
	spawn_x2apic low "spawn apicid 2"
ktap_check "instance high stays in x2APIC and runs on APIC id 256" \
	spawn_x2apic high "spawn apicid 256"
stop_both() {
	mk_stop low && mk_stop high
}
ktap_check "graceful stop of both instances" stop_both
stopped_both() {
	mk_state_is low stopped && mk_state_is high stopped &&
		dmesg | grep -q "instance $(mk_id high): stopped (halted on request)"
}
ktap_check "both halted on request and are stopped" stopped_both
# control: the check above sees a spawn that did leave x2APIC (nox2apic
# turns it off before the platform code runs; APIC id 2 allows it)
control_start() {
	mk_load low "console=ttyS1,115200 panic=-1 nox2apic $SHOW" &&
		mk_start low && mk_wait_state low running 120
}
ktap_check "control: instance low restarted with nox2apic runs" control_start
left_x2apic() {
	poll_until 30 console_has low "x2apic disabled" &&
		! spawn_x2apic low "spawn apicid 2" > /dev/null
}
ktap_check "control: the check finds that this spawn left x2APIC" left_x2apic
ktap_check "control: stop instance low" mk_stop low
ktap_check "cpu3 (APIC id 256) and cpu2 come back online" \
	sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online &&
		echo 1 > /sys/devices/system/cpu/cpu2/online'
ktap_check "cpu3 runs host work again" taskset -c 3 true
ktap_finished
