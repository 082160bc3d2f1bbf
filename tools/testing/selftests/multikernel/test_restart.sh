#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The restart policy: a spawn that panics at every boot is restarted by
# the host, with a doubling delay, up to restart_limit times, then stays
# crashed; "always" also restarts a spawn that halts by itself; a kill
# while a restart waits is not undone; the operator's start counts the
# restarts from zero again.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
ktap_print_header
ktap_set_plan 16
cpu_online 2 0
cpu_online 3 0

# log_has TEXT: the host's log has a line with TEXT
log_has() {
	dmesg | grep -qF -- "$1"
}

log_count() {
	dmesg | grep -cF -- "$1"
}

defaults() {
	[ "$(mk_get crashy restart)" = never ] &&
		[ "$(mk_get crashy restart_limit)" = 3 ] &&
		[ "$(mk_get crashy restart_delay_ms)" = 1000 ] &&
		[ "$(mk_get crashy restarts)" = 0 ] &&
		[ -z "$(mk_get crashy restart_reason)" ]
}

bad_values() {
	expect_errno EINVAL mk_set crashy restart sometimes &&
		expect_errno EINVAL mk_set crashy restart_limit 1001 &&
		expect_errno EINVAL mk_set crashy restart_limit -1 &&
		expect_errno EINVAL mk_set crashy restart_delay_ms 60001 &&
		[ "$(mk_get crashy restart)" = never ] &&
		[ "$(mk_get crashy restart_limit)" = 3 ]
}

mk_create crashy 3 160M
ID=$(mk_id crashy)
ktap_check "restart is off by default (never, limit 3, 1000 ms)" defaults
ktap_check "bad policies, limits and delays fail with EINVAL" bad_values
ktap_check "restart takes on-crash, restart_limit 2, restart_delay_ms 100" \
	sh -c "mkexec attr crashy restart on-crash && mkexec attr crashy restart_limit 2 &&
		mkexec attr crashy restart_delay_ms 100"
mk_load crashy "panic=0 -- echo c > /proc/sysrq-trigger"
mk_start crashy

LIMIT="instance $ID: crashed; its restart limit (2) is reached, it stays crashed"
ktap_check "a spawn that panics at every boot is restarted until the limit" \
	poll_until 300 log_has "$LIMIT"
ktap_check "the first restart waited 100 ms, the second 200 ms" \
	sh -c "dmesg | grep -qF 'instance $ID: crashed; restart 1 of 2 in 100 ms' &&
		dmesg | grep -qF 'instance $ID: crashed; restart 2 of 2 in 200 ms'"

after_limit() {
	mk_state_is crashy crashed && [ "$(mk_get crashy starts)" = 3 ] &&
		[ "$(mk_get crashy restarts)" = 2 ] &&
		[ "$(log_count "instance $ID: restarted (")" = 2 ]
}
ktap_check "then it stays crashed: 3 starts, 2 restarts" after_limit
ktap_print_msg "restart_reason: $(mk_get crashy restart_reason)"
ktap_check "restart_reason names the panic" \
	grep -q "^crashed: sysrq triggered crash" "$(mk_dir crashy)/restart_reason"
ktap_check "/proc/multikernel shows the restarts" \
	grep -q "^# $ID restarts: 2 of 2 (on-crash), the last after it crashed: sysrq" \
	/proc/multikernel

# the operator's kill while a restart waits is not undone
kill_while_waiting() {
	mk_kill crashy && mk_set crashy restart_delay_ms 3000 &&
		mk_set crashy restart_limit 5 && mk_start crashy &&
		[ "$(mk_get crashy restarts)" = 0 ] &&
		mk_wait_state crashy crashed 120 &&
		poll_until 10 log_has "instance $ID: crashed; restart 1 of 5 in 3000 ms" &&
		mk_kill crashy &&
		poll_until 30 log_has "instance $ID: no restart: it was stopped" &&
		mk_state_is crashy stopped && [ "$(mk_get crashy starts)" = 4 ]
}
ktap_check "the operator's start counts from zero; a kill while a restart waits stays" \
	kill_while_waiting

# rmdir while a restart waits: it is cancelled, the instance goes away
rmdir_while_waiting() {
	mk_set crashy restart_delay_ms 60000 && mk_start crashy &&
		mk_wait_state crashy crashed 120 &&
		poll_until 10 log_has "instance $ID: crashed; restart 1 of 5 in 60000 ms" &&
		mk_destroy crashy && [ ! -d "$(mk_dir crashy)" ]
}
ktap_check "rmdir while a restart waits removes the instance" rmdir_while_waiting
ktap_check "cpu3 is the host's again" cpu_online 3 1
cpu_online 3 0

# always: a spawn that powers off by itself is started again
mk_create halty 2 160M
ID2=$(mk_id halty)
ktap_check "restart takes always" sh -c "mkexec attr halty restart always &&
	mkexec attr halty restart_limit 1 && mkexec attr halty restart_delay_ms 0"
mk_load halty "panic=-1 -- poweroff -f"
mk_start halty
ktap_check "a spawn that halts by itself is restarted once, then stays halted" \
	poll_until 300 log_has \
	"instance $ID2: halted; its restart limit (1) is reached, it stays halted"
ktap_check "halty: 2 starts, restart_reason says it halted" \
	sh -c "[ \"\$(cat $(mk_dir halty)/starts)\" = 2 ] &&
		[ \"\$(cat $(mk_dir halty)/state)\" = halted ] &&
		grep -qx 'halted by itself' $(mk_dir halty)/restart_reason"

# an operator's stop of a running instance is not a halt by itself
operator_stop() {
	mk_kill halty && mk_set halty restart_limit 3 &&
		mk_load halty "panic=-1" && mk_start halty &&
		mk_wait_state halty running 120 && mk_stop halty &&
		mk_state_is halty stopped &&
		[ "$(log_count "instance $ID2: halted; restart")" = 1 ]
}
ktap_check "a stop on request is not restarted" operator_stop
ktap_check "the restarted CPUs go back to the host" \
	sh -c "mkexec rmdir halty && echo 1 > /sys/devices/system/cpu/cpu2/online"
cat /proc/multikernel
ktap_finished
