#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Spawn a kernel on one offlined CPU through kexec_file_load(), watch it run
# while the host keeps computing, stop it, and give the CPU back to the host.
# com2-expect: Hypervisor detected: Multikernel
# com2-expect: spawn-init: alive on 1 CPU(s)
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
mk_require_file /sys/kernel/debug/check_wx_pages "debugfs, CONFIG_DEBUG_WX"
ktap_print_header
ktap_set_plan 17
in_iomem() {
	grep -q "Multikernel pool" /proc/iomem &&
		grep -q "Multikernel low memory" /proc/iomem
}
ktap_check "pool and low memory are listed in /proc/iomem" in_iomem

host_job_start
c0=$(host_job_count)
ktap_check "cpu3 goes offline" cpu_online 3 0
ktap_check "create instance one on cpu3 with COM2" mk_create one 3 256M 0x2f8
ID=$(mk_id one)
mk_load one "console=ttyS1,115200 panic=-1"
ktap_check "kexec_file_load into instance one -> loaded" mk_state_is one loaded
ktap_check "start instance one" mk_start one
ktap_check "instance one reaches running" mk_wait_state one running 120
ktap_check "host CPU-bound job progressed while the spawn booted" host_job_advanced "$c0"
# the summary names the instance; no address (the UART's port is no address)
unpriv_view() {
	mkexec -U run cat /proc/multikernel > /tmp/unpriv &&
		grep -qw one /tmp/unpriv && ! grep -qE "0x[0-9a-f]{5,}|# pool" /tmp/unpriv
}
unpriv_no_ranges() {
	for a in ram_range low_range shared_range entry; do
		if mkexec -U run cat "$(mk_dir one)/$a" > /dev/null 2>&1; then
			ktap_print_msg "an unprivileged reader could read $a"
			return 1
		fi
	done
}
no_wx() {
	cat /sys/kernel/debug/check_wx_pages > /dev/null
	dmesg | tail -n 3 | grep -q "no W+X pages found"
}
ktap_check "unprivileged readers see no physical addresses in /proc/multikernel" unpriv_view
ktap_check "unprivileged readers cannot read the address attributes" unpriv_no_ranges
ktap_check "no W+X mapping in the host after the start" no_wx
ktap_check "instance one's cpus attribute shows cpu3" test "$(mk_get one cpus)" = 3
ktap_check "instance one's uart attribute shows COM2" test "$(mk_get one uart)" = 0x2f8
ktap_check "owned cpu3 is not present and cannot be onlined" cpu_is_lent 3
c1=$(host_job_count)
ktap_check "graceful stop of instance one" mk_stop one
halted_on_request() {
	mk_state_is one stopped &&
		dmesg | grep -q "instance $ID: stopped (halted on request)"
}
ktap_check "instance one halted on request and is stopped" halted_on_request
ktap_check "cpu3 can be onlined by the host again" cpu_online 3 1
ktap_check "host job kept progressing through stop and online" host_job_advanced "$c1"
host_job_stop
cat /proc/multikernel
ktap_finished
