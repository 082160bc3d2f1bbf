#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# CPUs of a running instance: a 1-CPU instance is given two more CPUs
# through its cpus attribute and brings them up itself, gives one back
# (its kernel takes it down, the host parks it) and the host onlines it;
# the CPU can be given again.  The spawn's /proc/cpuinfo follows, the
# host's cpus attribute, CPU files and /proc/multikernel too.  The errors
# of a create still apply (an online CPU, one of another instance), the
# CPU the spawn booted on cannot be removed (EBUSY), a spawn on an older boot
# information layout refuses (EOPNOTSUPP) and a crashed one too (EBUSY).
# com2-expect: multikernel-guest: cpu1 (APIC id 2) added by the host
# com2-expect: multikernel-guest: cpu1 (APIC id 2) given back to the host
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

KNOB=/sys/kernel/debug/multikernel/boot_info_layout
# the spawn says how many CPUs its /proc/cpuinfo lists, every second
REPORT='while :; do echo cpus-now: $(grep -c ^processor /proc/cpuinfo) > /dev/kmsg; sleep 1; done'

mk_require_host
mk_require_file "$KNOB" "debugfs, CONFIG_MULTIKERNEL_TEST_ABI"
ktap_print_header
ktap_set_plan 36

# spawn_cpus NAME N: the last report on NAME's console says N CPUs
spawn_cpus() {
	[ "$(mk_get "$1" console | grep -ao 'cpus-now: [0-9]*' | tail -n 1)" = \
		"cpus-now: $2" ]
}

# cpus_are NAME LIST: NAME's cpus attribute and its /proc/multikernel row
cpus_are() {
	[ "$(mk_get "$1" cpus)" = "$2" ] &&
		awk -v n="$1" -v c="$2" '$2 == n && $4 == c { f = 1 } END { exit !f }' \
			/proc/multikernel
}

# unchanged LIST: the failed write left rs at LIST, its spawn at 1 CPU
unchanged() {
	cpus_are rs "$1" && spawn_cpus rs 1
}

logged() {
	dmesg | grep -qF "multikernel: $1"
}

both_lent() {
	cpu_is_lent 2 && cpu_is_lent 3
}

# beating: running, and two heartbeats more than when asked
beating() {
	mk_state_is rs running &&
		mk_wait_heartbeat rs $(($(mk_get rs heartbeats) + 2)) 30
}

for c in 1 2 3; do cpu_online $c 0; done
ktap_check "create instance rs on cpu1 with COM2" mk_create rs 1 256M 0x2f8
ID=$(mk_id rs)
ktap_check "load it with a CPU count reporter as init" \
	mk_load rs "console=ttyS1,115200 panic=-1 -- $REPORT"
ktap_check "start it" mk_start rs
ktap_check "it reaches running" mk_wait_state rs running 120
ktap_check "its kernel reports 1 CPU" poll_until 60 spawn_cpus rs 1

# the errors of a create, and what only a running instance refuses
cpu_online 3 1
ktap_check "an online CPU is refused: EBUSY" \
	expect_errno EBUSY mk_set rs cpus 1-3
ktap_check "the refused write changed nothing" unchanged 1
cpu_online 3 0
mkexec mkdir other
mk_set other cpus 3
ktap_check "a CPU of another instance is refused: EBUSY" \
	expect_errno EBUSY mk_set rs cpus 1,3
ktap_check "the other instance keeps cpu3" test "$(mk_get other cpus)" = 3
mkexec rmdir other
ktap_check "the CPU it booted on cannot be removed: EBUSY" \
	expect_errno EBUSY mk_set rs cpus 2-3
ktap_check "an empty list is refused while running: EBUSY" \
	expect_errno EBUSY mk_set rs cpus ""
ktap_check "a CPU that does not exist is refused: EINVAL" \
	expect_errno EINVAL mk_set rs cpus 1,7
ktap_check "nothing changed" unchanged 1
ktap_check "the host logged why" logged \
	"instance $ID (rs): cpu1 is the CPU its kernel booted on; stop it before removing"

# two CPUs more
ktap_check "give it cpu2 and cpu3 while it runs" mk_set rs cpus 1-3
ktap_check "cpus reads 1-3, also in /proc/multikernel" cpus_are rs 1-3
ktap_check "cpu2 and cpu3 are lent" both_lent
ktap_check "its kernel reports 3 CPUs" poll_until 60 spawn_cpus rs 3
ktap_check "the host logged both" sh -c \
	'dmesg | grep -q "multikernel: instance $0: cpu2 added while running" &&
	 dmesg | grep -q "multikernel: instance $0: cpu3 added while running"' "$ID"

# one back to the host
ktap_check "take cpu2 back while it runs" mk_set rs cpus 1,3
ktap_check "cpus reads 1,3" cpus_are rs 1,3
ktap_check "the host parked cpu2, verified" \
	logged "instance $ID: cpu2 (APIC id 2) parked, acknowledged"
ktap_check "its kernel reports 2 CPUs" poll_until 60 spawn_cpus rs 2
ktap_check "the host onlines cpu2" cpu_online 2 1
ktap_check "cpu2 is online in the host" \
	cpu_in_list 2 "$(cat /sys/devices/system/cpu/online)"
ktap_check "it is still running, heartbeats arriving" beating

# the same CPU again
cpu_online 2 0
ktap_check "give cpu2 again" mk_set rs cpus 1-3
ktap_check "its kernel reports 3 CPUs again" poll_until 60 spawn_cpus rs 3

ktap_check "graceful stop" mk_stop rs
ktap_check "every CPU comes back online" \
	sh -c 'for c in 1 2 3; do echo 1 > /sys/devices/system/cpu/cpu$c/online || exit 1; done'
mk_destroy rs

# an older layout: the spawn cannot be given CPUs while it runs
for c in 1 2 3; do cpu_online $c 0; done
mk_create old 1 128M
echo v1 > $KNOB
mk_load old "panic=-1"
mk_start old
ktap_check "a spawn on boot information version 1 runs" mk_wait_state old running 120
echo current > $KNOB
ktap_check "it refuses CPUs while running: EOPNOTSUPP" \
	expect_errno EOPNOTSUPP mk_set old cpus 1-2
ktap_check "cpu2 stays the host's" test "$(mk_get old cpus)" = 1
mk_kill old
# a crashed one: EBUSY
mk_load old "panic=0 -- echo c > /proc/sysrq-trigger"
mk_start old
ktap_check "a crashing spawn becomes crashed" mk_wait_state old crashed 120
ktap_check "a crashed instance refuses CPU changes: EBUSY" \
	expect_errno EBUSY mk_set old cpus 1-2
mk_kill old
mk_destroy old
host_fine() {
	for c in 1 2 3; do cpu_online $c 1 || return 1; done
	! dmesg | grep -qE "BUG:|Oops|WARNING:|Call Trace"
}
ktap_check "every CPU back online, no splat in the host log" host_fine
ktap_finished
