#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Baseline: every non-boot CPU can be taken offline and brought back online.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

cpus=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | sed 's|.*/cpu||' | sort -n)
n=0
for c in $cpus; do [ "$c" != 0 ] && n=$((n + 1)); done
mk_require_feature
mk_require_cpus 2
ktap_print_header
ktap_set_plan $((2 * n + 1))

for c in $cpus; do
	[ "$c" = 0 ] && continue
	f=/sys/devices/system/cpu/cpu$c/online
	echo 0 > $f
	ktap_check "cpu$c offline" test "$(cat $f)" = 0
done
online=$(grep -c ^processor /proc/cpuinfo)
ktap_check "only the boot CPU is online" test "$online" = 1
for c in $cpus; do
	[ "$c" = 0 ] && continue
	f=/sys/devices/system/cpu/cpu$c/online
	echo 1 > $f
	ktap_check "cpu$c online again" test "$(cat $f)" = 1
done
ktap_finished
