#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Randomized stress: mkstress runs thousands of seeded random operations
# over four instances (mkdir/rmdir, cpus/memory/uart writes, loads, start,
# stop, kill, host CPU hotplug, channel traffic with concurrent readers and
# writers, spawns that panic or scribble, children racing the main loop),
# every errno checked against the documented set.  Afterwards: every
# instance is gone, every CPU online, the whole pool free, the slab did not
# grow beyond a bound, the host log has no splat, and a fresh spawn works.
#
# The seed is printed ("# stress seed N"); mkstress.seed=N on the host's
# command line replays it (scripts/multikernel/vm-run FILE --append
# "mkstress.seed=N"), as does "mkstress --seed N" by hand.  mkstress.ops=N
# sets the count: 2000 by default, 300 on the debug kernel (KASAN and
# lockdep make every step ~10x slower); the count is printed.
# vm-debug: yes
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

# Slab growth allowed over the run, in KiB, after dropping the caches:
# what the run leaves legitimately is cache and per-CPU state that does not
# grow with the count (~150 KiB measured); a leak of 1 KiB per operation
# (an instance, a queued message) is 2 MiB over 2000.  Smaller leaks are
# for kmemleak, which the debug pass runs after this test.  On the debug
# kernel KASAN's quarantine holds freed objects (MiBs): there kmemleak's
# scan is the leak check.
SLAB_BOUND_KB=2048

cmdline_val() {
	tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1
}

meminfo_kb() {
	sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo
}

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches 2>/dev/null
}

seed=$(cmdline_val mkstress.seed)
[ -n "$seed" ] || seed=$(date +%s)
ops=$(cmdline_val mkstress.ops)
debug=""
if [ -e /sys/kernel/debug/kmemleak ]; then
	debug=--debug
	[ -n "$ops" ] || ops=300
fi
[ -n "$ops" ] || ops=2000

# the host log lines that are a splat (as the debug pass matches them)
splat_re='WARNING:|BUG:|Oops:|KASAN:|UBSAN:|KFENCE:|ODEBUG:|Kernel panic'
splat_re="$splat_re|possible circular locking|inconsistent lock state"
splat_re="$splat_re|possible recursive locking|suspicious RCU usage|bad unlock balance"
splat_re="$splat_re|sleeping function called from invalid context"
splat_re="$splat_re|detected stalls? on CPU|self-detected stall|hung task|blocked for more than"
splat_re="$splat_re|soft lockup|hard LOCKUP|list_(add|del) corruption"

mk_require_host
mk_require_cmd mkstress
ktap_print_header
ktap_set_plan 7
ktap_print_msg "stress: seed $seed, $ops operations${debug:+ (debug kernel)}"
drop_caches
slab0=$(meminfo_kb Slab)
unrecl0=$(meminfo_kb SUnreclaim)

t0=$(date +%s)
mkstress --seed "$seed" --ops "$ops" $debug
rc=$?
ktap_print_msg "stress: mkstress exited $rc after $(($(date +%s) - t0)) s"
if [ $rc = 0 ]; then
	_what="every errno documented, every echo intact, no splat"
	ktap_test_pass "$ops seeded random operations (seed $seed): $_what"
else
	ktap_test_fail "$ops seeded random operations (seed $seed): see the FAIL lines"
	ktap_print_msg "the steps before each failure (/tmp/mkstress.log):"
	grep -B 30 FAIL /tmp/mkstress.log | head -n 400 | sed 's/^/# | /'
fi

no_instances() {
	[ -z "$(ls "$MK_CFG")" ] && ! ls /dev/mkchan* > /dev/null 2>&1
}
ktap_check "every instance is destroyed and its device gone" no_instances

all_online() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || { ktap_print_msg "$f reads $(cat "$f")"; return 1; }
	done
}
ktap_check "every host CPU is online" all_online

# the pool as /proc/iomem shows it: "start-end : Multikernel pool"
pool_size_mb() {
	r=$(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Multikernel pool$/\1 \2/p' /proc/iomem)
	set -- $r
	echo $(( (0x$2 - 0x$1 + 1) >> 20 ))
}
whole_pool() {
	size=$(pool_size_mb)
	mkexec mkdir whole && mk_set whole memory "${size}M" &&
		[ "$(mk_get whole memory)" = $((size << 20)) ] && mkexec rmdir whole
}
ktap_check "the pool is fully free: one instance takes all $(pool_size_mb)M of it" whole_pool

drop_caches
slab1=$(meminfo_kb Slab)
unrecl1=$(meminfo_kb SUnreclaim)
ktap_print_msg "stress: Slab ${slab0} -> ${slab1} kB ($((slab1 - slab0)) kB)," \
	"SUnreclaim ${unrecl0} -> ${unrecl1} kB ($((unrecl1 - unrecl0)) kB)"
if [ -n "$debug" ]; then
	# KASAN's quarantine keeps freed objects in the slab: kmemleak judges
	ktap_test_skip "the slab growth is left to kmemleak on the debug kernel (KASAN quarantine)"
else
	ktap_check "the slab grew by less than $SLAB_BOUND_KB KiB over the run" \
		test $((slab1 - slab0)) -lt $SLAB_BOUND_KB
fi

no_splat() {
	if dmesg | grep -E "$splat_re" > /tmp/splats.txt; then
		sed 's/^/# | /' /tmp/splats.txt | head -n 40
		return 1
	fi
}
ktap_check "no splat in the host log" no_splat

# the host still does its job: a fresh spawn runs and echoes
fresh_spawn() {
	cpu_online 3 0 && mk_create fresh 3 "$([ -n "$debug" ] && echo 160M || echo 96M)" &&
		mk_load fresh "panic=-1 -- mkchan echo-server /dev/mkchan0" &&
		mk_start fresh && mk_wait_state fresh running 120 &&
		poll_until 60 grep -q "mkchan: echo server ready" "$(mk_dir fresh)/console" &&
		mkchan echo-client "/dev/mkchan$(mk_id fresh)" 100 &&
		mk_stop fresh && mk_destroy fresh && cpu_online 3 1
}
ktap_check "afterwards a fresh spawn runs and echoes 100 messages" fresh_spawn
ktap_finished
