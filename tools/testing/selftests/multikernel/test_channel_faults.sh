#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A spawned kernel that panics and one that scribbles over the channel: the
# host reports them, stays up, and reuses the CPUs for fresh spawns.
. /usr/share/multikernel/ktap.sh

reason_reported() {
	grep -q "^# 1 panic: sysrq triggered crash" /proc/multikernel &&
		dmesg | grep -q "instance 1 crashed: sysrq triggered crash"
}

reclaim_cpu3() {
	mkexec ctl "stop 1" && cpu_online 3 1 && cpu_online 3 0
}

start_and_run() {
	mkexec ctl "start $1" && mk_wait_state "$1" running 120
}

# instance 1 keeps beating: its heartbeat count grows past $1
beats_past() {
	poll_until 60 mk_heartbeats_ge 1 $(($1 + 2)) && mk_state_is 1 running
}

healthy_again() {
	start_and_run 2 && mk_wait_heartbeat 2 2 60 &&
		! grep -q "^# 2 channel broken" /proc/multikernel
}

ktap_header 11
host_job_start
cpu_online 3 0
cpu_online 2 0
mkexec ctl "create 1 3 160M"
mkexec mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD \
	"panic=0 -- echo c > /proc/sysrq-trigger"
mkexec ctl "start 1"
ktap_check "a panicking spawn is shown crashed" mk_wait_state 1 crashed 120
ktap_check "the panic reason reached the host" reason_reported
c=$(host_job_count)
ktap_check "the host keeps running" host_job_advanced "$c"
ktap_check "the crashed instance's CPU is reclaimed" reclaim_cpu3
mkexec mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD "panic=-1"
ktap_check "a fresh spawn on the same CPU runs" start_and_run 1

mkexec ctl "create 2 2 160M"
mkexec mk-load-file 2 $SPAWN_KERNEL $SPAWN_INITRD "panic=-1 multikernel.hostile=1"
mkexec ctl "start 2"
ktap_check "a peer scribbling over the ring marks the channel broken" \
	poll_until 120 grep -q "^# 2 channel broken" /proc/multikernel
grep "^#" /proc/multikernel
c=$(host_job_count)
ktap_check "the host stays up" host_job_advanced "$c"
ktap_check "the other instance keeps running" beats_past "$(mk_col 1 14)"
ktap_check "its heartbeats stop arriving: shown unresponsive" \
	mk_wait_state 2 unresponsive 60
ktap_check "the hostile instance can be killed" mkexec ctl "kill 2"
mkexec mk-load-file 2 $SPAWN_KERNEL $SPAWN_INITRD "panic=-1"
ktap_check "restarted without the test mode its channel is healthy" healthy_again
mkexec ctl "stop 1"
mkexec ctl "stop 2"
host_job_stop
cat /proc/multikernel
ktap_finish
