#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The configfs object model: mkdir/rmdir and ids, every attribute's values
# and errnos at the write that fails, the load syscalls naming instances by
# id, and the state word through a whole lifecycle, including "stopping"
# while a graceful stop waits for a spawn that ignores it (readers of
# /proc/multikernel and of the attributes must not wait with it).
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

A=$(mk_dir alpha)

# returns_soon CMD...: CMD, run in the background, finishes within 5 s and
# succeeds (its output goes to /tmp/soon.out)
returns_soon() {
	rm -f /tmp/soon.rc
	( "$@" > /tmp/soon.out 2>&1; echo $? > /tmp/soon.rc ) &
	if ! poll_until 5 test -s /tmp/soon.rc; then
		ktap_print_msg "'$*' did not return"
		return 1
	fi
	[ "$(cat /tmp/soon.rc)" = 0 ]
}

# expect_all ERRNO NAME ATTR VALUE...: each write of VALUE fails with ERRNO
expect_all() {
	_e=$1 _n=$2 _a=$3
	shift 3
	for _v in "$@"; do
		expect_errno "$_e" mkexec attr "$_n" "$_a" "$_v" || return 1
	done
}

# is_value NAME ATTR WANT: the attribute reads WANT (diagnostic if not)
is_value() {
	_got=$(mk_get "$1" "$2")
	[ "$_got" = "$3" ] && return 0
	ktap_print_msg "$1/$2 reads '$_got', expected '$3'"
	return 1
}

is_range() {
	mk_get "$1" "$2" | grep -qxE '0x[0-9a-f]+-0x[0-9a-f]+'
}

hex() {
	printf '0x%x' "$1"
}

ATTRS_RW="cpus memory uart stop_timeout_ms state"
ATTRS_RO="id segments loads starts heartbeats heartbeat_age_ms tx_msgs rx_msgs
	chan_errors channel_error crash_reason"
ATTRS_PRIV="ram_range low_range shared_range entry console"

attrs_exist() {
	for _a in $ATTRS_RW; do
		_m=$(stat -c %a "$A/$_a" 2>&1)
		[ "$_m" = 644 ] || { ktap_print_msg "$_a: $_m"; return 1; }
	done
	for _a in $ATTRS_RO; do
		_m=$(stat -c %a "$A/$_a" 2>&1)
		[ "$_m" = 444 ] || { ktap_print_msg "$_a: $_m"; return 1; }
	done
	for _a in $ATTRS_PRIV; do
		_m=$(stat -c %a "$A/$_a" 2>&1)
		[ "$_m" = 400 ] || { ktap_print_msg "$_a: $_m"; return 1; }
	done
}

fresh_defaults() {
	is_value alpha state empty && is_value alpha cpus "" &&
		is_value alpha memory 0 && is_value alpha uart "" &&
		is_value alpha stop_timeout_ms 5000 && is_value alpha ram_range "" &&
		is_value alpha shared_range "" && is_value alpha entry "" &&
		is_value alpha segments 0 && is_value alpha loads 0 &&
		is_value alpha starts 0 && is_value alpha heartbeats 0 &&
		is_value alpha heartbeat_age_ms "" && is_value alpha tx_msgs 0 &&
		is_value alpha rx_msgs 0 && is_value alpha chan_errors 0 &&
		is_value alpha channel_error "" && is_value alpha crash_reason ""
}

mk_require_host
ktap_print_header
ktap_set_plan 66

# ---- directories and ids ----
ktap_check "configfs is mounted with a multikernel directory" test -d "$MK_CFG"
mkdir_alpha() {
	mkexec mkdir alpha && is_value alpha id 1
}
ktap_check "mkdir alpha: an instance with the lowest free id, 1" mkdir_alpha
ktap_check "every attribute is there with its mode (0644, 0444, 0400)" attrs_exist
ktap_check "a new instance is empty, owns nothing, has the default settings" fresh_defaults
mkdir_7() {
	mkexec mkdir 7 && is_value 7 id 7
}
ktap_check "mkdir 7: a decimal name gets that id" mkdir_7
mkdir_beta() {
	mkexec mkdir beta && is_value beta id 2
}
ktap_check "mkdir beta: the lowest free id, 2" mkdir_beta
ktap_check "mkdir of a number another instance has as id: EBUSY" expect_errno EBUSY mkexec mkdir 2
ktap_check "mkdir of an existing name: EEXIST" expect_errno EEXIST mkexec mkdir alpha
mkdir_big() {
	mkexec mkdir 65536 && is_value 65536 id 3
}
ktap_check "mkdir 65536: not an id, just a name with the lowest free id" mkdir_big
ktap_check "a fifth instance: ENOSPC" expect_errno ENOSPC mkexec mkdir delta
listed() {
	for _n in alpha beta 65536; do
		grep -qw "$_n" /proc/multikernel ||
			{ ktap_print_msg "$_n not in /proc/multikernel"; return 1; }
	done
}
ktap_check "/proc/multikernel lists the instances" listed
cat /proc/multikernel
reuse_id() {
	mkexec rmdir beta && mkexec rmdir 65536 && mkexec rmdir 7 &&
		[ ! -e "$MK_CFG/beta" ] && mkexec mkdir gamma && is_value gamma id 2
}
ktap_check "rmdir frees the ids: mkdir gamma gets 2 again" reuse_id

# ---- cpus ----
ktap_check "cpus: a bad list: EINVAL" expect_all EINVAL alpha cpus x 3-1 2-
ktap_check "cpus: a CPU that is not present: EINVAL" expect_errno EINVAL mkexec attr alpha cpus 7
ktap_check "cpus: an online CPU: EBUSY" expect_errno EBUSY mkexec attr alpha cpus 3
cpu_online 1 0
cpu_online 2 0
cpu_online 3 0
take_cpu3() {
	mk_set alpha cpus 3 && is_value alpha cpus 3
}
ktap_check "cpus: alpha claims offline cpu3" take_cpu3
ktap_check "cpus: a CPU owned by another instance: EBUSY" \
	expect_errno EBUSY mkexec attr gamma cpus 2-3
take_cpu2() {
	mk_set gamma cpus 2 && is_value gamma cpus 2 && is_value alpha cpus 3
}
ktap_check "cpus: gamma claims cpu2, the failed write changed nothing" take_cpu2
ktap_check "a claimed CPU is not present and has no online attribute" cpu_is_lent 2
move_claim() {
	mk_set alpha cpus 1 && is_value alpha cpus 1 && cpu_online 3 1 &&
		cpu_online 3 0 && mk_set alpha cpus 3 && cpu_online 1 1
}
ktap_check "cpus: a new list replaces the claim (cpu3 released, cpu1 too)" move_claim
release_claim() {
	mk_set gamma cpus "" && is_value gamma cpus "" && cpu_online 2 1 &&
		cpu_online 2 0 && mk_set gamma cpus 2
}
ktap_check "cpus: an empty list releases the claim" release_claim

# ---- memory ----
pool=$(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Multikernel pool.*/0x\1 0x\2/p' /proc/iomem)
POOL_START=${pool% *}
POOL_END=${pool#* }
ktap_print_msg "pool $POOL_START-$POOL_END"
ktap_check "memory: malformed: EINVAL" expect_all EINVAL alpha memory abc 64Q 64M@ 64M@x
ktap_check "memory: below 34M: EINVAL" expect_all EINVAL alpha memory 33M 16M
ktap_check "memory: an address not 2M aligned: EINVAL" \
	expect_errno EINVAL mkexec attr alpha memory "64M@$(hex $((POOL_START + 0x100000)))"
ktap_check "memory: more than the pool holds: ENOSPC" expect_all ENOSPC alpha memory 1G 4G
mem_34() {
	mk_set alpha memory 34M && is_value alpha memory 35651584
}
ktap_check "memory: 34M is accepted, read back in bytes" mem_34
mem_128() {
	mk_set alpha memory 128M && is_value alpha memory 134217728
}
ktap_check "memory: rewritten while empty (128M)" mem_128
ranges() {
	for _a in ram_range low_range shared_range; do
		is_range alpha $_a || {
			ktap_print_msg "alpha/$_a: '$(mk_get alpha $_a)'"
			return 1
		}
	done
}
ktap_check "ram_range, low_range and shared_range read 0xSTART-0xEND" ranges
RAM_S=$(mk_range_start alpha ram_range)
RAM_E=$(mk_range_end alpha ram_range)
SH_S=$(mk_range_start alpha shared_range)
SH_E=$(mk_range_end alpha shared_range)
LOW_E=$(mk_range_end alpha low_range)
layout() {
	[ $((POOL_START <= SH_S && SH_S <= SH_E && SH_E <= POOL_END)) = 1 ] &&
		[ $((POOL_START <= RAM_S && RAM_S <= RAM_E && RAM_E <= POOL_END)) = 1 ] &&
		[ $((SH_E < RAM_S || RAM_E < SH_S)) = 1 ] &&
		[ $((RAM_E - RAM_S + 1 + SH_E - SH_S + 1 <= 134217728)) = 1 ] &&
		[ $((LOW_E < 0x100000)) = 1 ]
}
ktap_check "the RAM and the shared area lie apart in the pool, low memory below 1M" layout
taken=$(hex $(( (RAM_S + 0x1fffff) & ~0x1fffff )))
ktap_check "memory: SIZE@ADDR inside another instance: ENOSPC" \
	expect_errno ENOSPC mkexec attr gamma memory "64M@$taken"
top=$(( (POOL_END + 1 - 0x4000000) & ~0x1fffff ))
at_addr() {
	mk_set gamma memory "64M@$(hex $top)" || return 1
	for _a in ram_range shared_range; do
		_s=$(mk_range_start gamma $_a)
		_e=$(mk_range_end gamma $_a)
		[ -n "$_s" ] && [ $((top <= _s && _e < top + 0x4000000)) = 1 ] ||
			{ ktap_print_msg "gamma/$_a $(mk_get gamma $_a)" \
				"outside $(hex $top)+64M"; return 1; }
	done
}
ktap_check "memory: SIZE@ADDR in free pool space is placed there" at_addr

# ---- uart, stop_timeout_ms ----
ktap_check "uart: bad values: EINVAL" expect_all EINVAL alpha uart 0xzz 0x10000 com2 -1
uart_set() {
	mk_set alpha uart 0x2f8 && is_value alpha uart 0x2f8 &&
		mk_set alpha uart 744 && is_value alpha uart 0x2e8
}
ktap_check "uart: a port in hex or decimal, read back in hex" uart_set
uart_clear() {
	for _v in "" 0 none; do
		mk_set alpha uart 0x2f8 && mk_set alpha uart "$_v" &&
			is_value alpha uart "" || return 1
	done
}
ktap_check "uart: empty, 0 and none clear it" uart_clear
ktap_check "stop_timeout_ms: out of range or malformed: EINVAL" \
	expect_all EINVAL alpha stop_timeout_ms 600001 -1 abc 5s
timeouts() {
	mk_set alpha stop_timeout_ms 0 && is_value alpha stop_timeout_ms 0 &&
		mk_set alpha stop_timeout_ms 600000 && is_value alpha stop_timeout_ms 600000 &&
		mk_set alpha stop_timeout_ms 5000
}
ktap_check "stop_timeout_ms: 0 and 600000 are accepted" timeouts

# ---- state writes without an image ----
ktap_check "state: an unknown word: EINVAL" expect_all EINVAL alpha state bogus restart ""
ktap_check "state: start with nothing loaded: ENOEXEC" \
	expect_errno ENOEXEC mkexec attr alpha state start
ktap_check "state: stop or kill when not started: EINVAL" expect_all EINVAL alpha state stop kill

# ---- the load syscalls name the instance by id ----
PAGE_AT=$RAM_S
bad_ids_file() {
	expect_errno EINVAL mkexec mk-load-file 0 $SPAWN_KERNEL $SPAWN_INITRD "" &&
		expect_errno EINVAL mkexec mk-load-file 65536 $SPAWN_KERNEL $SPAWN_INITRD ""
}
ktap_check "kexec_file_load: id 0 and id 65536: EINVAL" bad_ids_file
bad_ids_load() {
	expect_errno EINVAL mkexec raw-load 0 "$PAGE_AT" &&
		expect_errno EINVAL mkexec raw-load 65536 "$PAGE_AT"
}
ktap_check "kexec_load: id 0 and id 65536: EINVAL" bad_ids_load
no_such_id() {
	expect_errno ENOENT mkexec mk-load-file 9 $SPAWN_KERNEL $SPAWN_INITRD "" &&
		expect_errno ENOENT mkexec raw-load 9 "$PAGE_AT" &&
		expect_errno ENOENT mkexec mk-unload-file 9
}
ktap_check "both syscalls, a nonexistent id: ENOENT" no_such_id
mkexec mkdir nomem
no_memory() {
	expect_errno EINVAL mkexec mk-load-file "$(mk_id nomem)" $SPAWN_KERNEL $SPAWN_INITRD ""
}
ktap_check "a load into an instance without memory: EINVAL" no_memory
no_cpus() {
	mk_set nomem memory 128M && mk_load nomem "panic=-1" &&
		is_value nomem state loaded &&
		expect_errno EINVAL mkexec attr nomem state start
}
ktap_check "state: start without cpus: EINVAL" no_cpus
mkexec rmdir nomem

# ---- load, unload ----
ID=$(mk_id alpha)
loaded() {
	mk_load alpha "panic=-1" && is_value alpha state loaded &&
		[ "$(mk_get alpha segments)" -gt 0 ] && is_value alpha loads 1 &&
		mk_get alpha entry | grep -qxE '0x[0-9a-f]+'
}
ktap_check "kexec_file_load: empty -> loaded, with segments and an entry" loaded
ktap_check "memory: while an image is loaded: EBUSY" expect_errno EBUSY mkexec attr alpha memory 64M
unloaded() {
	mk_unload alpha && is_value alpha state empty && is_value alpha segments 0 &&
		is_value alpha entry ""
}
ktap_check "kexec_file_load(UNLOAD): loaded -> empty" unloaded
load_unload() {
	mkexec mk-load "$ID" $SPAWN_KERNEL $SPAWN_INITRD "panic=-1" &&
		is_value alpha state loaded && mkexec mk-unload "$ID" &&
		is_value alpha state empty
}
ktap_check "kexec_load loads, kexec_load without segments unloads" load_unload

# ---- a full lifecycle ----
mk_load alpha "panic=-1"
first_state() {
	echo start > "$A/state" || return 1
	_s=$(mk_state alpha)
	ktap_print_msg "state right after start: $_s"
	case "$_s" in starting|booted|running) return 0 ;; esac
	return 1
}
ktap_check "start (echo, with a newline): loaded -> starting, booted or running" first_state
runs() {
	mk_wait_state alpha running 120 && mk_wait_heartbeat alpha 2 60 &&
		is_value alpha starts 1 &&
		mk_get alpha heartbeat_age_ms | grep -qxE '[0-9]+'
}
ktap_check "... -> running, heartbeats arrive, starts 1, heartbeat_age_ms set" runs
# cpu1 is offline and free: the write fails only because alpha runs
started_busy() {
	cpu_online 1 0 &&
		expect_errno EBUSY mkexec attr alpha cpus 1 &&
		expect_errno EBUSY mkexec attr alpha memory 64M &&
		expect_errno EBUSY mkexec attr alpha uart 0x2f8 &&
		is_value alpha cpus 3 && cpu_online 1 1
}
ktap_check "while started: cpus, memory and uart writes: EBUSY" started_busy
ktap_check "state: start while started: EBUSY" expect_errno EBUSY mkexec attr alpha state start
busy_load() {
	expect_errno EBUSY mkexec mk-load-file "$ID" $SPAWN_KERNEL $SPAWN_INITRD "" &&
		expect_errno EBUSY mkexec mk-load "$ID" $SPAWN_KERNEL $SPAWN_INITRD "" &&
		expect_errno EBUSY mkexec mk-unload-file "$ID"
}
ktap_check "both load syscalls into a started instance: EBUSY" busy_load
graceful() {
	mk_stop alpha && is_value alpha state stopped &&
		dmesg | grep -q "instance $ID: stopped (halted on request)"
}
ktap_check "graceful stop: running -> stopped, halted on request" graceful

# A spawn that ignores the stop: once told over /dev/mkchan0, it spins at
# SCHED_FIFO on its only CPU with RT throttling and the fair server off
# (mkexec spin), so its kernel never runs the work that would halt it.
SPIN="dd if=/dev/mkchan0 of=/dev/null bs=8192 count=1; mkexec spin"
spinning() {
	mk_load alpha "panic=-1 -- $SPIN" && mk_set alpha stop_timeout_ms 20000 &&
		mk_start alpha && mk_wait_state alpha running 120 &&
		echo go > "/dev/mkchan$ID" &&
		poll_until 60 grep -q "mkexec: spinning at SCHED_FIFO" "$A/console"
}
ktap_check "restart from stopped; the spawn spins and will ignore a stop" spinning
rm -f /tmp/stop.rc
( mkexec attr alpha state stop; echo $? > /tmp/stop.rc ) > /tmp/stop.out 2>&1 &
ktap_check "a graceful stop that waits shows the state stopping" \
	mk_wait_state alpha stopping 30
readers_free() {
	returns_soon cat /proc/multikernel && grep -qw alpha /tmp/soon.out &&
		returns_soon mkexec -U run cat /proc/multikernel &&
		returns_soon cat "$A/state" && grep -qx stopping /tmp/soon.out &&
		returns_soon cat "$A/heartbeats" "$A/cpus" "$A/memory" "$A/ram_range" &&
		test -z "$(cat /tmp/stop.rc 2>/dev/null)"
}
ktap_check "while the stop waits, /proc/multikernel and attributes read at once" readers_free
ktap_check "state: kill while a stop waits is accepted" mk_kill alpha
forced() {
	poll_until 60 test -s /tmp/stop.rc && is_value alpha state stopped &&
		dmesg | grep -q "instance $ID: stopped (forced)"
}
ktap_check "the waiting stop ends: stopped (forced)" forced
ktap_print_msg "the waiting stop write returned" \
	"$(cat /tmp/stop.rc 2>/dev/null): $(cat /tmp/stop.out)"

halts() {
	mk_set alpha stop_timeout_ms 5000 && mk_load alpha "panic=-1 -- poweroff -f" &&
		mk_start alpha && mk_wait_state alpha halted 120
}
ktap_check "a spawn that powers itself off is shown halted" halts
halted_stop() {
	mk_stop alpha && is_value alpha state stopped &&
		dmesg | grep -q "instance $ID: stopped (had halted by itself)" &&
		is_value alpha starts 3
}
ktap_check "stop of a halted instance: had halted by itself, 3 starts" halted_stop

# ---- rmdir of a running instance ----
run_again() {
	mk_load alpha "panic=-1" && mk_start alpha && mk_wait_state alpha running 120
}
ktap_check "loaded and started once more" run_again
gone() {
	mkexec rmdir alpha && [ ! -e "$A" ] && ! mk_name_of_id "$ID" > /dev/null &&
		poll_until 10 test ! -e "/dev/mkchan$ID"
}
ktap_check "rmdir of a running instance succeeds, its device goes" gone
ktap_check "its CPU can be onlined by the host" cpu_online 3 1
reuse_memory() {
	mkexec mkdir delta && mk_set delta memory 600M
}
ktap_check "its memory is back in the pool (600M fit again)" reuse_memory
all_gone() {
	mkexec rmdir delta && mkexec rmdir gamma && cpu_online 2 1 &&
		[ -z "$(ls "$MK_CFG")" ] && ! grep -qw alpha /proc/multikernel
}
ktap_check "rmdir of the rest: no instances left, none listed" all_gone
cat /proc/multikernel
ktap_finished
