#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Channel correctness through /dev/mkchanN: poll() reports writability from
# ring space, EPOLLHUP while the instance is not started and EPOLLERR once
# its channel broke, waking pollers that wait; the device's queue is
# emptied at stop and start; a writer held off its CPU across a stop and a
# start cannot put its message into the fresh ring; receive allocations
# that fail (fault injection, fail_mkchan_deliver) are retried instead of
# stalling the data class.
# vm-debug: yes
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

ECHO="panic=-1 -- mkchan echo-server /dev/mkchan0"
FAIL=/sys/kernel/debug/fail_mkchan_deliver
NFAIL=20
HOG_CPU=2
GO=/tmp/stale.go

# poll_is EVENTS MS WORDS: one poll() for EVENTS returns exactly WORDS
poll_is() {
	_got=$(mkchan poll "$DEV" "$1" "$2")
	[ "$_got" = "mkchan: poll: $3" ] && return 0
	ktap_print_msg "$_got, expected $3"
	return 1
}

ready() {
	mk_wait_state cc running 120 &&
		poll_until 60 grep -q "mkchan: echo server ready" "$(mk_dir cc)/console"
}

start_ready() {
	mk_start cc && ready
}

has_input() {
	[ "$(mkchan poll "$DEV" in 0)" = "mkchan: poll: IN" ]
}

# a poller with no events requested returns on EPOLLHUP or EPOLLERR only;
# it has the device open until it returns
poller_start() {
	rm -f "$1"
	mkchan poll "$DEV" none 300000 > "$1" 2>&1 &
	POLLER=$!
}

# poller_woken FILE TIMEOUT_SEC WORDS: the poller returned WORDS and closed the device
poller_woken() {
	poll_until "$2" grep -q "mkchan: poll: $3" "$1" && wait "$POLLER"
}

mk_require_host
mk_require_file "$FAIL" "debugfs, CONFIG_FAULT_INJECTION_DEBUG_FS"
ktap_print_header
ktap_set_plan 21
cpu_online 3 0
mk_create cc 3 160M
ID=$(mk_id cc)
DEV=/dev/mkchan$ID
mk_load cc "$ECHO"
ktap_check "poll: a loaded, not started instance reports HUP" poll_is inout 0 HUP
ktap_check "an echo server runs in instance cc" start_ready
ktap_check "poll: an idle running channel is writable and has nothing to read" \
	poll_is inout 0 OUT
ktap_check "POLLOUT only while a largest write fits, and back once a reader drains" \
	mkchan poll-out "$DEV"

# echoes wait unread in the host's queue when the instance stops
mkchan send "$DEV" 8
ktap_check "unread echoes are queued" poll_until 60 has_input
poller_start /tmp/hup.out
stop_wakes() {
	[ ! -s /tmp/hup.out ] && mk_stop cc && poller_woken /tmp/hup.out 20 HUP
}
ktap_check "a waiting poller is woken by stop with EPOLLHUP" stop_wakes
ktap_check "stop emptied the queue: HUP and nothing to read" poll_is inout 0 HUP
ktap_check "a write after stop fails with ENOTCONN" \
	expect_errno "not connected" mkchan send "$DEV" 1

# a writer blocked on a full ring and kept off its CPU across stop + start
mk_load cc "panic=-1"
start_running() {
	mk_start cc && mk_wait_state cc running 120
}
ktap_check "restarted without a reader in the spawn" start_running
rm -f "$GO" /tmp/stale.rc
( mkchan stale-writer "$DEV" $HOG_CPU "$GO"; echo $? > /tmp/stale.rc ) \
	> /tmp/stale.out 2>&1 &
ktap_check "a SCHED_FIFO writer blocks on the full ring, a spinner holds cpu$HOG_CPU" \
	poll_until 120 grep -q "writer blocked, cpu$HOG_CPU held" /tmp/stale.out
restart_held() {
	mk_stop cc && mk_load cc "$ECHO" && mk_start cc
}
ktap_check "stop and start again while the writer cannot run" restart_held
touch "$GO"
stale_refused() {
	poll_until 60 test -s /tmp/stale.rc && [ "$(cat /tmp/stale.rc)" = 0 ] &&
		grep -q "stale writer: write: ENOTCONN" /tmp/stale.out
}
ktap_check "the held writer's message is refused with ENOTCONN" stale_refused
sed 's/^/# /' /tmp/stale.out
ktap_check "the new run starts with an empty queue" poll_is in 0 timeout
new_run_clean() {
	ready && mkchan echo-client "$DEV" 100
}
ktap_check "the new run gets only its own messages: 100 checksummed round trips" \
	new_run_clean

# receive allocations fail: retried, not a stall with a reader waiting
inject() {
	echo 0 > $FAIL/verbose && echo 1 > $FAIL/interval &&
		echo $NFAIL > $FAIL/times && echo 100 > $FAIL/probability
}
ktap_check "fail_mkchan_deliver: the next $NFAIL receive allocations fail" inject
ktap_check "50 round trips complete, a reader waiting on an empty queue" \
	mkchan echo-client "$DEV" 50
ktap_check "all $NFAIL failures were injected" test "$(cat $FAIL/times)" = 0
echo 0 > $FAIL/probability

# a peer that scribbles over the ring: EPOLLERR
mk_stop cc
mk_load cc "panic=-1 multikernel.hostile=1"
mk_start cc
poller_start /tmp/err.out
ktap_check "a waiting poller is woken with EPOLLERR when the channel breaks" \
	poller_woken /tmp/err.out 240 ERR
ktap_print_msg "channel_error: $(mk_get cc channel_error)"
ktap_check "poll: a broken channel reports ERR, not OUT" poll_is inout 0 ERR
mk_kill cc
ktap_check "poll: killed with a broken channel: HUP and ERR" poll_is inout 0 "HUP ERR"
mk_destroy cc
ktap_check "the instance's CPU is back with the host" cpu_online 3 1
ktap_finished
