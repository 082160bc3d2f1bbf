#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test_*.sh of this directory in a fresh host VM (one boot each)
# and aggregate their KTAP output.  Each VM is time-bounded; a VM that hangs,
# panics or reports fewer results than it planned counts as a failure, and
# so does a test that skips (exit 4, "1..0 # SKIP"): the VM has every
# prerequisite a test checks for (lib.sh), so a skip there is a regression.
# (A single result with a SKIP directive, ktap_test_skip, is a check that
# does not apply to the kernel, e.g. test_stress.sh's slab bound on the
# debug kernel; it counts as passed.)
# The last line is "N passed, N failed" over all subtests.
#
# Debug pass (skipped with DEBUG_PASS=0): the tests that say "# vm-debug:
# yes" run once more, as <test>-debug, on the debug kernel (make
# kernel-debug: KASAN, lockdep, UBSAN, KFENCE, debugobjects, kmemleak) as
# host and spawns; DEBUG_PASS=all runs every test there, and so does a run
# of tests named in TESTS.  Under TCG a debug VM costs four to seven
# minutes on two cores, so make check's pass is the tests that drive the
# most kernel paths and object lifetimes: the randomized stress test (which
# also covers configfs, kills, hotplug, panics and scribbles) and the
# channel's correctness and lifetime tests.  Every test on both kernels, or
# even the configfs and panic-flood tests as well, would not fit CI's time.
# A splat on either console fails it, and lines matching an extended regex
# given as "# vm-debug-allow: ERE" in the script are not splats (for a test
# that provokes one on purpose).  After the test kmemleak scans; a test that
# ends in another kernel says why it has no scan with "# vm-debug-noscan:
# REASON" (its consoles are still checked).
# DEBUG_BUILD (set by make check) is the command that builds the debug
# kernel and its initramfs: it starts before the first test at idle
# priority (SCHED_IDLE, nice 19), so that it only takes the CPU time the
# normal tests' VMs leave, and the debug pass waits for it.
# A test's VM takes "# vm-smp: N" (CPUs), "# vm-append: ARGS" (host command
# line), "# vm-qemu: ARGS" (extra QEMU arguments; both may repeat, the
# lines are joined) and "# vm-qemu-bin: new" (the QEMU of make qemu instead
# of the distribution's; vm.sh --qemu-bin), "# vm-pool: none" (no
# multikernel= boot pool; vm.sh --pool).  A test can tell it runs on the debug kernel
# from its release ("uname -r" ends in -mkdebug).  DEBUG_PASS=only runs
# the debug pass alone.  "# vm-needs: FILE..." is for vmtest.sh, the
# standalone runner, which skips a test whose files it does not provide;
# this workbench's VM has them all.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../.." && pwd)
build=${BUILD:-$top/build}
vm=$top/scripts/multikernel/vm.sh
tests=${TESTS:-$(cd "$here" && ls test_*.sh)}
[ -n "${TESTS:-}" ] && CHECKS=${CHECKS-}

mkdir -p "$build/vm"
if [ "${ACCEL:-auto}" = auto ]; then
	ACCEL=$("$top/scripts/multikernel/probe-accel.sh" "$build/linux/arch/x86/boot/bzImage")
	export ACCEL
fi
# host-side checks of the workbench (series, docs, W=1/sparse) run last, so
# that the series' cover letter can quote this run's VM test results
checks=${CHECKS-$(ls "$top"/scripts/multikernel/checks/check_*.sh 2>/dev/null)}
debug_tests=""
if [ "${DEBUG_PASS:-1}" != 0 ]; then
	for t in $tests; do
		if [ -n "${TESTS:-}" ] || [ "${DEBUG_PASS:-1}" = all ] ||
		   grep -qx '# vm-debug: yes' "$here/$t"; then
			debug_tests="$debug_tests debug:$t"
		fi
	done
	# DEBUG_PASS=only: the debug pass alone (TESTS="test_x.sh" DEBUG_PASS=only)
	[ "${DEBUG_PASS:-1}" = only ] && tests=""
fi
set -- $tests $debug_tests $checks
: > "$build/vm/last-check.txt"
echo "KTAP version 1"
echo "1..$#"
echo "# accel=$ACCEL"
pass=0 fail=0 i=0
# console lines that are a splat: warnings, oopses, sanitizer and lockdep
# reports, RCU misuse and stalls, lockups, debugobjects, list corruption,
# kmemleak suspects and a detector that turned itself off
splat_re='WARNING:|BUG:|Oops:|KASAN:|UBSAN:|KFENCE:|ODEBUG:|Kernel panic'
splat_re="$splat_re|possible circular locking|inconsistent lock state|possible recursive locking"
splat_re="$splat_re|suspicious RCU usage|bad unlock balance"
splat_re="$splat_re|sleeping function called from invalid context"
splat_re="$splat_re|detected stalls? on CPU|self-detected stall"
splat_re="$splat_re|hung task|blocked for more than [0-9]+ seconds"
splat_re="$splat_re|soft lockup|hard LOCKUP|list_(add|del) corruption|unreferenced object 0x"
splat_re="$splat_re|new suspected memory leaks|memory leak detector disabled"
# splats LOG TAG ALLOW: every splat line of LOG as "TAG:LINE: text", the
# first two followed by their next 20 lines; false when there is none.  The
# kernel's echo of its command line is never one.
splats() {
	tr -d '\r' < "$1" | awk -v re="$splat_re" -v allow="$3" -v tag="$2" '
		$0 ~ re && $0 !~ /(^|\] )(Kernel c|C)ommand line: / &&
		(allow == "" || $0 !~ allow) {
			n++; print tag ":" NR ": " $0; ctx = n <= 2 ? 20 : 0; next
		}
		ctx > 0 { print tag ":" NR ":     " $0; ctx-- }
		END { exit n == 0 }'
}
# launch N: boot the VM of the Nth item in the background, its consoles in
# $build/vm/<name>.com1.log and .com2.log, its exit status and end time in
# <name>.rc.  VM_JOBS (default 1) VMs run at once; results are read and
# printed in order.  Host-side checks run in the foreground, after the VMs.
items=("" "$@")
declare -a started
dbuild=$build/vm/debug-build
rm -f "$dbuild.rc"
if [ -n "$debug_tests" ] && [ -n "${DEBUG_BUILD:-}" ]; then
	# the image of an earlier build must not stand in for a failed one
	rm -f "$build/initramfs/host-debug.cpio.gz"
	echo "# debug kernel: building at idle priority while the tests run ($dbuild.log)"
	( t0=$(date +%s)
	  chrt --idle 0 nice -n 19 bash -c "$DEBUG_BUILD" > "$dbuild.log" 2>&1
	  echo "$? $(( $(date +%s) - t0 ))" > "$dbuild.rc" ) &
else
	echo "0 0" > "$dbuild.rc"
fi
# debug_ready: wait for the background debug build once, report it
debug_waited=0
debug_ready() {
	local rc secs late t0=$(date +%s)
	[ $debug_waited = 1 ] && return
	debug_waited=1
	while [ ! -f "$dbuild.rc" ]; do sleep 1; done
	[ -n "${DEBUG_BUILD:-}" ] || return 0
	read -r rc secs < "$dbuild.rc"
	late=$(( $(date +%s) - t0 ))
	echo "# debug kernel: build exit $rc after ${secs}s, ${late}s of it after the normal tests"
	[ "$rc" = 0 ] || tail -n 30 "$dbuild.log" | sed 's/^/# | /'
}
launch() {
	local t=${items[$1]} dbg=0 name smp append qargs qbin pool vmopts
	case "$t" in debug:*) dbg=1 t=${t#debug:} ;; /*) return ;; esac
	name=$(basename "${t%.sh}")
	[ $dbg = 1 ] && name=$name-debug
	[ $dbg = 1 ] && debug_ready
	started[$1]=$(date +%s)
	rm -f "$build/vm/$name.rc"
	[ $dbg = 1 ] && [ ! -f "$build/initramfs/host-debug.cpio.gz" ] && return
	smp=$(sed -n 's/^# vm-smp: //p' "$here/$t")
	append=$(sed -n 's/^# vm-append: //p' "$here/$t" | paste -sd' ')
	qargs=$(sed -n 's/^# vm-qemu: //p' "$here/$t" | paste -sd' ')
	qbin=$(sed -n 's/^# vm-qemu-bin: //p' "$here/$t" | head -n 1)
	pool=$(sed -n 's/^# vm-pool: //p' "$here/$t" | head -n 1)
	vmopts=(--quiet --logs "$build/vm/$name" --qemu "$qargs" --qemu-bin "${qbin:-default}"
		--pool "${pool:-768M}")
	[ $dbg = 1 ] && vmopts+=(--debug)
	( VM_CPUS=${smp:-${VM_CPUS:-4}} "$vm" "${vmopts[@]}" --script "$here/$t" \
		--append "$append" --timeout "${VM_TIMEOUT:-600}" \
		> "$build/vm/$name.out" 2>&1
	  echo "$? $(date +%s)" > "$build/vm/$name.rc" ) &
}
jobs=${VM_JOBS:-1} next=1
start_all=$(date +%s)
for t in "$@"; do
	i=$((i + 1))
	while [ $next -le $# ] && [ $next -lt $((i + jobs)) ]; do
		launch $next
		next=$((next + 1))
	done
	dbg=0
	case "$t" in debug:*) dbg=1 t=${t#debug:} ;; esac
	name=$(basename "${t%.sh}")
	[ $dbg = 1 ] && name=$name-debug
	t0=${started[$i]:-$(date +%s)}
	case "$t" in
	/*)	# host-side check, no VM
		"$t" > "$build/vm/$name.out" 2>&1
		rc=$?
		sed 's/^/    /' "$build/vm/$name.out"
		p=$(grep -cE '^ok [0-9]+' "$build/vm/$name.out")
		f=$(grep -cE '^not ok [0-9]+' "$build/vm/$name.out")
		pass=$((pass + p))
		fail=$((fail + f))
		if [ $rc != 0 ] && [ $f = 0 ]; then fail=$((fail + 1)); fi
		if [ $rc = 0 ]; then s="ok"; else s="not ok"; fi
		echo "$s $i $name # $(( $(date +%s) - t0 ))s"
		continue ;;
	esac
	[ $dbg = 1 ] && debug_ready
	if [ $dbg = 1 ] && [ ! -f "$build/initramfs/host-debug.cpio.gz" ]; then
		echo "    # no debug kernel: make kernel-debug initramfs-debug first" \
		     "(or DEBUG_PASS=0)"
		fail=$((fail + 1))
		echo "not ok $i $name # 0s"
		continue
	fi
	while [ ! -f "$build/vm/$name.rc" ]; do wait -n 2>/dev/null || sleep 1; done
	read -r rc t1 < "$build/vm/$name.rc"
	log=$build/vm/$name.com1.log
	tr -d '\r' < "$log" |
		grep -E '^(K?TAP version|1\.\.[0-9]+|(not )?ok [0-9]+|# )' |
		sed 's/^/    /'
	planned=$(tr -d '\r' < "$log" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
	p=$(tr -d '\r' < "$log" | grep -cE '^ok [0-9]+')
	f=$(tr -d '\r' < "$log" | grep -cE '^not ok [0-9]+')
	pass=$((pass + p))
	fail=$((fail + f))
	ok=1
	# checks on the spawned kernels' console (COM2), declared in the test as
	# "# com2-expect: TEXT"
	n=$((p + f))
	while IFS= read -r want; do
		n=$((n + 1))
		# no grep -q after a pipe: with pipefail, tr's SIGPIPE on an
		# early match would count as a miss
		if tr -d '\r' < "$build/vm/$name.com2.log" |
			grep -F -- "$want" > /dev/null; then
			echo "    ok $n COM2 shows '$want'"
			pass=$((pass + 1))
		else
			echo "    not ok $n COM2 shows '$want'"
			fail=$((fail + 1))
			ok=0
		fi
	done < <(sed -n 's/^# com2-expect: //p' "$here/$t")
	if [ $dbg = 1 ]; then
		# splats on the debug kernel's consoles, host (COM1) and spawns (COM2)
		n=$((n + 1))
		allow=$(sed -n 's/^# vm-debug-allow: //p' "$here/$t" | paste -sd'|')
		# a test that ends in another kernel (kexec reboot) has no scan
		noscan=$(sed -n 's/^# vm-debug-noscan: //p' "$here/$t" | head -n 1)
		found=$( { splats "$log" com1 "$allow"
			    splats "$build/vm/$name.com2.log" com2 "$allow"; } |
			head -n 100)
		if [ -n "$found" ]; then
			echo "    not ok $n no splat on the debug kernel's consoles" \
			     "($name.com1.log, $name.com2.log)"
			echo "$found" | sed 's/^/    # /'
			fail=$((fail + 1))
			ok=0
		elif [ -n "$noscan" ]; then
			echo "    ok $n no splat on the debug kernel's consoles" \
			     "(no kmemleak scan: $noscan)"
			pass=$((pass + 1))
		elif [ "$rc" = 0 ] && ! tr -d '\r' < "$log" |
			grep -E '^# vm-debug: kmemleak (scanned|not scanned: the test locked)' \
			> /dev/null; then
			echo "    not ok $n no splat on the debug kernel's consoles" \
			     "(no kmemleak scan at the end)"
			fail=$((fail + 1))
			ok=0
		else
			echo "    ok $n no splat on the debug kernel's consoles"
			pass=$((pass + 1))
		fi
	fi
	if [ "$rc" = 4 ]; then
		# KSFT_SKIP: a prerequisite missing, which here hides a regression
		echo "    # the test skipped (exit 4): in this VM every prerequisite is there"
	fi
	if [ "$rc" != 0 ]; then
		echo "    # VM exit status $rc"
		ok=0
	fi
	if [ -z "$planned" ] || [ $((p + f)) -ne "$planned" ]; then
		echo "    # planned ${planned:-?} results, got $((p + f))"
		missing=$(( ${planned:-1} - p - f ))
		[ $missing -lt 1 ] && missing=1
		fail=$((fail + missing))
		ok=0
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		fail=$((fail + 1))
	fi
	if [ $ok = 0 ]; then
		echo "    # last lines of the host console ($log):"
		tail -n 25 "$log" | tr -d '\r' | sed 's/^/    # | /'
		echo "not ok $i $name # $((t1 - t0))s"
		res="FAIL"
	else
		echo "ok $i $name # $((t1 - t0))s"
		res="ok  "
	fi
	printf '  %s %-24s %3d passed, %d failed (%s, %ss)\n' "$res" "$name" "$p" "$f" \
		"${ACCEL}" "$((t1 - t0))" >> "$build/vm/last-check.txt"
done
echo "# total $(( $(date +%s) - start_all ))s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
