#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Lifetimes of /dev/mkchanN: two processes reading one open file while
# thousands of messages arrive, and an instance destroyed while its device
# is open with a reader and a writer blocked in it.  The open file keeps
# working as far as close() with ENODEV on every call; a new instance with
# the same id gets a fresh device.
# vm-debug: yes
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

N=4000

mk_require_host
ktap_print_header
ktap_set_plan 15
cpu_online 3 0
mk_create life 3 160M
ID=$(mk_id life)
DEV=/dev/mkchan$ID
mk_load life "panic=-1 -- mkchan echo-server /dev/mkchan0"
mk_start life
ready() {
	mk_wait_state life running 120 &&
		poll_until 60 grep -q "mkchan: echo server ready" "$(mk_dir life)/console"
}
ktap_check "an echo server runs in instance life" ready
ktap_check "two readers of one open $DEV: $N echoes, each received exactly once" \
	mkchan two-readers "$DEV" $N
healthy() {
	mk_state_is life running && [ "$(mk_get life chan_errors)" = 0 ] &&
		[ -z "$(mk_get life channel_error)" ] && mkchan echo-client "$DEV" 10
}
ktap_check "the channel is healthy afterwards and still echoes" healthy
ktap_check "graceful stop" mk_stop life

# the spawn reads nothing now: the host's writes fill the ring
mk_load life "panic=-1"
restarted() {
	mk_start life && mk_wait_state life running 120
}
ktap_check "restarted without a reader in the spawn" restarted
rm -f /tmp/hold.rc
( mkchan hold "$DEV"; echo $? > /tmp/hold.rc ) > /tmp/hold.out 2>&1 &
ktap_check "a reader and a writer block on the open $DEV" \
	poll_until 60 grep -q "reader and writer blocked" /tmp/hold.out
ktap_check "rmdir of the instance while its device is open succeeds" mkexec rmdir life
ktap_check "the blocked read returns ENODEV" \
	poll_until 20 grep -q "blocked reader: read: ENODEV" /tmp/hold.out
ktap_check "the blocked write returns ENODEV" \
	poll_until 20 grep -q "blocked writer: write: ENODEV" /tmp/hold.out
later_enodev() {
	poll_until 20 grep -q "mkchan: close:" /tmp/hold.out &&
		grep -q "later: read: ENODEV" /tmp/hold.out &&
		grep -q "later: write: ENODEV" /tmp/hold.out &&
		grep -q "later: non-blocking read: ENODEV" /tmp/hold.out
}
ktap_check "later calls on the open file fail with ENODEV" later_enodev
closed() {
	grep -q "mkchan: close: ok" /tmp/hold.out && poll_until 10 test -s /tmp/hold.rc &&
		[ "$(cat /tmp/hold.rc)" = 0 ]
}
ktap_check "close works and the holder exits cleanly" closed
sed 's/^/# /' /tmp/hold.out
ktap_check "the device is gone once closed" poll_until 10 test ! -e "$DEV"
ktap_check "the instance's CPU is back with the host" cpu_online 3 1

cpu_online 3 0
again() {
	mk_create life 3 160M && [ "$(mk_id life)" = "$ID" ] &&
		mk_load life "panic=-1 -- mkchan echo-server /dev/mkchan0" &&
		mk_start life && ready
}
ktap_check "a new instance gets the same id" again
ktap_check "its fresh $DEV works: 100 checksummed round trips" mkchan echo-client "$DEV" 100
mk_destroy life
cat /proc/multikernel
ktap_finished
