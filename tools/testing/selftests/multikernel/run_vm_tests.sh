#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test_*.sh of this directory in a fresh host VM (one boot each)
# and aggregate their KTAP output.  Each VM is time-bounded; a VM that hangs,
# panics or reports fewer results than it planned counts as a failure.
# The last line is "N passed, N failed" over all subtests.
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
set -- $tests $checks
: > "$build/vm/last-check.txt"
echo "KTAP version 1"
echo "1..$#"
echo "# accel=$ACCEL"
pass=0 fail=0 i=0
start_all=$(date +%s)
for t in "$@"; do
	i=$((i + 1))
	name=$(basename "${t%.sh}")
	t0=$(date +%s)
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
	smp=$(sed -n 's/^# vm-smp: //p' "$here/$t")
	append=$(sed -n 's/^# vm-append: //p' "$here/$t")
	VM_CPUS=${smp:-${VM_CPUS:-4}} "$vm" --quiet --script "$here/$t" \
		--append "$append" --timeout "${VM_TIMEOUT:-600}" \
		> "$build/vm/$name.out" 2>&1
	rc=$?
	cp "$build/vm/com1.log" "$build/vm/$name.com1.log"
	cp "$build/vm/com2.log" "$build/vm/$name.com2.log"
	log=$build/vm/$name.com1.log
	tr -d '\r' < "$log" |
		grep -E '^(KTAP version|1\.\.[0-9]+|(not )?ok [0-9]+|# )' |
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
		if tr -d '\r' < "$build/vm/$name.com2.log" | grep -qF -- "$want"; then
			echo "    ok $n COM2 shows '$want'"
			pass=$((pass + 1))
		else
			echo "    not ok $n COM2 shows '$want'"
			fail=$((fail + 1))
			ok=0
		fi
	done < <(sed -n 's/^# com2-expect: //p' "$here/$t")
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
		echo "not ok $i $name # $(( $(date +%s) - t0 ))s"
		res="FAIL"
	else
		echo "ok $i $name # $(( $(date +%s) - t0 ))s"
		res="ok  "
	fi
	printf '  %s %-24s %3d passed, %d failed (%s, %ss)\n' "$res" "$name" "$p" "$f" \
		"${ACCEL}" "$(( $(date +%s) - t0 ))" >> "$build/vm/last-check.txt"
done
echo "# total $(( $(date +%s) - start_all ))s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
