#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The whole lifecycle through kexec-tools (kexec --multikernel), both
# syscall paths, its error messages, and plain/crash kexec unchanged.
# vm-needs: /sbin/kexec
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

K=/boot/bzImage
I=/boot/spawn.cpio

# expect_msg TEXT CMD...: CMD fails and its stderr contains TEXT
expect_msg() {
	_want=$1
	shift
	if _out=$("$@" 2>&1); then
		ktap_print_msg "'$*' succeeded"
		return 1
	fi
	case "$_out" in *"$_want"*) return 0 ;; esac
	ktap_print_msg "'$*': $_out"
	return 1
}

reclaim() {
	cpu_online 3 1 && cpu_online 3 0
}

mk_require_host
mk_require_file "$K" "the spawn kernel"
mk_require_file "$I" "the spawn initramfs"
mk_require_cmd kexec
ktap_print_header
ktap_set_plan 20
cpu_online 3 0
cpu_online 2 0
ktap_check "kexec_load path: create on cpu3 and load (--mk-cpus)" \
	kexec --multikernel=1 --mk-cpus=3 --mk-mem=256M -l $K --initrd=$I \
		--append="panic=-1"
ktap_check "--mk-status shows instance 1 loaded" \
	sh -c 'kexec --mk-status --multikernel=1 | grep -q "^1 .*loaded"'
ktap_check "--mk-start" kexec --multikernel=1 --mk-start
ktap_check "the instance runs (purgatory verified the image)" \
	mk_wait_state "$(mk_name_of_id 1)" running 120
ktap_check "--mk-stop stops it gracefully" kexec --multikernel=1 --mk-stop
ktap_check "the CPU goes back to the host" reclaim
ktap_check "kexec_file_load path (-s) reloads instance 1" \
	kexec -s --multikernel=1 -l $K --initrd=$I --append="panic=-1"
start_1() {
	kexec --multikernel=1 --mk-start && mk_wait_state "$(mk_name_of_id 1)" running 120
}
ktap_check "start and run again" start_1
ktap_check "--mk-kill" kexec --multikernel=1 --mk-kill
unload_1() {
	kexec --multikernel=1 -u && mk_state_is "$(mk_name_of_id 1)" empty
}
ktap_check "-u unloads the image" unload_1
ktap_check "message for an online CPU" \
	expect_msg "[EBUSY]" kexec --multikernel=2 --mk-cpus=1 -l $K --append=x
kexec --multikernel=2 --mk-cpus=2 -l $K --initrd=$I --append=x
ktap_check "message for a CPU of another instance" \
	expect_msg "another instance" kexec --multikernel=3 --mk-cpus=2 -l $K --append=x
ktap_check "message for a load beyond the reservation" \
	expect_msg "[ENOSPC]" kexec --multikernel=3 --mk-cpus=3 --mk-mem=4G -l $K --append=x
ktap_check "message without permission" \
	expect_msg "not permitted" mkexec -U run kexec --multikernel=1 --mk-start
ktap_check "--multikernel refuses -e and leaves the host running" \
	expect_msg "multikernel" kexec --multikernel=1 -e
destroyed() {
	kexec --multikernel=2 --mk-destroy && kexec --multikernel=1 --mk-destroy &&
		! mk_name_of_id 1 > /dev/null && ! mk_name_of_id 2 > /dev/null &&
		echo 1 > /sys/devices/system/cpu/cpu2/online
}
ktap_check "--mk-destroy removes the instances and frees the CPUs" destroyed
ktap_check "plain kexec -l and -u work as before" \
	sh -c "kexec -l $K --initrd=$I --append=x && kexec -u"
ktap_check "plain kexec -s -l and -u work as before" \
	sh -c "kexec -s -l $K --initrd=$I --append=x && kexec -s -u"
ktap_check "kexec -p loads and unloads a crash kernel as before" \
	sh -c "kexec -p $K --initrd=$I --append='console=ttyS0' && kexec -p -u"
# last: lockdown cannot be lifted
kexec --multikernel=3 --mk-cpus=3 -s -l $K --initrd=$I --append=x ||
	ktap_print_msg "could not create instance 3 for the lockdown check"
echo integrity > /sys/kernel/security/lockdown
ktap_check "message under lockdown" \
	expect_msg "lockdown" kexec --multikernel=3 -l $K --initrd=$I --append=x
ktap_finished
