#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Ten start/stop cycles of one instance; between cycles the host onlines the
# CPU, uses it, and offlines it again.  Then a stop right after the start,
# which reaches the spawn early in its boot.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

N=10
mk_require_host
ktap_print_header
ktap_set_plan $((N + 3))
cpu_online 3 0
mk_create cyc 3 160M
ktap_check "load instance cyc" mk_load cyc "console=ttyS1,115200 panic=-1"
i=1
while [ $i -le $N ]; do
	ok=1
	mk_start cyc || ok=0
	[ $ok = 1 ] && { mk_wait_state cyc running 120 || ok=0; }
	[ $ok = 1 ] && { mk_stop cyc || ok=0; }
	[ $ok = 1 ] && { cpu_online 3 1 || ok=0; }
	[ $ok = 1 ] && { taskset -c 3 true || ok=0; }
	[ $ok = 1 ] && { cpu_online 3 0 || ok=0; }
	if [ $ok = 1 ]; then
		ktap_test_pass "cycle $i: start, running, stop, cpu3 back to the host"
	else
		ktap_test_fail "cycle $i"
	fi
	i=$((i + 1))
done
ktap_check "instance cyc counts $N starts" test "$(mk_get cyc starts)" = $N

# The stop message is in the ring before the spawn's driver core exists:
# the spawn holds it until its kernel is up, then powers off (no oops in
# device_shutdown()) and the host sees it halt on request, not forced.
halted_lines() {
	dmesg | grep -c "instance $(mk_id cyc): stopped (halted on request)"
}
early_stop() {
	_before=$(halted_lines)
	mk_set cyc stop_timeout_ms 120000 && mk_start cyc && mk_stop cyc &&
		[ "$(halted_lines)" -gt "$_before" ] &&
		grep -q "host requested stop" "$(mk_dir cyc)/console" &&
		! grep -E "BUG:|Oops" "$(mk_dir cyc)/console"
}
ktap_check "a stop right after the start: the spawn halts itself once up" early_stop
cat /proc/multikernel
ktap_finished
