#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# KTAP helpers for the multikernel VM tests (sourced, busybox sh).

KTAP_N=0
KTAP_FAIL=0

ktap_header() {
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $*"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $*"
}

# ktap_check NAME CMD...: ok if CMD succeeds
ktap_check() {
	_name=$1
	shift
	if "$@"; then ktap_ok "$_name"; else ktap_fail "$_name"; fi
}

ktap_diag() {
	echo "# $*"
}

ktap_finish() {
	echo "# $((KTAP_N - KTAP_FAIL)) passed, $KTAP_FAIL failed"
	[ "$KTAP_FAIL" = 0 ]
	exit $?
}

# poll_until TIMEOUT_SEC CMD...: run CMD every 100 ms until it succeeds or
# TIMEOUT_SEC elapse; returns CMD's last status.
poll_until() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		usleep 100000
	done
}

# expect_errno ERRNO CMD...: CMD (a test program) must fail and report ERRNO
# (for example EBUSY) on stderr.
expect_errno() {
	_want=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ]; then
		ktap_diag "'$*' succeeded, expected $_want"
		return 1
	fi
	case "$_out" in
	*"$_want"*) return 0 ;;
	esac
	ktap_diag "'$*' failed with '$_out', expected $_want"
	return 1
}

# --- multikernel helpers ---
MK_CTL=/sys/kernel/multikernel/control
SPAWN_KERNEL=/boot/bzImage
SPAWN_INITRD=/boot/spawn.cpio.gz

# mk_state ID: the state column of instance ID in /proc/multikernel
mk_state() {
	awk -v id="$1" '$1 == id { print $2 }' /proc/multikernel
}

# mk_wait_state ID STATE TIMEOUT_SEC
mk_wait_state() {
	poll_until "$3" mk_state_is "$1" "$2"
}

mk_state_is() {
	[ "$(mk_state "$1")" = "$2" ]
}

# mk_col ID N: column N of instance ID's row in /proc/multikernel
mk_col() {
	awk -v id="$1" -v n="$2" '$1 == id { print $n }' /proc/multikernel
}

cpu_online() {
	echo "$2" > "/sys/devices/system/cpu/cpu$1/online"
}

# A CPU-bound job on the host: increments a counter file as fast as it can.
host_job_start() {
	(
		i=0
		while :; do
			i=$((i + 1))
			[ $((i % 200)) = 0 ] && echo $i > /tmp/host_job.cnt
		done
	) &
	HOST_JOB=$!
	poll_until 10 test -s /tmp/host_job.cnt
}

host_job_count() {
	cat /tmp/host_job.cnt 2>/dev/null || echo 0
}

# host_job_advanced PREV: true once the counter moved past PREV (bounded)
host_job_advanced() {
	poll_until 20 sh -c "[ \$(cat /tmp/host_job.cnt) -gt $1 ]"
}

host_job_stop() {
	kill "$HOST_JOB" 2>/dev/null
	wait "$HOST_JOB" 2>/dev/null
}

# mk_wait_heartbeat ID N TIMEOUT_SEC: the host has received N heartbeats
# (one per 500 ms) from the spawned kernel since it started
mk_wait_heartbeat() {
	poll_until "$3" mk_heartbeats_ge "$1" "$2"
}

mk_heartbeats_ge() {
	[ "$(mk_col "$1" 14)" -ge "$2" ]
}
