#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make bench": one spawned instance on cpu3, then the
# kernel benchmark (debugfs multikernel/bench, CONFIG_MULTIKERNEL_BENCH),
# then cyclictest in the PREEMPT_RT spawn kernel with the host idle and
# loaded, all in one VM run.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"
BENCH=/sys/kernel/debug/multikernel/bench
cpu_online 3 0
mk_create 1 3 256M || exit 1
mk_load 1 "panic=-1 printk.time=1" || exit 1

# Start times: the host's own kernel start -> init (its printk time of
# "Run /init"), then five starts of instance 1, each timed by the host from
# the write of "start" (the "last start" line of /proc/multikernel), and the
# spawn's own kernel start -> init from its console.  Each start after a
# stop waits until the host has put the image back in place (it does that
# in the background after the stop) and prints that time too.  Prints
# "bench host init: N us" and "bench start K: handoff N us, booted N us,
# init N us, spawn kernel init N us[, refresh N us]".
# init_us: the printk time of "Run /init as init process" on stdin, in us
init_us() {
	tr -d '\r' | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{6\}\)\] Run .* as init process.*/\1\2/p' |
		head -n 1 | sed 's/^0*\([0-9]\)/\1/'
}
echo Y > /sys/module/printk/parameters/time
echo "bench host init: $(dmesg | init_us) us"
# refreshed: instance 1's image is back in place after its stop
refreshed() {
	grep -q "^# $(mk_id 1) image back in place" /proc/multikernel
}
refresh=""
for k in 1 2 3 4 5; do
	[ $k = 1 ] || { mk_stop 1 && mk_wait_state 1 stopped 60 &&
		poll_until 60 refreshed; } || exit 1
	refresh=$(sed -n "s/^# $(mk_id 1) image back.*, in \([0-9]*\) us/, refresh \1 us/p" \
		/proc/multikernel)
	mk_start 1 && mk_wait_state 1 running 120 || {
		echo "bench-vm: start $k did not reach running"
		exit 1
	}
	times=$(sed -n "s/^# $(mk_id 1) last start: //p" /proc/multikernel)
	echo "bench start $k: $times, spawn kernel init $(mk_get 1 console | init_us) us$refresh"
done
[ -e $BENCH ] || { echo "bench-vm: $BENCH missing (CONFIG_MULTIKERNEL_BENCH)"; exit 1; }
echo "$(mk_id 1)" > $BENCH || exit 1
dmesg | grep "bench instance $(mk_id 1):" | tail -n 1
mk_stop 1

# cyclictest in the PREEMPT_RT spawn kernel (/boot/bzImage-rt) on cpus 2-3,
# measuring on its tickless second CPU: once with the host idle, once while
# every host CPU (0-1) runs a CPU hog and a memory hog (dd streaming 16 MiB
# buffers, more than any cache).  One start per measurement (the console is
# cleared at every start); prints "bench rt idle: T: 0 ..." and
# "bench rt load: T: 0 ...".
mk_destroy 1
cpu_online 2 0
mk_create rt 2-3 256M || exit 1
RT_CYCLIC='cyclictest -q -m -p 90 -i 1000 -D 10 -t 1 -a 1'
RT_CYCLIC="$RT_CYCLIC; echo rt-cyclictest-done rc=\$?"
mkexec mk-load-file "$(mk_id rt)" /boot/bzImage-rt /boot/spawn-rt.cpio.gz \
	"panic=-1 nohz_full=1 rcu_nocbs=1 irqaffinity=0 -- $RT_CYCLIC" ||
	exit 1
rt_done() {
	mk_get rt console | tr -d '\r' | grep -q 'rt-cyclictest-done rc=[0-9]'
}
# rt_measure LABEL: one start, cyclictest's summary line, stop
rt_measure() {
	mk_start rt && mk_wait_state rt running 120 && poll_until 300 rt_done || {
		echo "bench-vm: cyclictest did not finish in the RT spawn ($1)"
		mk_get rt console | tail -n 20
		exit 1
	}
	echo "bench rt $1: $(mk_get rt console | tr -d '\r' | grep -E '^T: *0 ' | tail -n 1)"
	mk_stop rt
}
rt_measure idle
load=""
for c in 0 1; do
	taskset -c $c sh -c 'while :; do :; done' &
	load="$load $!"
	taskset -c $c dd if=/dev/zero of=/dev/null bs=16M 2>/dev/null &
	load="$load $!"
done
rt_measure load
kill $load
wait 2>/dev/null
mk_destroy rt
