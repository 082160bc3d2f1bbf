#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A stop is verified: the host parks every CPU of the instance in its own
# stub, which acknowledges, before the CPUs are the host's again.  With the
# park_noack test knob a CPU does not acknowledge: it and the instance's
# memory are quarantined until reboot, the reason is shown, every later
# use is refused, and another instance is not affected.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

KNOB=/sys/kernel/debug/multikernel/park_noack
CMDLINE="console=ttyS1,115200 panic=-1"

mk_require_host
mk_require_file "$KNOB" "debugfs, CONFIG_MULTIKERNEL_TEST_ABI"
ktap_print_header
ktap_set_plan 33

# acks NAME CPU: how many times the log says CPU acknowledged parking at a
# stop of instance NAME
acks() {
	dmesg | grep -c \
		"multikernel: instance $(mk_id "$1"): cpu$2 (APIC id [0-9]*) parked, acknowledged"
}

# cycle_cpu CPU: the host can online CPU, run on it and offline it again
cycle_cpu() {
	cpu_online "$1" 1 && taskset -c "$1" true && cpu_online "$1" 0
}

cpu_online 2 0
cpu_online 3 0
ktap_check "the host has the park_noack test knob" test -w $KNOB
mkexec mkdir park && mk_config park 3 160M && mk_load park "$CMDLINE"
mkexec mkdir other && mk_config other 2 160M && mk_load other "$CMDLINE"
both_loaded() {
	mk_state_is park loaded && mk_state_is other loaded
}
ktap_check "instances park (cpu3) and other (cpu2) are loaded" both_loaded
IP=$(mk_id park)
IO=$(mk_id other)
ktap_check "start instance other on cpu2" mk_start other
ktap_check "instance other reaches running" mk_wait_state other running 120

# --- kill and graceful stop are acknowledged ---
ktap_check "start instance park on cpu3" mk_start park
ktap_check "instance park reaches running" mk_wait_state park running 120
ktap_check "kill instance park" mk_kill park
killed() {
	mk_state_is park stopped && [ "$(acks park 3)" = 1 ] &&
		dmesg | grep -q "instance $IP: stopped (forced)"
}
ktap_check "kill: cpu3 acknowledged parking, instance park is stopped" killed
ktap_check "after the kill cpu3 is the host's again" cycle_cpu 3

ktap_check "restart instance park" mk_start park
ktap_check "instance park reaches running again" mk_wait_state park running 120
ktap_check "graceful stop of instance park" mk_stop park
stopped() {
	mk_state_is park stopped && [ "$(acks park 3)" = 2 ] &&
		dmesg | grep -q "instance $IP: stopped (halted on request)"
}
ktap_check "stop: cpu3 halted on request and acknowledged parking" stopped
ktap_check "after the stop cpu3 is the host's again" cycle_cpu 3

# --- a CPU that does not acknowledge ---
ktap_check "park_noack takes cpu3" sh -c "echo 3 > $KNOB && [ \$(cat $KNOB) = 3 ]"
LOW=$(mk_get park low_range)
RAM=$(mk_get park ram_range)
BASE=$(mk_range_start park shared_range)
hb=$(mk_get other heartbeats)
ktap_check "start instance park a third time" mk_start park
ktap_check "kill reports the missing acknowledgment: ETIMEDOUT" \
	expect_errno ETIMEDOUT mk_kill park
ktap_check "instance park is quarantined" mk_state_is park quarantined
logged() {
	dmesg | grep -q "instance $IP: cpu3 (APIC id [0-9]*) did not acknowledge parking within" &&
		dmesg | grep -q \
			"instance $IP: quarantined until reboot (stop: forced): cpus 3 did not" &&
		[ "$(acks park 3)" = 2 ]
}
ktap_check "the log names cpu3 and the quarantine, no third acknowledgment" logged
shown() {
	grep -q "^# $IP quarantined: cpus 3 did not acknowledge parking" /proc/multikernel &&
		grep -q "^# quarantined until reboot: cpus 3 " /proc/multikernel &&
		grep -q "^# quarantined until reboot: memory 0x0*${BASE#0x}+" /proc/multikernel
}
ktap_check "/proc/multikernel shows the quarantined cpu3 and memory" shown
ktap_check "quarantined cpu3 stays lent: not present, no online file, cannot be onlined" \
	cpu_is_lent 3
mkexec mkdir third
ktap_check "assigning cpu3 to another instance fails with EBUSY" \
	expect_errno EBUSY mk_set third cpus 3
ktap_check "starting the quarantined instance fails with EBUSY" \
	expect_errno EBUSY mk_start park
ktap_check "loading into the quarantined instance fails with EBUSY" \
	expect_errno EBUSY mk_load park "$CMDLINE"
ktap_check "instance other kept beating" mk_wait_heartbeat other $((hb + 4)) 30

# --- after rmdir the memory and the low slice stay out of use ---
ktap_check "rmdir the quarantined instance" mk_destroy park
# slot order: park took the first, so without the quarantine "fourth"
# would get its low slice, and first-fit its memory
mkexec rmdir third
mkexec mkdir fourth
ktap_check "its memory cannot be had again: ENOSPC" \
	expect_errno ENOSPC mk_set fourth memory "160M@$BASE"
ktap_check "positive control: other free pool memory can be had" mk_set fourth memory 160M
not_reused() {
	[ -n "$LOW" ] && [ -n "$RAM" ] &&
		[ "$(mk_get fourth low_range)" != "$LOW" ] &&
		[ "$(mk_get fourth ram_range)" != "$RAM" ]
}
ktap_check "a new instance gets another low slice and other RAM" not_reused
ktap_check "cpu3 still cannot be onlined after the rmdir (still lent)" cpu_is_lent 3

# --- the other instance and its CPU are unaffected ---
ktap_check "graceful stop of instance other" mk_stop other
other_parked() {
	mk_state_is other stopped && [ "$(acks other 2)" = 1 ]
}
ktap_check "cpu2 acknowledged parking (the knob only names cpu3)" other_parked
ktap_check "cpu2 is the host's again" cycle_cpu 2
echo > $KNOB
cat /proc/multikernel
ktap_finished
