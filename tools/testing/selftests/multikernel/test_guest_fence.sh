#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A spawned kernel does not act as the machine's owner: every kexec load
# (plain and crash, kexec_load and kexec_file_load) fails with EPERM and a
# log line, /proc/ioports lists only its UART, there is no speaker device,
# no 8237 probe and no firmware RSDP in its boot_params, LINT1 is masked (an
# external NMI that the host's CPU 0 takes does not reach it), and reboot
# and poweroff inside it halt all its CPUs before the host sees "halted".
# Each negative result has a positive control, on the host or in the spawn.
#
# The external NMI: QEMU's ib700 watchdog, armed through /dev/port with a
# zero timeout, makes QEMU inject an NMI through the LINT1 pin of every CPU.
# vm-qemu: -device ib700 -action watchdog=inject-nmi
# com2-expect: multikernel-guest: using UART at 0x2f8 in polled mode
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

mk_require_host
mk_require_vm "arms the watchdog of QEMU's -device ib700 through /dev/port"
ktap_print_header
ktap_set_plan 30

# --- positive controls on the host ---
crash_start() {
	awk -F'[- :]+' '/Crash kernel/ { print "0x" $2; exit }' /proc/iomem
}
host_page_load() {
	mkexec page-load 0x1000000 && mkexec page-unload
}
host_crash_load() {
	mkexec page-load -c "$(crash_start)" && mkexec page-unload -c
}
# the 8-byte acpi_rsdp_addr at offset 0x70 of boot_params, in hex
rsdp_of() {
	od -An -tx8 -j112 -N8 "$1" | tr -d ' '
}
host_legacy_io() {
	grep -q ": dma1$" /proc/ioports && grep -q ": keyboard$" /proc/ioports
}
ktap_check "host: a plain kexec_load of one page loads and unloads" host_page_load
ktap_check "host: a crash kexec_load of one page loads and unloads" host_crash_load
ktap_check "host: kexec_file_load of a non-kernel fails with ENOEXEC" \
	expect_errno ENOEXEC mkexec load-file /bin/busybox /bin/busybox ""
ktap_check "host: /proc/ioports lists legacy resources (dma1, keyboard)" host_legacy_io
ktap_check "host: the pcspkr platform device exists" \
	test -e /sys/bus/platform/devices/pcspkr
HOST_RSDP=$(rsdp_of /sys/kernel/boot_params/data)
ktap_check "host: boot_params.acpi_rsdp_addr is set ($HOST_RSDP)" \
	test -n "$(echo "$HOST_RSDP" | tr -d 0)"

# --- what the spawn runs: it gets the script over the channel ---
cat > /tmp/halt.sh <<'EOF'
out() { echo "fence: $*" > /dev/kmsg; }
taskset -c 1 sh -c 'i=0
	while :; do i=$((i + 1)); echo "fence: tick $i" > /dev/kmsg; usleep 200000; done' &
out ready
while :; do
	cmd=$(dd if=/dev/mkchan0 bs=64 count=1 2>/dev/null)
	case "$cmd" in
	nmi) out nmi $(grep NMI: /proc/interrupts) \
		unknown $(dmesg | grep -c 'NMI received for unknown reason') ;;
	reboot|poweroff) $cmd -f ;;
	esac
done
EOF
cat > /tmp/fence.sh <<'EOF'
out() { echo "fence: $*" > /dev/kmsg; }
ram=$(awk -F'[- :]+' '/^[0-9a-f].*System RAM/ { s = $1 } END { print s }' /proc/iomem)
page=$(printf '0x%x' $((0x$ram + 0x1000000)))
out kfl $(mkexec load-file /bin/busybox /bin/busybox x 2>&1)
out kflc $(mkexec load-file -c /bin/busybox /bin/busybox x 2>&1)
out kl $(mkexec page-load $page 2>&1)
out klc $(mkexec page-load -c $page 2>&1)
out refused $(dmesg | grep -c 'kexec_core: load refused in a spawned multikernel instance')
out ioports $(wc -l < /proc/ioports) $(cat /proc/ioports)
out rsdp $(od -An -tx8 -j112 -N8 /sys/kernel/boot_params/data)
out pcspkr $(ls /sys/bus/platform/devices | grep -c pcspkr)
out i8237 $(dmesg | sed -n 's/.*initcall i8237A_init_ops.* returned \(-*[0-9]*\) .*/\1/p')
EOF
cat /tmp/halt.sh >> /tmp/fence.sh

con() {
	mk_get fence console | tr -d '\r'
}
# got KEY: the last value the spawn reported for KEY
got() {
	con | sed -n "s/.*fence: $1 //p" | tail -n 1
}
# got_is KEY VALUE
got_is() {
	_v=$(got "$1")
	[ "$_v" = "$2" ] && return 0
	ktap_print_msg "spawn reported $1 '$_v', expected '$2'"
	return 1
}
# got_errno KEY ERRNO: the spawn's mkexec failed with ERRNO
got_errno() {
	case "$(got "$1")" in
	*"mkexec: "*": $2 ("*) return 0 ;;
	esac
	ktap_print_msg "spawn reported $1 '$(got "$1")', expected $2"
	return 1
}
said() {
	con | grep -q "fence: $1"
}
send_file() {
	dd if="$1" of=/dev/mkchan"$ID" bs=8192 count=1 2>/dev/null
}
say() {
	echo "$1" > /dev/mkchan"$ID"
}
last_tick() {
	con | sed -n 's/.*fence: tick \([0-9]*\).*/\1/p' | tail -n 1
}
ticked_since() {
	[ "$(last_tick)" -gt "$1" ] 2>/dev/null
}
host_nmis() {
	awk '/^ *NMI:/ { print $2 }' /proc/interrupts
}
host_nmis_past() {
	[ "$(host_nmis)" -gt "$1" ]
}
spawn_no_nmi() {
	_n=$(got nmi)
	ktap_print_msg "spawn: NMI: $_n"
	case "$_n" in
	"NMI: 0 0 Non-maskable interrupts unknown 0") return 0 ;;
	esac
	return 1
}
# no new tick within 3 s (they came every 200 ms before the halt)
no_tick_after_halt() {
	_t=$(last_tick)
	! poll_until 3 ticked_since "$_t"
}
# the console of this run says so once
halted_all() {
	test "$(con | grep -c "halting instance $ID, 1 of its 2 CPUs still online")" = 1
}
start_run() {
	mk_start fence && mk_wait_state fence running 120 && send_file "$1" &&
		poll_until 60 said ready && poll_until 30 ticked_since 1
}
stopped_itself() {
	mk_stop fence && mk_state_is fence stopped &&
		[ "$(dmesg | grep -c "instance $ID: stopped (had halted by itself)")" = "$1" ]
}

for c in 2 3; do cpu_online $c 0; done
ktap_check "create instance fence on cpus 2-3 with COM2" mk_create fence 2-3 256M 0x2f8
ID=$(mk_id fence)
ktap_check "load instance fence" mk_load fence \
	"console=ttyS1,115200 panic=-1 printk.devkmsg=on initcall_debug -- dd if=/dev/mkchan0 of=/tmp/s.sh bs=8192 count=1; sh /tmp/s.sh"
ktap_check "start it, it runs the checks, its second CPU ticks" start_run /tmp/fence.sh
ktap_check "spawn: kexec_file_load -> EPERM" got_errno kfl EPERM
ktap_check "spawn: kexec_file_load(KEXEC_FILE_ON_CRASH) -> EPERM" got_errno kflc EPERM
ktap_check "spawn: kexec_load of a page in its RAM -> EPERM" got_errno kl EPERM
ktap_check "spawn: kexec_load(KEXEC_ON_CRASH) -> EPERM" got_errno klc EPERM
ktap_check "spawn: each refusal logged" got_is refused 4
ktap_check "spawn: /proc/ioports is exactly its UART" got_is ioports "1 02f8-02ff : serial"
ktap_check "spawn: boot_params.acpi_rsdp_addr is 0" got_is rsdp 0000000000000000
ktap_check "spawn: no pcspkr platform device" got_is pcspkr 0
ktap_check "spawn: the 8237 DMA init returned -ENODEV before probing" got_is i8237 -19

inject_nmi() {
	_n0=$(host_nmis)
	printf '\017' | dd of=/dev/port bs=1 seek=$((0x443)) count=1 conv=notrunc 2>/dev/null &&
		poll_until 30 host_nmis_past "$_n0"
}
ktap_check "the ib700 watchdog fires an external NMI: host CPU 0 takes it" inject_nmi
ktap_print_msg "host: $(grep NMI: /proc/interrupts)"
say nmi
poll_until 30 said nmi
ktap_check "spawn: no NMI on either CPU, none logged (LINT1 masked)" spawn_no_nmi

# halt_in_spawn ACTION: reboot or poweroff -f inside it, the host sees halted
halt_in_spawn() {
	say "$1" && mk_wait_state fence halted 60
}
ktap_check "run 1: reboot -f in the spawn -> the host sees halted" halt_in_spawn reboot
ktap_check "run 1: it halted with 1 of its 2 CPUs online" halted_all
ktap_check "run 1: no tick from its second CPU after the halt" no_tick_after_halt
ktap_check "run 1: stop -> stopped (had halted by itself)" stopped_itself 1

ktap_check "run 2: start again, its second CPU ticks" start_run /tmp/halt.sh
ktap_check "run 2: poweroff -f in the spawn -> the host sees halted" halt_in_spawn poweroff
ktap_check "run 2: it halted with 1 of its 2 CPUs online" halted_all
ktap_check "run 2: no tick from its second CPU after the halt" no_tick_after_halt
ktap_check "run 2: stop -> stopped (had halted by itself)" stopped_itself 2
give_back() {
	mkexec rmdir fence && cpu_online 2 1 && cpu_online 3 1
}
ktap_check "destroy it; cpus 2-3 go back online" give_back
ktap_finished
