#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make demo".
step() { echo "demo: == $* =="; }
step "host is up: $(grep -c ^processor /proc/cpuinfo) CPUs online"
step "taking cpu3 offline"
echo 0 > /sys/devices/system/cpu/cpu3/online || exit 1
step "cpu3 online=$(cat /sys/devices/system/cpu/cpu3/online); online CPUs: $(cat /sys/devices/system/cpu/online)"
step "bringing cpu3 back"
echo 1 > /sys/devices/system/cpu/cpu3/online || exit 1
step "done: online CPUs: $(cat /sys/devices/system/cpu/online)"
