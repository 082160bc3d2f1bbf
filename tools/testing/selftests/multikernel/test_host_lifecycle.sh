#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-debug-noscan: the test ends in the kernel it kexec-reboots into
# vm-append: memmap=1M$0x10000000 ramoops.mem_address=0x10000000
# vm-append: ramoops.mem_size=0x100000 ramoops.console_size=0x80000
# The host's own lifecycle with instances: suspend is refused while one
# owns CPUs (and works without), and kexec -e of a new host kernel with two
# running instances stops both first.  The host log crosses the kexec in a
# RAM console (ramoops in the memmap= hole above); the second stage runs in
# the new kernel as its init's command ("$0 stage2 ...").
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

PLAN=19
STOPPED_RE="before host kexec"

# ---- stage 2: in the kernel kexec -e started ----
if [ "$1" = stage2 ]; then
	KTAP_TESTNO=$2
	present=$3
	ids="$4 $5"
	ranges="$6 $7"
	ktap_check "new kernel: every present CPU ($present) is online" \
		test "$(cat /sys/devices/system/cpu/online)" = "$present"
	brought_up() {
		dmesg | grep -q "smp: Brought up .* $((${present##*-} + 1)) CPUs"
	}
	ktap_check "new kernel: smp brought up all of them at boot" brought_up
	mount -t pstore none /sys/fs/pstore 2>/dev/null
	old=/sys/fs/pstore/console-ramoops-0
	# positive control: the RAM console holds the first kernel's log
	ktap_check "the previous host kernel's console survived in pstore" \
		grep -q "host-lifecycle: stage 1 marker" "$old"
	line_of() {
		grep -n -- "$1" "$old" | head -n 1 | cut -d: -f1
	}
	start_line=$(line_of "Starting new kernel")
	marker_line=$(line_of "host-lifecycle: stage 1 marker")
	for id in $ids; do
		stopped_first() {
			l=$(line_of "instance $id: stopped (halted on request) $STOPPED_RE")
			[ -n "$l" ] && [ -n "$start_line" ] &&
				[ "$l" -gt "$marker_line" ] && [ "$l" -lt "$start_line" ]
		}
		ktap_check "instance $id halted on request before the new kernel started" \
			stopped_first
	done
	summary() {
		l=$(line_of "2 instance(s) stopped in [0-9]* ms $STOPPED_RE")
		[ -n "$l" ] && [ "$l" -lt "$start_line" ] &&
			grep "instance(s) stopped in" "$old" | sed 's/^/# /'
	}
	ktap_check "the host logged both stops and their time before kexec" summary
	# the stopped spawns' RAM is plain RAM of the new kernel now
	in_ram() {
		s=$((${1%-*})) e=$((${1#*-}))
		grep -i "System RAM" /proc/iomem | sed 's/^ *//; s/ :.*//' |
		while IFS=- read -r a b; do
			[ $((0x$a)) -le "$s" ] && [ $((0x$b)) -ge $((e - 1)) ] && echo y
		done | grep -q y
	}
	for r in $ranges; do
		ktap_check "new kernel: the stopped spawn's RAM $r is its System RAM" \
			in_ram "$r"
	done
	ktap_print_totals
	[ "$KTAP_CNT_FAIL" = 0 ] && echo "VM-EXIT-STATUS: 0" || echo "VM-EXIT-STATUS: 1"
	poweroff -f
	exit 1
fi

# ---- stage 1: the host the VM booted ----
mk_require_feature
mk_require_vm "kexec-reboots the machine"
mk_require_pool
mk_require_cpus 4
mk_require_spawn
mk_require_cmd kexec
mk_require_file /sys/power/pm_test "CONFIG_PM_DEBUG"
mk_require_cmdline ramoops.mem_address=0x10000000
ktap_print_header
ktap_set_plan $PLAN

freeze() {
	mkexec write /sys/power/state freeze
}
# positive control: with no instance, a suspend-to-idle under pm_test
# (freezer: processes are frozen and thawed, no device is suspended) works
echo freezer > /sys/power/pm_test
echo 0 > /sys/module/suspend/parameters/pm_test_delay
ktap_check "suspend (freeze, pm_test=freezer) works with no instance" freeze

ktap_check "cpu2 and cpu3 go offline" sh -c 'echo 0 > /sys/devices/system/cpu/cpu2/online &&
	echo 0 > /sys/devices/system/cpu/cpu3/online'
ktap_check "create instance a on cpu2 with COM2" mk_create a 2 256M 0x2f8
ktap_check "suspend with instance a owning cpu2 fails with EBUSY" \
	expect_errno EBUSY freeze
refused_logged() {
	dmesg | grep -q "instance $(mk_id a) (a) owns cpus 2: suspend refused"
}
ktap_check "the refusal names instance a" refused_logged
ktap_check "create instance b on cpu3" mk_create b 3 256M
mk_load a "console=ttyS1,115200 panic=-1"
mk_load b "panic=-1"
both_start() {
	mk_start a && mk_start b
}
ktap_check "start instances a and b" both_start
both_running() {
	mk_state_is a running && mk_state_is b running
}
ktap_check "a and b reach running" poll_until 120 both_running
ktap_check "suspend with two running instances fails with EBUSY" \
	expect_errno EBUSY freeze
ktap_check "both still running after the refused suspend" both_running

# the second stage: this script and its libraries added to the spawn initramfs
s2=/tmp/stage2
mk_stage_tree $s2
cp "$0" $s2/lifecycle.sh
(cd $s2 && find . | cpio -o -H newc 2>/dev/null) | gzip > /tmp/stage2.cpio.gz
cat /boot/spawn.cpio /tmp/stage2.cpio.gz > /tmp/next.cpio.gz
keep=""
for w in $(cat /proc/cmdline); do
	case "$w" in memmap=*|ramoops.*) keep="$keep $w" ;; esac
done
# lent CPUs are not present here: the new kernel must have every possible one
present=$(cat /sys/devices/system/cpu/possible)
# stage 2's first check is the one after the kexec -l check below
ARGS="sh /lifecycle.sh stage2 $((KTAP_TESTNO + 1)) $present $(mk_id a) $(mk_id b)"
ARGS="$ARGS $(mk_get a ram_range) $(mk_get b ram_range)"
ktap_check "kexec -l of the host kernel" kexec -l /boot/bzImage \
	--initrd=/tmp/next.cpio.gz \
	--append="console=ttyS0,115200 panic=-1 oops=panic loglevel=6 multikernel=768M$keep \
-- $ARGS"
ktap_print_msg "kexec -e with instances $(mk_id a) and $(mk_id b) running"
# notice level: on the console, hence in the RAM console
echo "<5>host-lifecycle: stage 1 marker" > /dev/kmsg
kexec -e
ktap_test_fail "kexec -e returned"
ktap_finished
