#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The inter-kernel channel: console relay, 10,000 checksummed messages each
# way between a host process and a process in the spawned kernel, a full
# ring with back-pressure and no loss, graceful stop over the channel.
. /usr/share/multikernel/ktap.sh

ktap_header 9
cpu_online 3 0
mkexec ctl "create 1 3 256M"
mkexec mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD \
	"panic=-1 -- mkchan echo-server /dev/mkchan0"
mkexec ctl "start 1"
running_and_beating() {
	mk_wait_state 1 running 120 && mk_wait_heartbeat 1 2 60
}
CON=/sys/kernel/multikernel/1/console
ktap_check "instance 1 reports booted, init started and heartbeats over the channel" \
	running_and_beating
ktap_check "console relay holds the spawned kernel's boot log" \
	sh -c "grep -q 'Hypervisor detected: Multikernel' $CON && grep -q 'Run /init as init' $CON"
ktap_check "console relay shows the user-space echo server" \
	poll_until 60 grep -q "mkchan: echo server ready" /sys/kernel/multikernel/1/console
ktap_check "10000 checksummed messages each way through /dev/mkchan1" \
	mkchan echo-client /dev/mkchan1 10000
ktap_check "full ring: EAGAIN, then every message back in order" mkchan flood /dev/mkchan1
ktap_check "a second opener gets EBUSY" \
	sh -c 'exec 3<>/dev/mkchan1; ! mkchan echo-client /dev/mkchan1 1 2>/dev/null'
counters_ok() {
	[ "$(mk_col 1 15)" -gt 10000 ] && [ "$(mk_col 1 16)" -gt 10000 ] &&
		[ "$(mk_col 1 17)" = 0 ]
}
ktap_check "no channel errors, counters moved" counters_ok
cat /proc/multikernel
ktap_check "graceful stop travels over the channel" mkexec ctl "stop 1"
halted_itself() {
	dmesg | grep -q "instance 1: stopped (halted on request)" &&
		grep -q "host requested stop" $CON
}
ktap_check "the spawned kernel halted itself" halted_itself
ktap_finish
