#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The PREEMPT_RT spawn kernel (make kernel-rt: /boot/bzImage-rt, another
# configuration of the same tree, no host side) beside the non-RT host: a
# 1-CPU and a 2-CPU instance (tickless on its second CPU), both at once,
# console, heartbeats, cyclictest (Debian's rt-tests, in
# /boot/spawn-rt.cpio.gz) for a bounded run, panic, stop, and ten start/stop
# cycles.  The RT kernel checks atomic sleeps (CONFIG_DEBUG_ATOMIC_SLEEP): a
# splat on its console fails the test.  It is LZ4-compressed, so it also
# covers a kexec_file_load() kernel the host does not unpack.
# vm-needs: /boot/bzImage-rt /boot/spawn-rt.cpio.gz
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

RT_KERNEL=/boot/bzImage-rt
RT_INITRD=/boot/spawn-rt.cpio.gz
N=10
# what the RT spawns' user space reports first (single quotes: expanded in
# the spawn), then a bounded cyclictest: 2000 loops of 1 ms, SCHED_FIFO 90
INFO='echo rt-info: cpus=$(nproc) nohz_full=$(cat /sys/devices/system/cpu/nohz_full) $(uname -v)'
CYCLIC='cyclictest -q -m -p 90 -i 1000 -l 2000 -t 1'
SPLAT='BUG:|WARNING:|Oops|sleeping function called|scheduling while atomic|Call Trace'

rt_load() {
	mkexec mk-load-file "$(mk_id "$1")" $RT_KERNEL $RT_INITRD "$2"
}

rt_console() {
	mk_get "$1" console | tr -d '\r'
}

rt_console_has() {
	rt_console "$1" | grep -qE -- "$2"
}

# rt_wait_console NAME ERE TIMEOUT: the spawn's console shows ERE
rt_wait_console() {
	poll_until "$3" rt_console_has "$1" "$2"
}

rt_start_and_run() {
	mk_start "$1" && mk_wait_state "$1" running 120
}

# rt_cyclictest NAME: the summary line of its cyclictest run (empty if none)
rt_cyclictest() {
	rt_console "$1" | grep -E '^T: *0 .*Max: *[0-9]+' | tail -n 1
}

# rt_cyclictest_done NAME: cyclictest finished with status 0 and reported
rt_cyclictest_done() {
	rt_wait_console "$1" 'rt-cyclictest-done rc=[0-9]' 120 &&
		rt_console_has "$1" 'rt-cyclictest-done rc=0' &&
		[ -n "$(rt_cyclictest "$1")" ]
}

rt_no_splat() {
	if rt_console_has "$1" "$SPLAT"; then
		rt_console "$1" | grep -E -A 12 -- "$SPLAT" | head -n 40 |
			sed 's/^/# | /'
		return 1
	fi
}

# back_to_host NAME CPU: NAME is stopped and CPU serves the host again
back_to_host() {
	mk_state_is "$1" stopped && reclaim "$2"
}

reclaim() {
	for c in "$@"; do
		cpu_online "$c" 1 && taskset -c "$c" true && cpu_online "$c" 0 || return 1
	done
}

crash_reported() {
	mk_get rtp crash_reason | grep -q "sysrq triggered crash"
}

mk_require_host
mk_require_file "$RT_KERNEL" "the PREEMPT_RT spawn kernel"
mk_require_file "$RT_INITRD" "the RT spawn initramfs, with cyclictest"
ktap_print_header
ktap_set_plan $((29 + N))
host_job_start
for c in 1 2 3; do cpu_online $c 0; done
ktap_check "the host runs a kernel without PREEMPT_RT" \
	sh -c '! uname -v | grep -q PREEMPT_RT'

# one CPU
ktap_check "create RT instance rt1 on cpu3" mk_create rt1 3 128M
ktap_check "kexec_file_load of $RT_KERNEL into rt1" \
	rt_load rt1 "panic=-1 -- $INFO; $CYCLIC -a 0; echo rt-cyclictest-done rc=\$?"
# config.rt builds it with LZ4, which the host does not unpack: it
# decompresses itself, entered at its bzImage's 64-bit entry
self_unpacking() {
	dmesg | grep -q "instance $(mk_id rt1): kernel not unpacked by the host"
}
ktap_check "the host leaves the LZ4 RT kernel packed" self_unpacking
ktap_check "rt1 (1 CPU) reaches running" rt_start_and_run rt1
ktap_check "rt1's console shows the RT kernel's boot banner" \
	rt_wait_console rt1 'Linux version 6\.12.* PREEMPT_RT' 60
ktap_check "rt1's user space: 1 CPU, uname -v says PREEMPT_RT" \
	rt_wait_console rt1 'rt-info: cpus=1 .*PREEMPT_RT' 60
ktap_check "rt1 sends 4 heartbeats" mk_wait_heartbeat rt1 4 60
ktap_check "cyclictest runs in rt1 for 2000 loops and reports" rt_cyclictest_done rt1
ktap_print_msg "rt1 cyclictest (us): $(rt_cyclictest rt1)"
c=$(host_job_count)
ktap_check "the host keeps computing beside rt1" host_job_advanced "$c"
ktap_check "graceful stop of rt1" mk_stop rt1
ktap_check "rt1 is stopped, cpu3 serves the host again" back_to_host rt1 3
ktap_check "no splat on rt1's console" rt_no_splat rt1

# two CPUs, the second one tickless, beside the 1-CPU instance
ktap_check "create RT instance rt2 on cpus 1-2" mk_create rt2 1-2 256M
ktap_check "kexec_file_load of $RT_KERNEL into rt2 (nohz_full=1)" \
	rt_load rt2 "panic=-1 nohz_full=1 rcu_nocbs=1 irqaffinity=0 -- $INFO; \
$CYCLIC -a 1; echo rt-cyclictest-done rc=\$?"
rt_load rt1 "panic=-1 -- $INFO"
both() {
	rt_start_and_run rt1 && rt_start_and_run rt2 &&
		mk_state_is rt1 running && mk_state_is rt2 running
}
ktap_check "rt2 (2 CPUs) and rt1 run at once beside the host" both
ktap_check "rt2's user space: 2 CPUs, cpu1 tickless, uname -v says PREEMPT_RT" \
	rt_wait_console rt2 'rt-info: cpus=2 nohz_full=1 .*PREEMPT_RT' 60
ktap_check "rt2 sends 4 heartbeats" mk_wait_heartbeat rt2 4 60
ktap_check "cyclictest runs on rt2's tickless cpu1 and reports" rt_cyclictest_done rt2
ktap_print_msg "rt2 cyclictest (us): $(rt_cyclictest rt2)"
stop_both() {
	mk_stop rt2 && mk_stop rt1 && mk_state_is rt2 stopped && mk_state_is rt1 stopped
}
ktap_check "graceful stop of rt2 and rt1" stop_both
ktap_check "cpus 1-3 serve the host again" reclaim 1 2 3
ktap_check "no splat on rt2's console" rt_no_splat rt2

# panic
ktap_check "create RT instance rtp on cpu3" mk_create rtp 3 128M
rt_load rtp "panic=0 -- echo c > /proc/sysrq-trigger"
mk_start rtp
ktap_check "a panicking RT spawn is shown crashed" mk_wait_state rtp crashed 120
ktap_check "its panic reason reached the host" crash_reported
ktap_print_msg "crash_reason: $(mk_get rtp crash_reason)"
c=$(host_job_count)
ktap_check "the host keeps computing after the RT spawn's panic" host_job_advanced "$c"
stop_crashed() {
	mk_stop rtp && back_to_host rtp 3
}
ktap_check "the crashed instance is stopped, cpu3 is reclaimed" stop_crashed
mk_destroy rtp

# ten start/stop cycles: host and spawn are different kernels every time
# (the console is cleared at every start, so each check sees that run)
rt_load rt1 "panic=-1 -- $INFO"
i=1
while [ $i -le $N ]; do
	ok=1
	rt_start_and_run rt1 || ok=0
	[ $ok = 1 ] && { rt_wait_console rt1 'rt-info: cpus=1 .*PREEMPT_RT' 60 || ok=0; }
	[ $ok = 1 ] && { mk_wait_heartbeat rt1 1 60 || ok=0; }
	[ $ok = 1 ] && { mk_stop rt1 || ok=0; }
	[ $ok = 1 ] && { reclaim 3 || ok=0; }
	if [ $ok = 1 ]; then
		_what="RT spawn started, PREEMPT_RT, beating"
		ktap_test_pass "cycle $i: $_what, stopped, cpu3 back to the host"
	else
		ktap_test_fail "cycle $i (state $(mk_state rt1))"
	fi
	i=$((i + 1))
done
ktap_check "rt1 counts $((N + 2)) starts" test "$(mk_get rt1 starts)" = $((N + 2))
ktap_check "no splat on rt1's console after the cycles" rt_no_splat rt1
host_job_stop
mk_destroy rt1
mk_destroy rt2
cat /proc/multikernel
ktap_finished
