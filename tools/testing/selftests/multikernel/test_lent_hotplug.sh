#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A CPU lent to an instance is not offered to the host's hotplug tools:
# upstream's CPU hotplug selftest (tools/testing/selftests/cpu-hotplug/
# cpu-on-off-test.sh, unchanged) passes beside a running instance on cpu3,
# in its default and its -a mode, while the instance keeps beating.  An
# ACPI eject of the lent CPU is refused; the eject of a CPU that is not
# lent goes through (the control that ejects work in this VM), and that
# CPU can no longer be given to an instance.  After the stop cpu3 is the
# host's again.
# vm-needs: /usr/share/kselftest/cpu-hotplug/cpu-on-off-test.sh /bin/bash
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

HOTPLUG_TEST=$MK_DIR/../cpu-hotplug/cpu-on-off-test.sh
CPUS=/sys/devices/system/cpu

mk_require_host
mk_require_cmd bash
mk_require_file "$HOTPLUG_TEST" "the cpu-hotplug selftest installed beside this one"
ktap_print_header
ktap_set_plan 19

# offline_msgs N: how often the host logged that cpuN went offline
offline_msgs() {
	dmesg | grep -c "smpboot: CPU $1 is now offline"
}

# run_hotplug_test ARGS: the upstream test passes and hotplugged cpu$VICTIM
run_hotplug_test() {
	_before=$(offline_msgs "$VICTIM")
	bash "$HOTPLUG_TEST" "$@" > /tmp/hotplug.out 2>&1
	_rc=$?
	sed 's/^/# /' /tmp/hotplug.out
	if [ $_rc != 0 ]; then
		ktap_print_msg "cpu-on-off-test.sh $* exited $_rc"
		return 1
	fi
	# the control that it did take a CPU down (not vacuously green)
	[ "$(offline_msgs "$VICTIM")" -gt "$_before" ] ||
		{ ktap_print_msg "cpu$VICTIM was never taken offline"; return 1; }
}

# beats_past N: the instance is running and sent more than N heartbeats
beats_past() {
	mk_state_is lent running && mk_wait_heartbeat lent $(($1 + 1)) 20
}

ktap_check "cpu3 goes offline" cpu_online 3 0
ktap_check "instance lent gets cpu3 and 128M" mk_create lent 3 128M
ktap_check "cpu3 is lent: not present, offline, no online attribute" cpu_is_lent 3
start_lent() {
	mk_load lent "panic=-1" && mk_start lent && mk_wait_state lent running 120
}
ktap_check "instance lent is loaded, started and running on cpu3" start_lent
ktap_check "instance lent sends heartbeats" mk_wait_heartbeat lent 2 60

# default mode: offlines and onlines the highest online CPU (cpu2), and
# with some CPU offline, onlines the highest present one; were cpu3
# present that would fail
hb=$(mk_get lent heartbeats)
VICTIM=2
ktap_check "cpu-on-off-test.sh passes with cpu3 lent" run_hotplug_test
ktap_check "the instance kept beating through it" beats_past "$hb"
# -a: onlines every offline CPU with an online attribute, offlines all but
# the highest online one (cpu1 here, cpu0 has no online attribute) and
# onlines them again
hb=$(mk_get lent heartbeats)
VICTIM=1
ktap_check "cpu-on-off-test.sh -a passes with cpu3 lent" run_hotplug_test -a
ktap_check "the instance kept beating through it" beats_past "$hb"
host_cpus_back() {
	[ "$(cat $CPUS/online)" = 0-2 ] && cpu_is_lent 3
}
ktap_check "cpus 0-2 are online again, cpu3 still lent" host_cpus_back

# hot-removal: the kernel's ACPI eject puts the device offline first
eject_of() {
	echo "$CPUS/cpu$1/firmware_node/eject"
}
ktap_check "cpu2 and cpu3 have an ACPI eject attribute" \
	test -e "$(eject_of 2)" -a -e "$(eject_of 3)"
hb=$(mk_get lent heartbeats)
ktap_check "an eject of lent cpu3 is queued" sh -c "echo 1 > $(eject_of 3)"
# ejects run one at a time in order (kacpi_hotplug): once cpu2's is done,
# cpu3's was handled
eject_cpu2() {
	cpu_online 2 0 && echo 1 > "$(eject_of 2)" &&
		poll_until 30 test ! -e "$CPUS/cpu2"
}
ktap_check "cpu2 (offline, not lent) is ejected: its device is gone" eject_cpu2
eject_refused() {
	dmesg | grep -q "cpu3: Offline failed\." && cpu_is_lent 3
}
ktap_check "the eject of cpu3 was refused: offline failed, cpu3 stays lent" eject_refused
ktap_check "the instance kept beating through the eject" beats_past "$hb"
ejected_refused() {
	mkexec mkdir other && expect_errno EINVAL mk_set other cpus 2 &&
		mkexec rmdir other
}
ktap_check "the ejected cpu2 cannot be given to an instance: EINVAL" ejected_refused

ktap_check "graceful stop of instance lent" mk_stop lent
returned() {
	mk_state_is lent stopped && [ -e "$CPUS/cpu3/online" ] &&
		cpu_in_list 3 "$(cat $CPUS/present)" &&
		! dmesg | grep -qE "WARNING:|BUG:|Oops"
}
ktap_check "cpu3 is present again with its online attribute" returned
ktap_check "cpu3 can be onlined by the host" \
	sh -c "echo 1 > $CPUS/cpu3/online && grep -q 1 $CPUS/cpu3/online"
ktap_finished
