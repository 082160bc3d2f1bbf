#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot-information compatibility, both ways.  The host refuses at load
# time an image whose kernel_info advertises a boot ABI that cannot read
# the boot information this host writes (EPROTONOSUPPORT) or none at all
# (ENOEXEC), saying why in its log, and loads one that still reads it.  A
# spawned kernel boots when the host writes the older layout version 1
# (the fields it lacks take defaults), and refuses, saying why on its
# console, a layout whose compatible version it does not know or whose
# size is short of its version; the host stays up and starts the same
# instance normally afterwards.  The host's layouts come from the
# CONFIG_MULTIKERNEL_TEST_ABI knob in debugfs.
# com2-expect: multikernel-guest: host wrote boot information version 1, this kernel knows 3
# com2-expect: multikernel-guest: refusing to boot: boot information version 4 needs layout 4
# com2-expect: refusing to boot: boot information version 3 has 480 bytes in a 480 byte entry
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

KNOB=/sys/kernel/debug/multikernel/boot_info_layout
CMDLINE="console=ttyS1,115200 panic=-1"
# a refusing spawn stops before its console driver: early printk shows why
EARLY="earlyprintk=serial,ttyS1,115200 $CMDLINE"

mk_require_host
mk_require_file "$KNOB" "debugfs, CONFIG_MULTIKERNEL_TEST_ABI"
ktap_print_header
ktap_set_plan 31

layout() {
	echo "$1" > $KNOB
}

console_has() {
	mk_get abi console | grep -qF -- "$1"
}

# the spawn refused: its console says so and it never got past starting
refused() {
	if ! poll_until 120 console_has "refusing to boot: boot information $1"; then
		ktap_print_msg "console of the refused spawn:"
		mk_get abi console | tail -n 5 | sed 's/^/# /'
		return 1
	fi
	mk_state_is abi starting && [ "$(mk_get abi heartbeats)" = 0 ]
}

ktap_check "the host has the boot_info_layout test knob" test -w $KNOB
ktap_check "the knob refuses an unknown layout" sh -c "! echo v9 2>/dev/null > $KNOB"
ktap_check "cpu3 goes offline" cpu_online 3 0
ktap_check "create instance abi on cpu3 with COM2" mk_create abi 3 256M 0x2f8

# The host's side: the boot ABI an image advertises in its kernel_info,
# read before the host loads it.  The refused images are copies of the
# spawn bzImage with the advertised versions rewritten.
ID=$(mk_id abi)
COPY=/tmp/abi-bzImage

load_copy() {
	mkexec mk-load-file "$ID" $COPY $SPAWN_INITRD "$CMDLINE"
}

# copy_claims OLDEST NEWEST | none: a copy of the spawn image that
# advertises those versions (none: no boot ABI at all)
copy_claims() {
	_want="$1 $2"
	[ "$1" = none ] && _want=none
	cp $SPAWN_KERNEL $COPY && mkexec boot-abi $COPY "$@" &&
		[ "$(mkexec boot-abi $COPY)" = "$_want" ]
}

# copy_refused ERRNO OLDEST NEWEST | none: such a copy fails to load with ERRNO
copy_refused() {
	_errno=$1
	shift
	copy_claims "$@" && expect_errno "$_errno" load_copy
}

host_logged() {
	dmesg | grep -qF "multikernel: instance $ID: refusing image: $1"
}

ktap_check "the spawn image advertises boot information versions 1 to 3" \
	test "$(mkexec boot-abi $SPAWN_KERNEL)" = "1 3"
ktap_check "a copy that boots on version 4 only is refused with EPROTONOSUPPORT" \
	copy_refused EPROTONOSUPPORT 4 4
ktap_check "the host log names both sides' versions" host_logged \
	"it reads boot information versions 4 to 4, this host writes version 3 (readable from version 1)"
ktap_check "the refused load leaves the instance empty" mk_state_is abi empty
ktap_check "a copy that claims an empty range (1 to 0) is refused" \
	copy_refused EPROTONOSUPPORT 1 0
ktap_check "a copy that advertises no boot ABI is refused with ENOEXEC" \
	copy_refused ENOEXEC none
ktap_check "the host log says the image advertises none" host_logged \
	"its kernel_info advertises no multikernel boot ABI"
# a newer spawned kernel that still reads version 3 is served
load_newer() {
	copy_claims 1 9 && load_copy
}
ktap_check "a copy that reads versions 1 to 9 loads" load_newer
ktap_check "the instance is loaded" mk_state_is abi loaded

ktap_check "load the spawn kernel" mk_load abi "$CMDLINE"

# an older host: layout version 1 only, 472 bytes
ktap_check "the host writes layout version 1" layout v1
ktap_check "start on layout version 1" mk_start abi
ktap_check "the spawn on layout version 1 reaches running" mk_wait_state abi running 120
ktap_check "its console says it read version 1" \
	console_has "host wrote boot information version 1, this kernel knows 3"
# the channel works with version 1's default doorbell target (APIC id 0)
ktap_check "heartbeats arrive over the channel" mk_wait_heartbeat abi 2 60
ktap_check "graceful stop" mk_stop abi
ktap_check "the instance is stopped" mk_state_is abi stopped

# a newer, incompatible host: compatible version 4
ktap_check "reload with early printk" mk_load abi "$EARLY"
ktap_check "the host writes an incompatible layout" layout incompatible
ktap_check "start on the incompatible layout" mk_start abi
ktap_check "the spawn refuses it and stays in starting" refused "version 4 needs layout 4"
ktap_check "kill the refused instance" mk_kill abi

# version 3 claimed in version 2's size
ktap_check "the host writes a short layout" layout short
mk_start abi
ktap_check "the spawn refuses the short layout" refused "version 3 has 480 bytes"
mk_kill abi

# the host is unharmed: the current layout starts as usual
layout current
mk_start abi
ktap_check "the current layout reaches running again" mk_wait_state abi running 120
stop_destroy() {
	mk_stop abi && mk_destroy abi
}
ktap_check "graceful stop and destroy" stop_destroy
host_fine() {
	cpu_online 3 1 && ! dmesg | grep -qE "BUG:|Oops|WARNING:|Call Trace"
}
ktap_check "cpu3 comes back and the host logged no splat" host_fine
cat /proc/multikernel
ktap_finished
