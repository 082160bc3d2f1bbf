#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A host booted without multikernel=: only the low memory is reserved, and
# instances get their memory from the running host.  Three sizes are
# allocated and given back (MemFree returns), a spawn boots in such
# memory, SIZE@ADDR takes a free range and refuses the kernel's own, and a
# request that cannot be met fails with ENOMEM, saying what there was.
# vm-pool: none
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_feature
mk_require_cpus 4
mk_require_spawn
grep -q "Multikernel pool" /proc/iomem &&
	mk_skip "a boot pool exists: this test needs a host booted without multikernel="
ktap_print_header
ktap_set_plan 14
cpu_online 3 0

mem_free_mb() {
	echo $(($(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
}

# near A B: A and B (MiB) differ by at most 24 MiB (the host's own
# allocations go on meanwhile)
near() {
	_d=$(($1 - $2))
	[ $_d -lt 0 ] && _d=$((-_d))
	[ $_d -le 24 ] || ktap_print_msg "$1 MiB is not near $2 MiB"
	[ $_d -le 24 ]
}

boot_log() {
	dmesg | grep -q "no pool reserved, instance memory comes from the running host" &&
		dmesg | grep -q "no pool: instance memory is allocated at run time" &&
		grep -q "Multikernel low memory" /proc/iomem &&
		grep -q "^# pool none: instance memory is allocated at run time" /proc/multikernel
}
ktap_check "no multikernel=: low memory only, run-time instance memory" boot_log

# one_size MB: an instance of MB MiB takes that much from MemFree, in a
# 2 MiB aligned range of System RAM, and rmdir gives it back
one_size() {
	_before=$(mem_free_mb)
	mkexec mkdir sz && mk_set sz memory "${1}M" || return 1
	_during=$(mem_free_mb)
	_start=$(mk_range_start sz shared_range)
	_end=$(mk_range_end sz ram_range)
	ktap_print_msg "${1}M: MemFree $_before -> $_during MiB, range $_start-$_end"
	_ok=1
	near $((_before - _during)) "$1" || _ok=0
	[ $((_start % 0x200000)) = 0 ] || _ok=0
	[ $((_end - _start + 1)) = $(($1 << 20)) ] || _ok=0
	mk_destroy sz || _ok=0
	near "$(mem_free_mb)" "$_before" || _ok=0
	[ $_ok = 1 ]
}
for mb in 64 256 512; do
	ktap_check "${mb}M from the running host, back at rmdir" one_size $mb
done

spawn_runs() {
	mk_create rt 3 160M && mk_load rt "panic=-1" && mk_start rt &&
		mk_wait_state rt running 120 &&
		poll_until 30 grep -q "spawn-init: alive" "$(mk_dir rt)/console"
}
BEFORE=$(mem_free_mb)
ktap_check "a spawn boots and runs in run-time memory" spawn_runs
RT_BASE=$(mk_range_start rt shared_range)
ktap_check "it stops and its CPU goes back to the host" \
	sh -c "mkexec attr rt state stop && echo 1 > /sys/devices/system/cpu/cpu3/online &&
		echo 0 > /sys/devices/system/cpu/cpu3/online"
ktap_check "rmdir gives its memory back" sh -c "mkexec rmdir rt"
ktap_check "MemFree is back" near "$(mem_free_mb)" "$BEFORE"

# SIZE@ADDR: the range just given back can be had again exactly there
at_addr() {
	mkexec mkdir at && mk_set at memory "64M@$RT_BASE" &&
		[ "$(mk_range_start at shared_range)" = "$RT_BASE" ]
}
ktap_check "64M@$RT_BASE takes that range again" at_addr

# the kernel's own code is not movable memory
KCODE=$(sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Kernel code$/\1/p' /proc/iomem)
KADDR=$(printf '%#x' $(((0x$KCODE) / 0x200000 * 0x200000)))
ktap_check "64M@$KADDR (the kernel's code) fails with ENOSPC" \
	expect_errno ENOSPC mk_set at memory "64M@$KADDR"
ktap_check "the failed write left the old range" \
	test "$(mk_range_start at shared_range)" = "$RT_BASE"

FREE="[0-9]*M free"
LARGEST="the largest free block [0-9]*K"
too_much() {
	_before=$(mem_free_mb)
	expect_errno ENOMEM mk_set at memory 4G &&
		dmesg | grep -q "cannot allocate 4096M of contiguous memory: $FREE, $LARGEST" &&
		[ "$(mk_range_start at shared_range)" = "$RT_BASE" ] &&
		near "$(mem_free_mb)" "$_before"
}
ktap_check "4G cannot be had: ENOMEM, the log says what there was" too_much
ktap_check "memory 0 gives it back, rmdir" \
	sh -c "mkexec attr at memory 0 && [ -z \"\$(cat $(mk_dir at)/shared_range)\" ] &&
		mkexec rmdir at"
ktap_check "MemFree is back at the end" near "$(mem_free_mb)" "$BEFORE"
cat /proc/multikernel
ktap_finished
