#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The inter-kernel channel: console relay, 10,000 checksummed messages each
# way between a host process and a process in the spawned kernel, a full
# ring with back-pressure and no loss, graceful stop over the channel.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
ktap_print_header
ktap_set_plan 9
cpu_online 3 0
mk_create chan 3 256M
ID=$(mk_id chan)
DEV=/dev/mkchan$ID
mk_load chan "panic=-1 -- mkchan echo-server /dev/mkchan0"
mk_start chan
running_and_beating() {
	mk_wait_state chan running 120 && mk_wait_heartbeat chan 2 60
}
CON=$(mk_dir chan)/console
ktap_check "instance chan reports booted, init started and heartbeats over the channel" \
	running_and_beating
ktap_check "console relay holds the spawned kernel's boot log" \
	sh -c "grep -q 'Hypervisor detected: Multikernel' $CON && grep -q 'Run /init as init' $CON"
ktap_check "console relay shows the user-space echo server" \
	poll_until 60 grep -q "mkchan: echo server ready" "$CON"
ktap_check "10000 checksummed messages each way through $DEV" \
	mkchan echo-client "$DEV" 10000
ktap_check "full ring: EAGAIN, then every message back in order" mkchan flood "$DEV"
ktap_check "a second opener gets EBUSY" \
	sh -c "exec 3<>$DEV; ! mkchan echo-client $DEV 1 2>/dev/null"
counters_ok() {
	[ "$(mk_get chan tx_msgs)" -gt 10000 ] && [ "$(mk_get chan rx_msgs)" -gt 10000 ] &&
		[ "$(mk_get chan chan_errors)" = 0 ] && [ -z "$(mk_get chan channel_error)" ]
}
ktap_check "no channel errors, counters moved" counters_ok
cat /proc/multikernel
ktap_check "graceful stop travels over the channel" mk_stop chan
halted_itself() {
	dmesg | grep -q "instance $ID: stopped (halted on request)" &&
		grep -q "host requested stop" "$CON"
}
ktap_check "the spawned kernel halted itself" halted_itself
ktap_finished
