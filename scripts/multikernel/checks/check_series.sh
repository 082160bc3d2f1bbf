#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side check (no VM): the patch series is generated, every patch is
# checkpatch --strict clean (no ERROR or WARNING), it applies with git am to
# pristine Linux 6.12, and the result is the tree the rest of the build uses.
# With SERIES_BUILD_EACH=1 (the default) every patch is also built with W=1,
# from the last one back, starting from build/linux's objects (mkseries.py
# build-each).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
mks="python3 $top/scripts/multikernel/series/mkseries.py"
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }

patches=$(grep -c '^patch:$' "$top/scripts/multikernel/series/patches.txt")
plan=$((patches + 2))
[ "${SERIES_BUILD_EACH:-1}" = 1 ] && plan=$((plan + 1))
echo "KTAP version 1"
echo "1..$plan"
if out=$($mks generate 2>&1); then ok "series generated: $out"; else nok "series generation: $out"; fi
for p in "$top"/series/0*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] && continue
	r=$(perl "$build/linux/scripts/checkpatch.pl" --strict --terse --show-types "$p" 2>&1 |
		grep -E 'ERROR|WARNING' | grep -v 'CHECK:')
	size=$(grep -E '^ [0-9]+ files? changed' "$p" | sed 's/^ //')
	if [ -z "$r" ]; then
		ok "checkpatch --strict clean: ${p##*/} ($size)"
	else
		echo "$r" | sed 's/^/# /'
		nok "checkpatch --strict: ${p##*/}"
	fi
done
if out=$($mks verify 2>&1); then ok "$out"; else echo "$out" | sed 's/^/# /'; nok "git am onto pristine"; fi
if [ "${SERIES_BUILD_EACH:-1}" = 1 ]; then
	if out=$($mks build-each 2>&1); then
		echo "$out" | sed 's/^/# /'
		ok "every patch of the series builds (W=1, no warnings in our files)"
		echo "$out" | grep -q 'with warnings' && { nok "W=1 warnings in multikernel files"; }
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		nok "every patch of the series builds"
	fi
fi
echo "# $((n - fail)) passed, $fail failed"
[ $fail = 0 ]
