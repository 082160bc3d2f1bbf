#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the host VM and walk through the feature, one progress
# line per stage.  The in-VM part is tools/testing/selftests/multikernel/demo-vm.sh.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
echo "demo: [1/3] kernel, test programs and initramfs are built ($build)"
echo "demo: [2/3] booting the host VM (console follows)"
"$top/scripts/multikernel/vm.sh" --script "$top/tools/testing/selftests/multikernel/demo-vm.sh" --timeout 600
rc=$?
echo "demo: [3/3] host VM finished with status $rc; the spawned kernel wrote to COM2: $build/vm/com2.log"
if [ -s "$build/vm/com2.log" ]; then
	echo "demo: ---- COM2 ----"
	tr -d '\r' < "$build/vm/com2.log" | tail -n 40
fi
exit $rc
