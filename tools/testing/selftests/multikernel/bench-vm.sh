#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make bench": one spawned instance on cpu3, then the
# kernel benchmark (debugfs multikernel/bench, CONFIG_MULTIKERNEL_BENCH),
# all in one VM run.
. /usr/share/multikernel/ktap.sh
BENCH=/sys/kernel/debug/multikernel/bench
cpu_online 3 0
mk_create 1 3 256M || exit 1
mk_load 1 "panic=-1" || exit 1
mk_start 1 || exit 1
mk_wait_state 1 running 120 || exit 1
[ -e $BENCH ] || { echo "bench-vm: $BENCH missing (CONFIG_MULTIKERNEL_BENCH)"; exit 1; }
echo "$(mk_id 1)" > $BENCH || exit 1
dmesg | grep "bench instance $(mk_id 1):" | tail -n 1
mk_stop 1
