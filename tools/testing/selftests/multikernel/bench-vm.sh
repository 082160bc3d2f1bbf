#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make bench": one spawned instance on cpu3, then the
# kernel benchmark (control command "bench 1"), all in one VM run.
. /usr/share/multikernel/ktap.sh
cpu_online 3 0
mkexec ctl "create 1 3 256M" || exit 1
mkexec mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD "panic=-1" || exit 1
mkexec ctl "start 1" || exit 1
mk_wait_state 1 running 120 || exit 1
mkexec ctl "bench 1" || exit 1
dmesg | grep "bench instance 1:" | tail -n 1
mkexec ctl "stop 1"
