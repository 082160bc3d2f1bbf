#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Ten start/stop cycles of one instance; between cycles the host onlines the
# CPU, uses it, and offlines it again.
. /usr/share/multikernel/ktap.sh

N=10
ktap_header $((N + 2))
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
		ktap_ok "cycle $i: start, running, stop, cpu3 back to the host"
	else
		ktap_fail "cycle $i"
	fi
	i=$((i + 1))
done
ktap_check "instance cyc counts $N starts" test "$(mk_get cyc starts)" = $N
cat /proc/multikernel
ktap_finish
