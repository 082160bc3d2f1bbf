#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kdump kernel the host panics into
# vm-debug-allow: Kernel panic - not syncing: sysrq triggered crash
# vm-append: crashkernel=192M
# The host panics into a kdump kernel (kexec -p) while an instance runs:
# the instance keeps running and the kdump kernel leaves it alone.  The host
# part loads the crash kernel (the host's bzImage, spawn.cpio plus this
# script) and starts a spawn whose user space ticks into its console, then
# crashes through sysrq.  The crash kernel's /init runs this script again
# ("crash" and the addresses as arguments): one CPU online, none of the instance's
# memory or the host's multikernel low memory in its RAM, and, read twice
# through /proc/vmcore, the spawn's heartbeat and console still advance.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

MK_CONSOLE_MAGIC=1296778062	# 0x4d4b434e, "MKCN"
MK_GUEST_RUNNING=3

# iomem_range NAME: "0xSTART 0xEND" of the first /proc/iomem line NAME
iomem_range() {
	sed -n "s/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : $1\$/0x\1 0x\2/p" /proc/iomem |
		head -n 1
}

# meets S E START END: S-E and START-END overlap
meets() {
	[ $(($1)) -le $(($4)) ] && [ $(($2)) -ge $(($3)) ]
}

# advances FIELD SHARED: the shared-area word FIELD changes within 20 s
advances() {
	_a=$(mkexec vmcore-shared "$2" "$1") || return 1
	ktap_print_msg "$1 $_a"
	poll_until 20 sh -c "[ \"\$(mkexec vmcore-shared $2 $1)\" != $_a ]" ||
		return 1
	ktap_print_msg "$1 now $(mkexec vmcore-shared "$2" "$1")"
}

# ---- part 2, in the kdump kernel: crash SHARED POOL_S POOL_E LOW_S LOW_E CRASH_S CRASH_E
if [ "$1" = crash ]; then
	shared=$2
	# the host part reported the first four results
	KTAP_TESTNO=5
	echo "# kdump kernel $(uname -r) reached init"
	if [ -r /proc/vmcore ] &&
	   [ "$(mkexec vmcore-shared "$shared" console_magic)" = $MK_CONSOLE_MAGIC ]; then
		ktap_test_pass "kdump kernel reads the instance's shared area in /proc/vmcore"
	else
		ktap_test_fail "kdump kernel reads the instance's shared area in /proc/vmcore"
	fi
	online=$(cat /sys/devices/system/cpu/online)
	ktap_print_msg "CPUs online in the kdump kernel: $online"
	ktap_check "kdump kernel runs on one CPU" test "$online" = 0
	# positive control: the crash reservation is the kdump kernel's RAM
	if mkexec ram-disjoint "$3" "$4" && mkexec ram-disjoint "$5" "$6" &&
	   ! mkexec ram-disjoint "$7" "$8" 2>/dev/null; then
		ktap_test_pass "kdump kernel's RAM: none of the pool or the low memory"
	else
		grep "System RAM" /proc/iomem | sed 's/^/# /'
		ktap_test_fail "kdump kernel's RAM: none of the pool or the low memory"
	fi
	st=$(mkexec vmcore-shared "$shared" guest_state)
	ktap_check "instance still running (guest_state $st)" \
		test "$st" = $MK_GUEST_RUNNING
	ktap_check "instance heartbeat advances under the kdump kernel" \
		advances heartbeat "$shared"
	ktap_check "instance user space still writes its console" \
		advances console_head "$shared"
	rc=0
	[ "$KTAP_CNT_FAIL" = 0 ] || rc=1
	ktap_print_totals
	echo "VM-EXIT-STATUS: $rc"
	poweroff -f
	exit $rc
fi

# ---- part 1, on the host
mk_require_feature
mk_require_vm "crashes the machine into a kdump kernel"
mk_require_pool
mk_require_cpus 4
mk_require_spawn
mk_require_cmd kexec
grep -q "Crash kernel" /proc/iomem ||
	mk_skip "no crash kernel reservation (crashkernel=192M on the command line)"
ktap_print_header
ktap_set_plan 10
crash=$(iomem_range "Crash kernel")
pool=$(iomem_range "Multikernel pool")
low=$(iomem_range "Multikernel low memory")
ktap_print_msg "crash kernel: $crash, pool: $pool, low memory: $low"
grep -E "^ *000[0-9a-f]{5}-" /proc/iomem | sed 's/^/# iomem: /'
# crash_initrd ARGS: the crash kernel's initramfs, spawn.cpio with this
# script and an /init that runs it with ARGS (kexec -p appends its own
# parameters to the command line, so they cannot come after "--" there)
crash_initrd() {
	mk_stage_tree /tmp/crash-root
	cat > /tmp/crash-root/init <<EOS
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
export PATH=/usr/bin:/bin:/sbin
sh /usr/share/kselftest/multikernel/test_host_crash.sh crash $*
while :; do sleep 3600; done
EOS
	chmod 755 /tmp/crash-root/init
	(cd /tmp/crash-root && find init usr | cpio -o -H newc 2>/dev/null) |
		gzip > /tmp/crash-add.gz
	cat /boot/spawn.cpio /tmp/crash-add.gz > /tmp/crash.cpio.gz
}

cpu_online 3 0 && mkexec mkdir c1 && mk_config c1 3 256M &&
	mk_load c1 "panic=-1 -- while :; do echo tick > /dev/kmsg; sleep 1; done" &&
	mk_start c1 && mk_wait_state c1 running 120 && mk_wait_heartbeat c1 2 30
rc=$?
shared=$(mk_range_start c1 shared_range)
ktap_check "instance running on cpu3 (shared area at $shared)" test $rc = 0
crash_initrd "$shared" $pool $low $crash

# kexec_file_load's crash memory map, printed with KEXEC_FILE_DEBUG: the
# crash reservation is RAM, the pool and the low memory are not
file_memmap() {
	[ -n "$crash" ] && [ -n "$pool" ] && [ -n "$low" ] || return 1
	dmesg -c > /dev/null
	mkexec load-file -c -d /boot/bzImage /tmp/crash.cpio.gz \
		"console=ttyS0,115200 nr_cpus=1" || return 1
	dmesg | sed -n 's/.*kexec-bzImage64: \([0-9a-f]*\)-\([0-9a-f]*\) (1)$/0x\1 0x\2/p' \
		> /tmp/crash-ram
	mkexec unload-file -c || return 1
	_own=0
	while read -r _s _e; do
		ktap_print_msg "kexec_file_load crash RAM $_s-$_e"
		meets "$_s" "$_e" $pool && return 1
		meets "$_s" "$_e" $low && return 1
		meets "$_s" "$_e" $crash && _own=1
	done < /tmp/crash-ram
	[ $_own = 1 ]
}
ktap_check "kexec_file_load crash memory map: none of the pool or the low memory" \
	file_memmap

if [ -n "$crash" ] && [ -n "$pool" ] && [ -n "$low" ] && [ -n "$shared" ] &&
   kexec -p /boot/bzImage --initrd=/tmp/crash.cpio.gz \
	--append="console=ttyS0,115200 nr_cpus=1 panic=-1" &&
   [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]; then
	ktap_test_pass "kexec -p loads the kdump kernel"
else
	ktap_test_fail "kexec -p loads the kdump kernel"
	ktap_finished
fi
ktap_check "instance still running after the crash load" mk_state_is c1 running
echo "# crashing the host (sysrq c)"
# the results so far must reach the console before the panic cuts it off
mkexec drain
echo c > /proc/sysrq-trigger
ktap_test_fail "the host survived sysrq c"
ktap_finished
