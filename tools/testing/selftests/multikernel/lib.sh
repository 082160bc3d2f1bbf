#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the multikernel selftests (sourced, busybox sh).  Results,
# plans, skips and totals come from the kselftest library,
# ../kselftest/ktap_helpers.sh, sourced here first; this file adds what is
# specific to multikernel: the prerequisite checks that skip a test
# (KSFT_SKIP) where it cannot run, bounded polls, errno checks and the
# instance helpers.
#
# A test (see the first lines of any test_*.sh) sources it from its own
# directory, MK_DIR, or, where it does not run from there (the QEMU
# harness runs it as /vm/run.sh), from /usr/share/kselftest/multikernel:
# the harness' initramfs holds the installed tree under /usr/share/kselftest
# (scripts/multikernel/mkinitramfs.sh).

. "$MK_DIR/../kselftest/ktap_helpers.sh"

# the test programs (TEST_GEN_PROGS) are installed next to the scripts
PATH=$MK_DIR:$PATH

# ktap_check NAME CMD...: ok if CMD succeeds.  (ktap_test_result expands
# CMD unquoted, which would split and drop arguments such as "" in
# "test "$x" = 3".)
ktap_check() {
	_name=$1
	shift
	if "$@"; then ktap_test_pass "$_name"; else ktap_test_fail "$_name"; fi
}

# --- prerequisites: each skips the whole test when it is not met ---

# mk_skip REASON: the whole test is skipped (exit KSFT_SKIP, 4)
mk_skip() {
	ktap_print_header
	ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

MK_CFG=/sys/kernel/config/multikernel
SPAWN_KERNEL=${SPAWN_KERNEL:-/boot/bzImage}
SPAWN_INITRD=${SPAWN_INITRD:-/boot/spawn.cpio}

# mk_require_feature: root, a kernel with multikernel (CONFIG_MULTIKERNEL,
# configfs mounted) and the test programs; every test starts with it
mk_require_feature() {
	[ "$(id -u)" = 0 ] || mk_skip "must be run as root"
	[ -d "$MK_CFG" ] ||
		mk_skip "no $MK_CFG (a kernel without CONFIG_MULTIKERNEL, or configfs not mounted)"
	mk_require_cmd mkexec
}

# mk_require_pool: the boot reservation is there (multikernel=SIZE[@ADDR])
mk_require_pool() {
	grep -q "Multikernel pool" /proc/iomem ||
		mk_skip "no multikernel pool (multikernel=SIZE on the kernel command line)"
}

# mk_require_cpus N: cpu0 to cpuN-1 exist
mk_require_cpus() {
	[ -d "/sys/devices/system/cpu/cpu$(($1 - 1))" ] ||
		mk_skip "needs $1 CPUs, this machine has $(grep -c ^processor /proc/cpuinfo) online"
}

# mk_require_spawn: the images spawned instances boot, SPAWN_KERNEL and
# SPAWN_INITRD
mk_require_spawn() {
	for _f in "$SPAWN_KERNEL" "$SPAWN_INITRD"; do
		[ -f "$_f" ] || mk_skip "no spawn image $_f (set SPAWN_KERNEL and SPAWN_INITRD)"
	done
}

# mk_require_host: what a test that spawns instances needs: the feature,
# the pool, cpu0 to cpu3 and the spawn images
mk_require_host() {
	mk_require_feature
	mk_require_pool
	mk_require_cpus 4
	mk_require_spawn
}

# mk_require_cmd CMD...: every CMD is in PATH
mk_require_cmd() {
	for _c in "$@"; do
		command -v "$_c" > /dev/null || mk_skip "no $_c in PATH"
	done
}

# mk_require_file FILE WHAT: FILE exists (WHAT says what provides it)
mk_require_file() {
	[ -e "$1" ] || mk_skip "no $1 ($2)"
}

# mk_require_cmdline WORD: WORD is on the kernel command line (the test's
# "# vm-append:" line gives it in the QEMU harness)
mk_require_cmdline() {
	tr ' ' '\n' < /proc/cmdline | grep -qxF -- "$1" ||
		mk_skip "needs $1 on the kernel command line"
}

# mk_require_vm WHAT: the test does WHAT, which only a disposable machine
# may see (reboots, a crash, a lockdown until reboot, a poke at a QEMU
# device's I/O ports); it runs where MULTIKERNEL_TEST_VM=1 says the
# machine is one (host-init.sh sets it in the harness' VM)
mk_require_vm() {
	[ "${MULTIKERNEL_TEST_VM:-0}" = 1 ] ||
		mk_skip "$*: set MULTIKERNEL_TEST_VM=1 on a disposable test machine to run it"
}

# mk_stage_tree ROOT: the scripts of this directory and ktap_helpers.sh
# under ROOT/usr/share/kselftest as they are installed, for a test that
# goes on in another kernel's initramfs (after a kexec, in a kdump kernel)
mk_stage_tree() {
	_st=$1/usr/share/kselftest
	mkdir -p "$_st/multikernel" "$_st/kselftest"
	cp "$MK_DIR"/*.sh "$_st/multikernel/" &&
		cp "$MK_DIR/../kselftest/ktap_helpers.sh" "$_st/kselftest/"
}

# poll_until TIMEOUT_SEC CMD...: run CMD every 100 ms until it succeeds or
# TIMEOUT_SEC elapse; returns CMD's last status.
poll_until() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		usleep 100000 2> /dev/null || sleep 0.1
	done
}

# expect_errno ERRNO CMD...: CMD (a test program) must fail and report ERRNO
# (for example EBUSY) on stderr.
expect_errno() {
	_want=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ]; then
		ktap_print_msg "'$*' succeeded, expected $_want"
		return 1
	fi
	case "$_out" in
	*"$_want"*) return 0 ;;
	esac
	ktap_print_msg "'$*' failed with '$_out', expected $_want"
	return 1
}

# --- multikernel helpers ---
# Instances are configfs directories; tests name them, the load syscalls
# take their id.  Every status value comes from a one-value file.

# mk_dir NAME: the configfs directory of instance NAME
mk_dir() {
	echo "$MK_CFG/$1"
}

# mk_get NAME ATTR: the value of one attribute (empty if it cannot be read)
mk_get() {
	cat "$MK_CFG/$1/$2" 2>/dev/null
}

# mk_id NAME: the id the load syscalls, /dev/mkchanN and the log use
mk_id() {
	mk_get "$1" id
}

# mk_name_of_id ID: the name of the instance whose id is ID
mk_name_of_id() {
	for _d in "$MK_CFG"/*; do
		[ "$(cat "$_d/id" 2>/dev/null)" = "$1" ] && { echo "${_d##*/}"; return 0; }
	done
	return 1
}

# mk_set NAME ATTR VALUE: write one attribute; on failure the errno name is
# printed ("mkexec: NAME/ATTR: EBUSY (...)")
mk_set() {
	mkexec attr "$1" "$2" "$3"
}

# mk_config NAME CPUS MEM [UART]: give an instance its resources; fails on
# the first write that fails
mk_config() {
	mk_set "$1" cpus "$2" && mk_set "$1" memory "$3" &&
		{ [ -z "$4" ] || mk_set "$1" uart "$4"; }
}

# mk_create NAME CPUS MEM [UART]: mkdir, then the writes of mk_config
mk_create() {
	mkexec mkdir "$1" && mk_config "$@"
}

# mk_destroy NAME: rmdir (a started instance is killed first)
mk_destroy() {
	mkexec rmdir "$1"
}

# mk_load NAME CMDLINE: kexec_file_load of the spawn kernel and initramfs
mk_load() {
	mkexec mk-load-file "$(mk_id "$1")" "$SPAWN_KERNEL" "$SPAWN_INITRD" "$2"
}

# mk_unload NAME: kexec_file_load(KEXEC_FILE_UNLOAD)
mk_unload() {
	mkexec mk-unload-file "$(mk_id "$1")"
}

mk_start() {
	mk_set "$1" state start
}

mk_stop() {
	mk_set "$1" state stop
}

mk_kill() {
	mk_set "$1" state kill
}

# mk_state NAME: the state word of instance NAME
mk_state() {
	mk_get "$1" state
}

mk_state_is() {
	[ "$(mk_state "$1")" = "$2" ]
}

# mk_wait_state NAME STATE TIMEOUT_SEC
mk_wait_state() {
	poll_until "$3" mk_state_is "$1" "$2"
}

# mk_range_start NAME ATTR, mk_range_end NAME ATTR: the ends of a
# "0xSTART-0xEND" range attribute (ram_range, low_range, shared_range)
mk_range_start() {
	_r=$(mk_get "$1" "$2")
	echo "${_r%-*}"
}

mk_range_end() {
	_r=$(mk_get "$1" "$2")
	echo "${_r#*-}"
}

cpu_online() {
	echo "$2" > "/sys/devices/system/cpu/cpu$1/online"
}

# cpu_in_list CPU LIST: CPU is in a cpulist such as "0-2,5"
cpu_in_list() {
	_ifs=$IFS
	IFS=,
	set -- "$1" $2
	IFS=$_ifs
	_c=$1
	shift
	for _r in "$@"; do
		case "$_r" in
		*-*) [ "$_c" -ge "${_r%-*}" ] && [ "$_c" -le "${_r#*-}" ] && return 0 ;;
		*) [ "$_c" = "$_r" ] && return 0 ;;
		esac
	done
	return 1
}

# cpu_is_lent N: the host shows cpuN as lent to an instance: its device is
# there, but it is not present, still offline, and has no online attribute
# (so writing 1 to it fails)
cpu_is_lent() {
	_d=/sys/devices/system/cpu
	[ -d "$_d/cpu$1" ] && [ ! -e "$_d/cpu$1/online" ] &&
		! cpu_in_list "$1" "$(cat $_d/present)" &&
		cpu_in_list "$1" "$(cat $_d/offline)" &&
		! (echo 1 > "$_d/cpu$1/online") 2> /dev/null
}

# A CPU-bound job on the host: increments a counter file as fast as it can.
host_job_start() {
	(
		i=0
		while :; do
			i=$((i + 1))
			[ $((i % 200)) = 0 ] && echo $i > /tmp/host_job.cnt
		done
	) &
	HOST_JOB=$!
	poll_until 10 test -s /tmp/host_job.cnt
}

host_job_count() {
	cat /tmp/host_job.cnt 2>/dev/null || echo 0
}

# host_job_advanced PREV: true once the counter moved past PREV (bounded)
host_job_advanced() {
	poll_until 20 sh -c "[ \$(cat /tmp/host_job.cnt) -gt $1 ]"
}

host_job_stop() {
	kill "$HOST_JOB" 2>/dev/null
	wait "$HOST_JOB" 2>/dev/null
}

# mk_wait_heartbeat NAME N TIMEOUT_SEC: the host has received N heartbeats
# (one per 500 ms) from the spawned kernel since it started
mk_wait_heartbeat() {
	poll_until "$3" mk_heartbeats_ge "$1" "$2"
}

mk_heartbeats_ge() {
	_hb=$(mk_get "$1" heartbeats)
	[ -n "$_hb" ] && [ "$_hb" -ge "$2" ]
}
