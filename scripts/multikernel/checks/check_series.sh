#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side check (no VM): the patch series is generated, every patch is
# checkpatch --strict clean (no ERROR or WARNING; FILE_PATH_CHANGES only
# when MAINTAINERS already covers the patch's new files, UNKNOWN_COMMIT_ID
# only in a backport of an upstream commit), it applies with git am to
# pristine Linux 6.12, and the result is the tree the rest of the build uses.
# With SERIES_BUILD_EACH=1 (the default here and in make series-check;
# make check passes 0 to stay within CI's time) every patch is also built
# with W=1,
# from the last one back, starting from build/linux's objects (mkseries.py
# build-each): each patch compiles the series' own files against its own
# headers and links; SERIES_BUILD_EACH=full also recompiles every upstream
# file that includes a header a step changes (about 15 minutes more on two
# cores), and 0 builds none.  The tree of the last patch, once built, runs
# the selftests' own runner, tools/testing/selftests/multikernel/vmtest.sh -s
# $SERIES_VMTEST
# (default: two tests; "none" leaves it out), with the bzImage just built:
# the series alone carries what its VM tests need.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
mks="python3 $top/scripts/multikernel/series/mkseries.py"
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }

patches=$(grep -c '^patch:$' "$top/scripts/multikernel/series/patches.txt")
plan=$((patches + 2))
vmtest=${SERIES_VMTEST:--t test_spawn_one.sh -t test_configfs.sh}
[ "${SERIES_BUILD_EACH:-1}" != 0 ] || vmtest=none
vmout=$build/vm/series-vmtest
[ "${SERIES_BUILD_EACH:-1}" != 0 ] && plan=$((plan + 1))
[ "$vmtest" = none ] || plan=$((plan + 1))
echo "KTAP version 1"
echo "1..$plan"
# The Signed-off-by: of every patch is whoever generates the series (git
# config user.name/user.email; make series refuses to run without them).
# This check only checks the series, so without an identity, as in a CI
# container, it signs off as the local account and says so.
fallback=
if [ -z "${GIT_AUTHOR_NAME:-}" ] && ! git -C "$top" config user.name > /dev/null; then
	export GIT_AUTHOR_NAME
	GIT_AUTHOR_NAME=$(id -un) fallback=1
fi
if [ -z "${GIT_AUTHOR_EMAIL:-}" ] && ! git -C "$top" config user.email > /dev/null; then
	export GIT_AUTHOR_EMAIL
	GIT_AUTHOR_EMAIL=$(id -un)@$(hostname) fallback=1
fi
[ -z "$fallback" ] ||
	echo "# no git identity: checking the series signed off by $GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>"
if out=$($mks generate 2>&1); then ok "series generated: $out"; else nok "series generation: $out"; fi
# checkpatch asks "does MAINTAINERS need updating?" (FILE_PATH_CHANGES) of
# every patch that adds a file without touching MAINTAINERS; the answer is
# no when the MULTIKERNEL entry already covers every file the patch adds
# (a file in kernel/multikernel/), which mkseries.py covered checks.
i=0
for p in "$top"/series/0*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] && continue
	i=$((i + 1))
	# generate ran checkpatch for the cover letter and kept its output
	cpo=$build/series-checkpatch/${p##*/}.txt
	if [ -f "$cpo" ] && [ "$cpo" -nt "$p" ]; then
		r=$(grep -E 'ERROR|WARNING' "$cpo" | grep -v 'CHECK:')
	else
		r=$(perl "$build/linux/scripts/checkpatch.pl" --strict --terse --show-types "$p" 2>&1 |
			grep -E 'ERROR|WARNING' | grep -v 'CHECK:')
	fi
	size=$(grep -E '^ [0-9]+ files? changed' "$p" | sed 's/^ //')
	note=
	# a backport ("commit <sha1> upstream.") cites upstream commits that
	# the base, a source package without git history, cannot look up
	if grep -qE '^commit [0-9a-f]{40} upstream\.$' "$p" &&
	   echo "$r" | grep -q 'WARNING:UNKNOWN_COMMIT_ID:'; then
		r=$(echo "$r" | grep -v 'WARNING:UNKNOWN_COMMIT_ID:')
		note="; a backport: its upstream commit ids are not in the history-less base"
	fi
	if [ -n "$r" ] && ! echo "$r" | grep -qv 'WARNING:FILE_PATH_CHANGES:'; then
		if unc=$($mks covered $i 2>&1); then
			r= note="; its new files are covered by MAINTAINERS"
		else
			r="$r"$'\n'"not covered by the MULTIKERNEL entry: $unc"
		fi
	fi
	if [ -z "$r" ]; then
		ok "checkpatch --strict clean: ${p##*/} ($size$note)"
	else
		echo "$r" | sed 's/^/# /'
		nok "checkpatch --strict: ${p##*/}"
	fi
done
if out=$($mks verify 2>&1); then ok "$out"; else echo "$out" | sed 's/^/# /'; nok "git am onto pristine"; fi
if [ "${SERIES_BUILD_EACH:-1}" != 0 ]; then
	each=(build-each)
	[ "$vmtest" = none ] || each+=(--vmtest "$vmtest")
	rm -f "$vmout.out" "$vmout.rc"
	if out=$($mks "${each[@]}" 2>&1); then
		echo "$out" | sed 's/^/# /'
		ok "every patch of the series builds (W=1, no warnings in our files${SERIES_BUILD_EACH:+, SERIES_BUILD_EACH=$SERIES_BUILD_EACH})"
		echo "$out" | grep -q 'with warnings' && { nok "W=1 warnings in multikernel files"; }
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		nok "every patch of the series builds"
	fi
fi
if [ "$vmtest" != none ]; then
	read -r rc secs 2> /dev/null < "$vmout.rc" || rc="" secs=0
	if [ "$rc" = 0 ]; then
		grep -E '^(ok|not ok) [0-9]+|^# Totals' "$vmout.out" | sed 's/^/# /'
		ok "vmtest.sh -s $vmtest in the series' tree (${secs}s)"
	else
		[ -f "$vmout.out" ] && tail -n 40 "$vmout.out" | sed 's/^/# /'
		nok "vmtest.sh -s $vmtest in the series' tree${rc:+ (exit $rc)}"
	fi
fi
echo "# $((n - fail)) passed, $fail failed"
[ $fail = 0 ]
