#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM half of "make demo": every step a user would type, with a
# progress line before it.  Lifecycle steps go through kexec-tools; the
# instance itself is a configfs directory, shown as such.
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"
step() { echo; echo "demo: ==== $* ===="; }
run() { echo "demo\$ $*"; "$@"; }

step "1/11 the host: $(grep -c ^processor /proc/cpuinfo) CPUs online, pool reserved at boot"
run grep -i multikernel /proc/iomem
step "2/11 take cpu3 away from the host"
run sh -c 'echo 0 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
step "3/11 create instance 1 on cpu3 (256M, COM2) and load the same bzImage into it"
CMDLINE="console=ttyS1,115200 console=ttyMK0 panic=-1"
run kexec --multikernel=1 --mk-cpus=3 --mk-mem=256M --mk-uart=0x2f8 \
	-l /boot/bzImage --initrd=/boot/spawn.cpio \
	--append="$CMDLINE -- mkchan echo-server /dev/mkchan0" || exit 1
run kexec --mk-status --multikernel=1
NAME=$(mk_name_of_id 1) || { echo "demo: no instance with id 1 in $MK_CFG"; exit 1; }
D=$(mk_dir "$NAME")
step "4/11 the instance is a configfs object: one value per file"
run ls "$D"
run sh -c "cd $D && grep -H . id state cpus memory uart ram_range"
step "5/11 start it: INIT/SIPI to cpu3 while the host keeps running"
run kexec --multikernel=1 --mk-start || exit 1
mk_wait_state "$NAME" running 120 || { echo "demo: instance did not reach running"; exit 1; }
mk_wait_heartbeat "$NAME" 2 60
run cat "$D/state" "$D/heartbeats"
run kexec --mk-status --multikernel=1
step "6/11 its console, read on the host over the channel"
poll_until 60 grep -q "echo server ready" "$D/console"
run grep -E "Hypervisor detected|smpboot: Total|Run /init|mkchan" "$D/console"
step "7/11 a message round trip: host process -> spawned kernel's process -> host"
run mkchan echo-client /dev/mkchan1 1000 || exit 1
run sh -c "cd $D && grep -H . tx_msgs rx_msgs chan_errors"
step "8/11 the host cannot take cpu3 back while the instance owns it (not present, no online file)"
run cat /sys/devices/system/cpu/present
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
step "9/11 active/backup: a service that crashes comes back without an operator"
# the service: serves for two seconds, then its kernel panics
# (no quotes: the kernel's command line would keep them)
SVC='echo svc: serving; sleep 2; echo svc: fatal error; echo c > /proc/sysrq-trigger'
run sh -c 'echo 0 > /sys/devices/system/cpu/cpu2/online'
run mkdir "$MK_CFG/svc"
run sh -c "cd $MK_CFG/svc && echo 2 > cpus && echo 160M > memory &&
	echo on-crash > restart && echo 2 > restart_limit && echo 500 > restart_delay_ms"
run mkexec mk-load-file "$(mk_id svc)" /boot/bzImage /boot/spawn.cpio \
	"console=ttyMK0 panic=0 -- $SVC" || exit 1
run sh -c "echo start > $MK_CFG/svc/state"
echo "demo: (waiting until the host has restarted it twice, then it stays crashed)"
poll_until 180 sh -c "dmesg | grep -q 'instance $(mk_id svc): crashed; its restart limit'"
run sh -c "cd $MK_CFG/svc && grep -H . state starts restarts restart_reason"
run sh -c "dmesg | grep 'instance $(mk_id svc):'"
run sh -c "grep svc: $MK_CFG/svc/console"
run rmdir "$MK_CFG/svc"
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu2/online'
step "10/11 stop it gracefully (it halts itself), give cpu3 back"
run kexec --multikernel=1 --mk-stop || exit 1
run cat "$D/state"
run sh -c "tail -n 3 $D/console"
run sh -c 'echo 1 > /sys/devices/system/cpu/cpu3/online'
run cat /sys/devices/system/cpu/online
step "11/11 what the host logged, and its summary"
run sh -c 'dmesg | grep "multikernel:"'
run cat /proc/multikernel
step "done"
