#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Spawn a kernel on one offlined CPU through kexec_file_load(), watch it run
# while the host keeps computing, stop it, and give the CPU back to the host.
# com2-expect: Hypervisor detected: Multikernel
# com2-expect: spawn-init: alive on 1 CPU(s)
. /usr/share/multikernel/ktap.sh

ktap_header 15
in_iomem() {
	grep -q "Multikernel pool" /proc/iomem &&
		grep -q "Multikernel low memory" /proc/iomem
}
ktap_check "pool and low memory are listed in /proc/iomem" in_iomem

host_job_start
c0=$(host_job_count)
ktap_check "cpu3 goes offline" cpu_online 3 0
ktap_check "create instance 1 on cpu3 with COM2" mkexec ctl "create 1 3 256M uart=0x2f8"
mkexec mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD "console=ttyS1,115200 panic=-1"
ktap_check "kexec_file_load into instance 1 -> loaded" test "$(mk_state 1)" = loaded
ktap_check "start instance 1" mkexec ctl "start 1"
ktap_check "instance 1 reaches running" mk_wait_state 1 running 120
ktap_check "host CPU-bound job progressed while the spawn booted" host_job_advanced "$c0"
unpriv_view() {
	mkexec -U run cat /proc/multikernel > /tmp/unpriv
	grep -q "^1 .* - .* - " /tmp/unpriv && ! grep -q "0x4\|# pool" /tmp/unpriv
}
no_wx() {
	cat /sys/kernel/debug/check_wx_pages > /dev/null
	dmesg | tail -n 3 | grep -q "no W+X pages found"
}
ktap_check "unprivileged readers see no physical addresses" unpriv_view
ktap_check "no W+X mapping in the host after the start" no_wx
ktap_check "the host's /proc/multikernel shows instance 1 on cpu3" \
	sh -c "awk '\$1 == 1 { print \$3 }' /proc/multikernel | grep -qx 3"
ktap_check "onlining owned cpu3 fails with EBUSY" \
	sh -c '! echo 1 > /sys/devices/system/cpu/cpu3/online 2>/tmp/err && grep -q "busy" /tmp/err'
c1=$(host_job_count)
ktap_check "graceful stop of instance 1" mkexec ctl "stop 1"
halted_on_request() {
	mk_state_is 1 stopped &&
		dmesg | grep -q "instance 1: stopped (halted on request)"
}
ktap_check "instance 1 halted on request and is stopped" halted_on_request
ktap_check "cpu3 can be onlined by the host again" cpu_online 3 1
ktap_check "host job kept progressing through stop and online" host_job_advanced "$c1"
host_job_stop
cat /proc/multikernel
ktap_finish
