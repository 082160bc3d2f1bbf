#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What a start does with a kexec_file_load() kernel: the host unpacks it at
# load and the start enters it directly, at a random virtual offset unless
# nokaslr, the same offset for every start of one load; /proc/multikernel
# times the start; after a stop the image goes back in place in the
# background, and a load or rmdir right after a stop still works.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

# the spawn prints where its kernel text starts, from its /proc/kallsyms
SHOW_TEXT='-- echo text-at: $(grep -w _text /proc/kallsyms)'
DEFAULT_TEXT=ffffffff81000000

mk_require_host
ktap_print_header
ktap_set_plan 16
cpu_online 3 0

# text_of NAME: the _text address its spawn printed (empty until it did)
text_of() {
	mk_get "$1" console | tr -d '\r' |
		sed -n 's/^text-at: \([0-9a-f]\{16\}\) [Tt] _text$/\1/p' | tail -n 1
}

has_text() {
	[ -n "$(text_of "$1")" ]
}

# start_text NAME: start NAME, wait for its _text line; prints the address
start_text() {
	mk_start "$1" && mk_wait_state "$1" running 120 &&
		poll_until 60 has_text "$1" && text_of "$1"
}

# unpacked NAME HOW: the last load of NAME was unpacked, offset HOW
unpacked() {
	_how="(xz, [0-9]* bytes), entered at its startup_64, virtual offset $2"
	dmesg | grep "instance $(mk_id "$1"): kernel unpacked at load" |
		tail -n 1 | grep -q "$_how"
}

entry_in_ram() {
	_e=$(mk_get sp entry)
	[ -n "$_e" ] && [ $((_e)) -ge $(($(mk_range_start sp ram_range))) ] &&
		[ $((_e)) -le $(($(mk_range_end sp ram_range))) ]
}

# times_in_order NAME: its last start's handoff < booted < init, all > 0
times_in_order() {
	_n='\([0-9]*\) us'
	_t=$(sed -n "s/^# $(mk_id "$1") last start: handoff $_n, booted $_n, init $_n$/\1 \2 \3/p" \
		/proc/multikernel)
	set -- $_t
	[ $# = 3 ] && [ "$1" -gt 0 ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ] || {
		ktap_print_msg "start times: '$_t'"
		return 1
	}
}

refreshed() {
	grep -q "^# $(mk_id "$1") image back in place for the next start, in [0-9]* us$" \
		/proc/multikernel
}

stop_and_refresh() {
	mk_stop "$1" && mk_wait_state "$1" stopped 60 && poll_until 60 refreshed "$1"
}

ktap_check "create instance sp on cpu3" mk_create sp 3 256M
ktap_check "kexec_file_load of the xz kernel into sp" mk_load sp "panic=-1 $SHOW_TEXT"
ktap_check "the host unpacked it at load, virtual offset random" unpacked sp random
ktap_check "its entry lies in sp's RAM" entry_in_ram
T1=$(start_text sp)
ktap_check "sp runs the unpacked kernel and shows its _text" test -n "$T1"
ktap_check "/proc/multikernel times the start: handoff < booted < init" times_in_order sp
ktap_check "after a stop, the image is back in place in the background" stop_and_refresh sp
T2=$(start_text sp)
ktap_check "the second start of the load runs at the same address ($T1)" \
	test -n "$T1" -a "$T2" = "$T1"

# a random offset moves the kernel away from where it was linked: in three
# loads at least once (each lands on the default with odds of about 1/480)
moved() {
	_k=0
	while [ $_k -lt 3 ]; do
		[ "$_k" = 0 ] && _t=$T1 || {
			stop_and_refresh sp && mk_load sp "panic=-1 $SHOW_TEXT" &&
				_t=$(start_text sp) || return 1
		}
		[ -n "$_t" ] || return 1
		[ "$_t" != $DEFAULT_TEXT ] && return 0
		_k=$((_k + 1))
	done
	return 1
}
ktap_check "KASLR: a load runs its kernel away from $DEFAULT_TEXT" moved

ktap_check "stop sp" mk_stop sp
# a load right after the stop: the refresh in progress gives way to it.
# The kernel passes "nokaslr", which it does not know, on to init as its
# first argument: ";" ends that command before the one that counts.
ktap_check "a load right after the stop succeeds" \
	mk_load sp "panic=-1 nokaslr -- ; ${SHOW_TEXT#-- }"
ktap_check "unpacked with no virtual offset" unpacked sp none
T3=$(start_text sp)
ktap_check "nokaslr: the kernel runs where it was linked (${T3:-no _text})" \
	test "$T3" = $DEFAULT_TEXT

# rmdir right after a stop: the refresh in progress ends, the instance goes
gone() {
	[ ! -e "$(mk_dir sp)" ] && ! grep -qw sp /proc/multikernel
}
ktap_check "stop sp again" mk_stop sp
ktap_check "rmdir right after the stop removes sp" mk_destroy sp
ktap_check "sp is gone from configfs and /proc/multikernel" gone
cpu_online 3 1
ktap_finished
