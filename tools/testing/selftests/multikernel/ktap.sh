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
# Instances are configfs directories; tests name them, the load syscalls
# take their id.  Every status value comes from a one-value file.
MK_CFG=/sys/kernel/config/multikernel
SPAWN_KERNEL=/boot/bzImage
SPAWN_INITRD=/boot/spawn.cpio.gz

# mk_dir NAME: the configfs directory of instance NAME
mk_dir() {
	echo "$MK_CFG/$1"
}

# mk_get NAME ATTR: the value of one attribute (empty if it cannot be read)
mk_get() {
	cat "$MK_CFG/$1/$2" 2>/dev/null
}

# mk_id NAME: the id the load syscalls, /dev/mkchanN and the log use
mk_id() {
	mk_get "$1" id
}

# mk_name_of_id ID: the name of the instance whose id is ID
mk_name_of_id() {
	for _d in "$MK_CFG"/*; do
		[ "$(cat "$_d/id" 2>/dev/null)" = "$1" ] && { echo "${_d##*/}"; return 0; }
	done
	return 1
}

# mk_set NAME ATTR VALUE: write one attribute; on failure the errno name is
# printed ("mkexec: NAME/ATTR: EBUSY (...)")
mk_set() {
	mkexec attr "$1" "$2" "$3"
}

# mk_config NAME CPUS MEM [UART]: give an instance its resources; fails on
# the first write that fails
mk_config() {
	mk_set "$1" cpus "$2" && mk_set "$1" memory "$3" &&
		{ [ -z "$4" ] || mk_set "$1" uart "$4"; }
}

# mk_create NAME CPUS MEM [UART]: mkdir, then the writes of mk_config
mk_create() {
	mkexec mkdir "$1" && mk_config "$@"
}

# mk_destroy NAME: rmdir (a started instance is killed first)
mk_destroy() {
	mkexec rmdir "$1"
}

# mk_load NAME CMDLINE: kexec_file_load of the spawn kernel and initramfs
mk_load() {
	mkexec mk-load-file "$(mk_id "$1")" $SPAWN_KERNEL $SPAWN_INITRD "$2"
}

# mk_unload NAME: kexec_file_load(KEXEC_FILE_UNLOAD)
mk_unload() {
	mkexec mk-unload-file "$(mk_id "$1")"
}

mk_start() {
	mk_set "$1" state start
}

mk_stop() {
	mk_set "$1" state stop
}

mk_kill() {
	mk_set "$1" state kill
}

# mk_state NAME: the state word of instance NAME
mk_state() {
	mk_get "$1" state
}

mk_state_is() {
	[ "$(mk_state "$1")" = "$2" ]
}

# mk_wait_state NAME STATE TIMEOUT_SEC
mk_wait_state() {
	poll_until "$3" mk_state_is "$1" "$2"
}

# mk_range_start NAME ATTR, mk_range_end NAME ATTR: the ends of a
# "0xSTART-0xEND" range attribute (ram_range, low_range, shared_range)
mk_range_start() {
	_r=$(mk_get "$1" "$2")
	echo "${_r%-*}"
}

mk_range_end() {
	_r=$(mk_get "$1" "$2")
	echo "${_r#*-}"
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

# mk_wait_heartbeat NAME N TIMEOUT_SEC: the host has received N heartbeats
# (one per 500 ms) from the spawned kernel since it started
mk_wait_heartbeat() {
	poll_until "$3" mk_heartbeats_ge "$1" "$2"
}

mk_heartbeats_ge() {
	_hb=$(mk_get "$1" heartbeats)
	[ -n "$_hb" ] && [ "$_hb" -ge "$2" ]
}
