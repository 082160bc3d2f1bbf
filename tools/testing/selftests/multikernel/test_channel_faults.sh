#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A spawned kernel that panics and one that scribbles over the channel: the
# host reports them, stays up, and reuses the CPUs for fresh spawns.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

reason_reported() {
	mk_get crashy crash_reason | grep -q "sysrq triggered crash" &&
		dmesg | grep -q "instance $ID1 crashed: sysrq triggered crash"
}

reclaim_cpu3() {
	mk_stop crashy && cpu_online 3 1 && cpu_online 3 0
}

start_and_run() {
	mk_start "$1" && mk_wait_state "$1" running 120
}

# instance crashy keeps beating: its heartbeat count grows past $1
beats_past() {
	poll_until 60 mk_heartbeats_ge crashy $(($1 + 2)) && mk_state_is crashy running
}

channel_broken() {
	[ -n "$(mk_get hostile channel_error)" ]
}

healthy_again() {
	start_and_run hostile && mk_wait_heartbeat hostile 2 60 && ! channel_broken
}

mk_require_host
ktap_print_header
ktap_set_plan 11
host_job_start
cpu_online 3 0
cpu_online 2 0
mk_create crashy 3 160M
ID1=$(mk_id crashy)
mk_load crashy "panic=0 -- echo c > /proc/sysrq-trigger"
mk_start crashy
ktap_check "a panicking spawn is shown crashed" mk_wait_state crashy crashed 120
ktap_check "the panic reason reached the host" reason_reported
c=$(host_job_count)
ktap_check "the host keeps running" host_job_advanced "$c"
ktap_check "the crashed instance's CPU is reclaimed" reclaim_cpu3
mk_load crashy "panic=-1"
ktap_check "a fresh spawn on the same CPU runs" start_and_run crashy

mk_create hostile 2 160M
mk_load hostile "panic=-1 multikernel.hostile=1"
mk_start hostile
ktap_check "a peer scribbling over the ring marks the channel broken" \
	poll_until 120 channel_broken
ktap_print_msg "channel_error: $(mk_get hostile channel_error)"
c=$(host_job_count)
ktap_check "the host stays up" host_job_advanced "$c"
ktap_check "the other instance keeps running" beats_past "$(mk_get crashy heartbeats)"
ktap_check "its heartbeats stop arriving: shown unresponsive" \
	mk_wait_state hostile unresponsive 60
ktap_check "the hostile instance can be killed" mk_kill hostile
mk_load hostile "panic=-1"
ktap_check "restarted without the test mode its channel is healthy" healthy_again
mk_stop crashy
mk_stop hostile
host_job_stop
cat /proc/multikernel
ktap_finished
