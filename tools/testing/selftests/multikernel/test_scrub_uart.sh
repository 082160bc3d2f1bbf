#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What an instance leaves behind.  Its RAM is cleared before a new image can
# see it (at load) and when its memory goes back to the pool (rmdir): a
# marker the spawn computes and writes into a file of its own is found in
# the pool (debugfs multikernel/pool_find) while the instance is stopped, and
# gone after a reload; a string of the new image is found until rmdir.  Its
# UART is requested on the host while lent: the host's 8250 driver cannot
# take the ports, nor can another instance, until the instance gives it up.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
mk_require_file /sys/kernel/debug/multikernel/pool_find "debugfs, CONFIG_MULTIKERNEL_TEST_ABI"
ktap_print_header
ktap_set_plan 18
FIND=/sys/kernel/debug/multikernel/pool_find
COM2_IO="02f8-02ff"

# pool_count STRING: how often STRING is in the pool
pool_count() {
	printf %s "$1" > $FIND && cat $FIND
}

pool_has() {
	[ "$(pool_count "$1")" -ge 1 ]
}

pool_lacks() {
	_n=$(pool_count "$1")
	[ "$_n" = 0 ] || { ktap_print_msg "'$1' found $_n times"; return 1; }
}

# the PNP device of COM2, unbound from the 8250 driver by host-init
COM2_DEV=
for d in /sys/bus/pnp/devices/*; do
	grep -q 'io 0x2f8-0x2ff' "$d/resources" 2>/dev/null && COM2_DEV=${d##*/}
done
PNP_SERIAL=/sys/bus/pnp/drivers/serial

# com2_bind_result: bind COM2 to the 8250 driver and unbind it again; prints
# "serial" when the driver got the ports, else what /proc/ioports showed
com2_bind_result() {
	echo "$COM2_DEV" > $PNP_SERIAL/bind 2>/dev/null
	_r=$(grep "$COM2_IO" /proc/ioports | sed 's/^ *//')
	[ -e "/sys/bus/pnp/devices/$COM2_DEV/driver" ] &&
		echo "$COM2_DEV" > $PNP_SERIAL/unbind
	case "$_r" in *": serial"*) echo serial ;; *) echo "$_r" ;; esac
}

ktap_check "cpu3 goes offline" cpu_online 3 0
ktap_check "create instance scrub on cpu3, 256M, COM2" mk_create scrub 3 256M 0x2f8
lent_in_ioports() {
	grep -q "$COM2_IO : multikernel instance" /proc/ioports
}
ktap_check "/proc/ioports: COM2's ports are held by the instance" lent_in_ioports
held_from_8250() {
	_r=$(com2_bind_result)
	[ -n "$COM2_DEV" ] && [ "$_r" != serial ] && lent_in_ioports ||
		{ ktap_print_msg "COM2 device '$COM2_DEV', after bind: '$_r'"; return 1; }
}
ktap_check "the host's 8250 driver cannot take the lent COM2 ports" held_from_8250
other_busy() {
	mkexec mkdir other && expect_errno EBUSY mk_set other uart 0x2f8
	_rc=$?
	mk_destroy other
	return $_rc
}
ktap_check "another instance cannot be given COM2: EBUSY" other_busy
give_back() {
	mk_set scrub uart none && ! grep -q "$COM2_IO" /proc/ioports &&
		mk_set scrub uart 0x2f8 && lent_in_ioports
}
ktap_check "uart none gives the ports back, 0x2f8 takes them again" give_back

# The marker exists only in the spawn: the command line holds the factors.
A=$(( $(date +%s) % 90000 + 10007 ))
B=$(( $$ % 9000 + 100003 ))
MARK="MKSCRUB-$((A * B))-MARK"
mk_load scrub "panic=-1 -- echo MKSCRUB-\$(($A*$B))-MARK > /marker"
ktap_check "marker not in the pool before the spawn runs" pool_lacks "$MARK"
ktap_check "start instance scrub" mk_start scrub
ktap_check "instance scrub reaches running" mk_wait_state scrub running 120
ktap_check "the spawn's marker shows up in the pool (positive control)" \
	poll_until 60 pool_has "$MARK"
ktap_check "graceful stop of instance scrub" mk_stop scrub
ktap_check "the marker is still in the pool after stop" pool_has "$MARK"

TAG="mkscrubtag=$A$B"
reload_clears() {
	mk_load scrub "panic=-1 $TAG" && mk_state_is scrub loaded &&
		pool_lacks "$MARK"
}
ktap_check "a new load clears the RAM: marker gone" reload_clears
ktap_check "the new image's command line is in the pool (positive control)" pool_has "$TAG"
ktap_check "rmdir of instance scrub" mk_destroy scrub
ktap_check "rmdir cleared its memory: the image's command line is gone" pool_lacks "$TAG"
released() {
	! grep -q "$COM2_IO" /proc/ioports
}
ktap_check "rmdir gave the COM2 ports back" released
ktap_check "the host's 8250 driver can take COM2 again (positive control)" \
	test "$(com2_bind_result)" = serial

# cost of clearing 256M when memory goes back to the pool (no assert)
up_cs() {
	awk '{ print int($1 * 100) }' /proc/uptime
}
if mkexec mkdir cost && mk_set cost memory 256M; then
	t0=$(up_cs)
	mk_set cost memory 0
	ktap_print_msg "clearing 256M at free took $(( ($(up_cs) - t0) * 10 )) ms"
	mk_destroy cost
fi
cpu_online 3 1
ktap_finished
