#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Signature enforcement is the same for multikernel images as for plain
# and crash kexec: once the host is locked down (integrity), kexec_file_load()
# refuses an unsigned bzImage and accepts one signed with a key the kernel
# trusts (the build's test key, /boot/bzImage.signed), and kexec_load() is
# refused outright, on every path.  The signed image then boots in an
# instance.
# com2-expect: spawn-init: alive on 1 CPU(s)
# vm-needs: /boot/bzImage.signed
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

K=/boot/bzImage
KS=/boot/bzImage.signed
I=/boot/spawn.cpio
SPAWN_ARGS="console=ttyS1,115200 panic=-1"

mk_require_host
mk_require_file "$K" "the spawn kernel"
mk_require_file "$I" "the spawn initramfs"
mk_require_cmd kexec
mk_require_file "$KS" "the build's signed copy of the spawn kernel"
mk_require_file /sys/kernel/security/lockdown "securityfs, CONFIG_SECURITY_LOCKDOWN_LSM"
mk_require_vm "locks the kernel down until the next boot"
ktap_print_header
ktap_set_plan 20
plain_load_unload() {
	mkexec load-file "$1" $I "console=ttyS0" && mkexec unload-file
}
crash_load_unload() {
	mkexec load-file -c "$1" $I "console=ttyS0" && mkexec unload-file -c
}
ktap_check "before lockdown an unsigned image loads (signatures not enforced)" \
	plain_load_unload $K
echo integrity > /sys/kernel/security/lockdown
ktap_check "the host is locked down (integrity)" \
	grep -q '\[integrity\]' /sys/kernel/security/lockdown

# plain and crash kexec
ktap_check "plain kexec_file_load of the unsigned image: EPERM" \
	expect_errno EPERM mkexec load-file $K $I "console=ttyS0"
ktap_check "plain kexec_file_load of the signed image loads" \
	mkexec load-file $KS $I "console=ttyS0"
ktap_check "and unloads" mkexec unload-file
ktap_check "crash kexec_file_load of the unsigned image: EPERM" \
	expect_errno EPERM mkexec load-file -c $K $I "console=ttyS0"
ktap_check "crash kexec_file_load of the signed image loads and unloads" \
	crash_load_unload $KS
ktap_check "plain kexec_load is refused" \
	expect_errno "Operation not permitted" kexec -l $K --initrd=$I --append=x

# a multikernel instance
cpu_online 3 0
ktap_check "create instance sig on cpu3 with COM2" mk_create sig 3 256M 0x2f8
ID=$(mk_id sig)
ktap_check "multikernel kexec_file_load of the unsigned image: EPERM" \
	expect_errno EPERM mkexec mk-load-file "$ID" $K $I "$SPAWN_ARGS"
ktap_check "the refused load leaves instance sig empty" mk_state_is sig empty
ktap_check "multikernel kexec_file_load of the signed image loads" \
	mkexec mk-load-file "$ID" $KS $I "$SPAWN_ARGS"
ktap_check "instance sig is loaded" mk_state_is sig loaded
ktap_check "multikernel kexec_load is refused: EPERM" \
	expect_errno EPERM mkexec mk-load "$ID" $K $I "$SPAWN_ARGS"
ktap_check "the refused kexec_load leaves the signed image loaded" \
	mk_state_is sig loaded
ktap_check "start instance sig" mk_start sig
ktap_check "the signed image runs in instance sig" mk_wait_state sig running 120
sig_init_runs() {
	mk_get sig console | grep -qF "spawn-init: alive"
}
ktap_check "the signed image's init runs (its console says so)" \
	poll_until 120 sig_init_runs
stop_sig() {
	mk_stop sig && mk_state_is sig stopped
}
destroy_sig() {
	mk_destroy sig && cpu_online 3 1
}
ktap_check "graceful stop of instance sig" stop_sig
ktap_check "destroy instance sig and give cpu3 back" destroy_sig
ktap_finished
