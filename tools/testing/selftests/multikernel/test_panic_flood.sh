#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A spawned kernel floods the host with 10,000 panic reports and garbage
# messages full of line breaks, terminal escapes, NULs and forged log lines
# and /proc rows (multikernel.hostile_flood).  The host keeps one report,
# escaped on one line, its log grows by a bounded amount, /proc/multikernel
# shows no forged row, and the host keeps working.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

FLOOD=10000
# Host log bytes the flood may add.  Expected: the start and crash lines of
# one instance, well under 1 KiB.  One line per message would be at least
# 10,000 x 20 bytes; 16 KiB leaves room for unrelated lines on a debug kernel.
LOG_BOUND=16384
MARK="test_panic_flood: flood starts"

# bytes that are neither printable ASCII nor a line break, on stdin
nonprint_bytes() {
	tr -d '\n -~' | wc -c
}

flood_done() {
	mk_get flood console | grep -q "hostile flood done:"
}

# flood_field N: the Nth number of the spawn's "hostile flood done" line
flood_field() {
	mk_get flood console | grep -a "hostile flood done:" | tail -n 1 |
		sed 's/.*done: //' | tr -c '0-9\n' ' ' | awk -v n="$1" '{ print $n }'
}

# the host has taken every message: the flood plus booted and init started
all_received() {
	[ "$(mk_get flood rx_msgs)" -ge $((FLOOD + 2)) ]
}

log_since_mark() {
	dmesg | sed -n "/$MARK/,\$p"
}

log_bounded() {
	_b=$(log_since_mark | wc -c)
	ktap_print_msg "host log grew by $_b bytes for $FLOOD messages (bound $LOG_BOUND)"
	log_since_mark | grep -q "$MARK" && [ "$_b" -lt $LOG_BOUND ]
}

one_log_line() {
	_n=$(dmesg | grep -c "instance $ID crashed: ")
	[ "$_n" = 1 ] || ktap_print_msg "$_n crash lines"
	[ "$_n" = 1 ]
}

# every FORGED the host logged is inside its one escaped crash line
no_forged_log_line() {
	! dmesg | grep -a FORGED | grep -qv "instance $ID crashed: "
}

log_printable() {
	[ "$(log_since_mark | nonprint_bytes)" = 0 ]
}

# crash_reason: one line, printable, escapes shown, at most 127 characters
reason_escaped() {
	_r=$(mk_get flood crash_reason)
	ktap_print_msg "crash_reason: $_r"
	[ "$(mk_get flood crash_reason | wc -l)" = 1 ] &&
		[ "$(mk_get flood crash_reason | nonprint_bytes)" = 0 ] &&
		[ ${#_r} -le 127 ] && case "$_r" in *'\x1b'*FORGED*) ;; *) false ;; esac
}

# /proc/multikernel: the header, one row, the pool, one panic comment and
# the host's line with the start times
proc_rows_exact() {
	# the host's own line with the times of the last start
	_start="# $ID last start: handoff [0-9]+ us(, booted [0-9]+ us(, init [0-9]+ us)?)?"
	cat /proc/multikernel > /tmp/proc.out
	[ "$(grep -vc '^#' /tmp/proc.out)" = 2 ] &&
		[ "$(grep -c "^$ID " /tmp/proc.out)" = 1 ] &&
		[ "$(grep -c "^# $ID panic: " /tmp/proc.out)" = 1 ] &&
		! grep -qvE "^(# pool |# $ID panic: |id |$ID |$_start$)" /tmp/proc.out &&
		! grep -a FORGED /tmp/proc.out | grep -qv "^# $ID panic: " &&
		[ "$(nonprint_bytes < /tmp/proc.out)" = 0 ]
}

# later reports are dropped and counted as channel errors
later_counted() {
	_p=$(flood_field 3)
	_e=$(mk_get flood chan_errors)
	ktap_print_msg "$_p panic reports sent, chan_errors $_e"
	[ -n "$_p" ] && [ "$_e" -ge $((_p - 1)) ]
}

reclaim_cpu3() {
	mk_kill flood && cpu_online 3 1 && cpu_online 3 0
}

fresh_spawn_runs() {
	mk_load flood "panic=-1" && mk_start flood &&
		mk_wait_state flood running 120 && mk_wait_heartbeat flood 2 60 &&
		[ -z "$(mk_get flood crash_reason)" ] &&
		! grep -q "^# $ID panic: " /proc/multikernel
}

mk_require_host
ktap_print_header
ktap_set_plan 14
host_job_start
cpu_online 3 0
mk_create flood 3 160M
ID=$(mk_id flood)
mk_load flood "panic=-1 multikernel.hostile_flood=$FLOOD"
echo "$MARK" > /dev/kmsg
mk_start flood
ktap_check "the flooding spawn is shown crashed" mk_wait_state flood crashed 120
ktap_check "the spawn sent its whole flood" poll_until 400 flood_done
ktap_print_msg "spawn: $(mk_get flood console | grep -a 'hostile flood done:' | tail -n 1)"
ktap_check "all $FLOOD messages were sent" [ "$(flood_field 1)" = $FLOOD ]
ktap_check "the host took every message" poll_until 120 all_received
ktap_check "the host log grew by a bounded amount" log_bounded
ktap_check "one crash line in the host log" one_log_line
ktap_check "no forged line in the host log" no_forged_log_line
ktap_check "no control byte reached the host log" log_printable
ktap_check "crash_reason is one escaped line" reason_escaped
ktap_check "/proc/multikernel shows no forged row" proc_rows_exact
ktap_check "later panic reports are counted as channel errors" later_counted
c=$(host_job_count)
ktap_check "the host keeps running" host_job_advanced "$c"
ktap_check "the flooding instance's CPU is reclaimed" reclaim_cpu3
ktap_check "a fresh spawn on the same CPU runs, no crash shown" fresh_spawn_runs
mk_stop flood
host_job_stop
cat /proc/multikernel
ktap_finished
