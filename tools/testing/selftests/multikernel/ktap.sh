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
