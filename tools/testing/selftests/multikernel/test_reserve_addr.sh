#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The size@addr form of the boot reservation (it overrides the harness'
# multikernel=768M): the pool lands exactly there and instances use it.
# nokaslr keeps the randomly placed host kernel out of the requested range.
# vm-append: multikernel=256M@0x60000000 nokaslr
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
mk_require_cmdline multikernel=256M@0x60000000
ktap_print_header
ktap_set_plan 4
ktap_check "the pool is reserved at 0x60000000" \
	grep -q "^  60000000-6fffffff : Multikernel pool" /proc/iomem
cpu_online 3 0
ktap_check "an instance is carved from it" mk_create a 3 128M
ram_at() {
	_s=$(mk_range_start a ram_range)
	[ -n "$_s" ] && [ $((_s)) = $((0x60200000)) ]
}
ktap_check "its RAM starts 2 MiB into the pool" ram_at
mkexec mkdir b
ktap_check "more than the pool holds: ENOSPC" \
	expect_errno ENOSPC mkexec attr b memory 200M
ktap_finished
