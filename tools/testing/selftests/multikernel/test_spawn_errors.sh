#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every error path of the instance interface gives its errno at the write
# that fails and leaves the host intact; plain and crash kexec loads still
# work next to multikernel.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
ktap_print_header
ktap_set_plan 22
mkexec mkdir one
ktap_check "cpus: an online CPU: EBUSY" expect_errno EBUSY mkexec attr one cpus 3
ktap_check "cpus: a CPU that does not exist: EINVAL" expect_errno EINVAL mkexec attr one cpus 7
ktap_check "cpus: a bad CPU list: EINVAL" expect_errno EINVAL mkexec attr one cpus x
cpu_online 3 0
cpu_online 2 0
ktap_check "instance one takes cpu3 and 128M" mk_config one 3 128M
ID=$(mk_id one)
mkexec mkdir two
ktap_check "cpus: a CPU owned by another instance: EBUSY" \
	expect_errno EBUSY mkexec attr two cpus 2-3
ktap_check "mkdir of an existing name: EEXIST" expect_errno EEXIST mkexec mkdir one
ktap_check "mkdir of a number another instance has as id: EBUSY" \
	expect_errno EBUSY mkexec mkdir "$ID"
ktap_check "memory: more than the pool has: ENOSPC" expect_errno ENOSPC mkexec attr two memory 4G
mkexec rmdir two
ktap_check "start with nothing loaded: ENOEXEC" expect_errno ENOEXEC mkexec attr one state start
ktap_check "a CPU an instance owns cannot be onlined (no online attribute)" cpu_is_lent 3
ktap_check "kexec_file_load into a missing instance: ENOENT" \
	expect_errno ENOENT mkexec mk-load-file 9 $SPAWN_KERNEL $SPAWN_INITRD ""
ktap_check "kexec_load outside the instance's RAM: EADDRNOTAVAIL" \
	expect_errno EADDRNOTAVAIL mkexec raw-load "$ID" 0x1000000
ram=$(mk_range_start one ram_range)
ktap_check "kexec_load without boot_params: ENOEXEC" \
	expect_errno ENOEXEC mkexec raw-load "$ID" "$ram"
ktap_check "kexec_load whose e820 reaches host memory: EADDRNOTAVAIL" \
	expect_errno EADDRNOTAVAIL mkexec mk-load -x "$ID" $SPAWN_KERNEL $SPAWN_INITRD ""
# uid 0 without capabilities passes the VFS check of the root-owned files:
# the store functions refuse; another user is refused by the VFS
ktap_check "attribute write without CAP_SYS_BOOT: EPERM" \
	expect_errno EPERM mkexec -U attr one stop_timeout_ms 1000
ktap_check "attribute write by another user: EACCES" \
	expect_errno EACCES mkexec -U run mkexec attr one stop_timeout_ms 1000
ktap_check "mkdir without CAP_SYS_BOOT: EPERM" expect_errno EPERM mkexec -U mkdir three
ktap_check "kexec_file_load without CAP_SYS_BOOT: EPERM" \
	expect_errno EPERM mkexec -U mk-load-file "$ID" $SPAWN_KERNEL $SPAWN_INITRD ""
crash_load() {
	mkexec load-file -c $SPAWN_KERNEL $SPAWN_INITRD 'console=ttyS0' &&
		mkexec unload-file -c
}
ktap_check "a crash kernel still loads and unloads" crash_load
ktap_check "a plain kexec image still loads and unloads" \
	sh -c "mkexec load-file $SPAWN_KERNEL $SPAWN_INITRD 'console=ttyS0' && mkexec unload-file"
ktap_check "rmdir frees cpu3 for the host" \
	sh -c 'mkexec rmdir one && echo 1 > /sys/devices/system/cpu/cpu3/online'
# last: lockdown cannot be lifted
cpu_online 3 0
mk_create one 3 128M
echo integrity > /sys/kernel/security/lockdown
ktap_check "kexec_load under lockdown: EPERM" \
	expect_errno EPERM mkexec mk-load "$(mk_id one)" $SPAWN_KERNEL $SPAWN_INITRD ""
ktap_finished
