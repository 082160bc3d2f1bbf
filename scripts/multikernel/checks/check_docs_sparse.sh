#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side check (no VM): our reStructuredText parses with docutils, our
# objects build with W=1 and sparse (C=2) without a single diagnostic.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
cd "$top"
rsts=$(git ls-files 'Documentation/*.rst')
objs="kernel/multikernel/core.o kernel/multikernel/chan.o kernel/multikernel/dev.o
kernel/multikernel/guest.o arch/x86/kernel/multikernel.o arch/x86/kernel/multikernel_guest.o
arch/x86/kernel/multikernel_ipi.o arch/x86/kernel/multikernel_trampoline.o"
echo "KTAP version 1"
echo "1..$(($(echo "$rsts" | wc -w) + 1))"
for f in $rsts; do
	if err=$(python3 - "$f" 2>&1 <<'PY'
import sys, docutils.core
docutils.core.publish_doctree(open(sys.argv[1]).read(),
    settings_overrides={'report_level': 2, 'halt_level': 2})
PY
	); then ok "reStructuredText parses: $f"; else echo "$err" | tail -3 | sed 's/^/# /'; nok "rst: $f"; fi
done
touch $(echo "$objs" | sed 's/\.o/.c/g; s/trampoline\.c/trampoline.S/' | sed "s|^|$build/linux/|")
out=$(make -s -C "$build/linux" W=1 C=2 $objs 2>&1)
if [ -z "$out" ]; then
	ok "W=1 and sparse report nothing for our objects"
else
	echo "$out" | head -20 | sed 's/^/# /'
	nok "W=1 / sparse diagnostics"
fi
echo "# $((n - fail)) passed, $fail failed"
[ $fail = 0 ]
