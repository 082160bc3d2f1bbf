#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every error path of the instance interface gives its errno and leaves the
# host intact; plain and crash kexec loads still work next to multikernel.
. /usr/share/multikernel/ktap.sh

ktap_header 19
ktap_check "create on an online CPU: EBUSY" expect_errno EBUSY mkexec ctl "create 1 3 128M"
ktap_check "create on a CPU that does not exist: EINVAL" \
	expect_errno EINVAL mkexec ctl "create 1 7 128M"
ktap_check "create with a bad CPU list: EINVAL" expect_errno EINVAL mkexec ctl "create 1 x 128M"
cpu_online 3 0
cpu_online 2 0
ktap_check "create instance 1 on cpu3" mkexec ctl "create 1 3 128M"
ktap_check "a CPU owned by another instance: EBUSY" \
	expect_errno EBUSY mkexec ctl "create 2 2-3 128M"
ktap_check "an existing id: EEXIST" expect_errno EEXIST mkexec ctl "create 1 2 128M"
ktap_check "more memory than the pool has: ENOSPC" expect_errno ENOSPC mkexec ctl "create 3 2 4G"
ktap_check "start with nothing loaded: ENOEXEC" expect_errno ENOEXEC mkexec ctl "start 1"
ktap_check "onlining a CPU an instance owns: EBUSY" \
	sh -c '! echo 1 > /sys/devices/system/cpu/cpu3/online 2>/tmp/err && grep -q busy /tmp/err'
ktap_check "kexec_file_load into a missing instance: ENOENT" \
	expect_errno ENOENT mkexec mk-load-file 9 $SPAWN_KERNEL $SPAWN_INITRD ""
ktap_check "kexec_load outside every instance: EADDRNOTAVAIL" \
	expect_errno EADDRNOTAVAIL mkexec raw-load 0x1000000
ram=$(awk '$1 == 1 { print $4 }' /proc/multikernel)
ktap_check "kexec_load without boot_params: ENOEXEC" expect_errno ENOEXEC mkexec raw-load "$ram"
ktap_check "kexec_load whose e820 reaches host memory: EADDRNOTAVAIL" \
	expect_errno EADDRNOTAVAIL mkexec mk-load -x 1 $SPAWN_KERNEL $SPAWN_INITRD ""
ktap_check "control without CAP_SYS_BOOT: EPERM" expect_errno EPERM mkexec -U ctl "destroy 1"
ktap_check "kexec_file_load without CAP_SYS_BOOT: EPERM" \
	expect_errno EPERM mkexec -U mk-load-file 1 $SPAWN_KERNEL $SPAWN_INITRD ""
crash_load() {
	mkexec load-file -c $SPAWN_KERNEL $SPAWN_INITRD 'console=ttyS0' &&
		mkexec unload-file -c
}
ktap_check "a crash kernel still loads and unloads" crash_load
ktap_check "a plain kexec image still loads and unloads" \
	sh -c "mkexec load-file $SPAWN_KERNEL $SPAWN_INITRD 'console=ttyS0' && mkexec unload-file"
ktap_check "destroy frees cpu3 for the host" \
	sh -c 'mkexec ctl "destroy 1" && echo 1 > /sys/devices/system/cpu/cpu3/online'
# last: lockdown cannot be lifted
cpu_online 3 0
mkexec ctl "create 1 3 128M"
echo integrity > /sys/kernel/security/lockdown
ktap_check "kexec_load under lockdown: EPERM" \
	expect_errno EPERM mkexec mk-load 1 $SPAWN_KERNEL $SPAWN_INITRD ""
ktap_finish
