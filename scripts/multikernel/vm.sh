#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the multikernel host in QEMU and run one script in it as root.
#
#   vm.sh --script FILE [--append "ARGS"] [--timeout SEC] [--quiet] [--debug]
#         [--logs PREFIX] [--qemu "ARGS"] [--qemu-bin default|new|PATH]
#         [--pool SIZE|none]
#
# Machine: q35, KVM when /dev/kvm really works, TCG otherwise, $VM_CPUS CPUs
# (default 4) and $VM_MEM memory (default 2G).  COM1 is the host console,
# COM2 is left to a spawned kernel (the host's /init unbinds it from the 8250 driver).
# Logs: $BUILD/vm/com1.log (host console), $BUILD/vm/com2.log (COM2), or
# PREFIX.com1.log and PREFIX.com2.log with --logs PREFIX (VMs run at once).
# --debug boots the debug kernel (make kernel-debug initramfs-debug; it is
# also the spawns' /boot/bzImage) and, after FILE, has kmemleak scan and
# print its suspects on the host console.
# --qemu ARGS adds QEMU arguments (word-split, after the default ones, e.g.
# "-cpu max,+x2apic").  --qemu-bin picks the QEMU: "default" is $QEMU or
# else qemu-system-x86_64 from PATH (the distribution's), "new" the one
# make qemu unpacked in $BUILD/qemu (scripts/multikernel/get-qemu.sh, with
# its firmware directory), anything else a path.  --pool sets the host's
# multikernel=SIZE boot pool (768M); "none" boots without multikernel=, so
# that instances get their memory at run time.
# Exit status: the script's exit status; 124 when the VM hit the time
# bound, 125 when the VM died without reporting a status.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
script="" append="" quiet=0 debug=0 logs="" qargs="" qbin=default pool=768M
timeout=${VM_TIMEOUT:-300}
while [ $# -gt 0 ]; do
	case "$1" in
	--script) script=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--debug) debug=1; shift ;;
	--logs) logs=$2; shift 2 ;;
	--qemu) qargs=$2; shift 2 ;;
	--qemu-bin) qbin=$2; shift 2 ;;
	--pool) pool=$2; shift 2 ;;
	*) echo "vm.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$script" ] && [ -f "$script" ] || { echo "vm.sh: --script FILE required" >&2; exit 2; }

kernel=$build/linux/arch/x86/boot/bzImage
initrd=$build/initramfs/host.cpio.gz
if [ $debug = 1 ]; then
	kernel=$build/linux-debug/arch/x86/boot/bzImage
	initrd=$build/initramfs/host-debug.cpio.gz
fi
for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "vm.sh: $f missing; run make first" >&2; exit 2; }
done

qemu=(${QEMU:-qemu-system-x86_64})
case "$qbin" in
default) ;;
new)	qemu=("$build/qemu/usr/bin/qemu-system-x86_64" -L "$build/qemu/usr/share/qemu")
	[ -x "${qemu[0]}" ] || { echo "vm.sh: ${qemu[0]} missing; run make qemu" >&2; exit 2; } ;;
*)	qemu=("$qbin") ;;
esac
# shellcheck disable=SC2206 # extra arguments are split like a command line
extra=($qargs)

vmdir=$build/vm
mkdir -p "$vmdir"
run=$(mktemp -d "$vmdir/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
mkdir -p "$run/root/vm"
if [ $debug = 0 ]; then
	install -m 0755 "$script" "$run/root/vm/run.sh"
else
	# kmemleak reports an object that two scans found unreferenced, the
	# second at least 5 s after its allocation (a scan takes ~15 s on TCG)
	install -m 0755 "$script" "$run/root/vm/test.sh"
	cat > "$run/root/vm/run.sh" <<'EOF'
#!/bin/sh
t0=$(date +%s)
sh /vm/test.sh
rc=$?
t1=$(date +%s)
echo "# vm-debug: tainted $(cat /proc/sys/kernel/tainted), test $((t1 - t0))s, host up $(cut -d. -f1 /proc/uptime)s"
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
if [ -n "$lockdown" ] && [ "$lockdown" != none ]; then
	# a test that locked the kernel down took debugfs away with it
	echo "# vm-debug: kmemleak not scanned: the test locked the kernel down ($lockdown)"
elif [ -w /sys/kernel/debug/kmemleak ] &&
     echo scan 2>/dev/null > /sys/kernel/debug/kmemleak; then
	t=$(($(date +%s) - t1))
	[ $t -gt 5 ] || sleep $((6 - t))
	echo scan > /sys/kernel/debug/kmemleak
	echo "# vm-debug: kmemleak scanned ($(($(date +%s) - t1))s), $(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak) suspects"
	cat /sys/kernel/debug/kmemleak
else
	echo "# vm-debug: kmemleak unavailable"
fi
exit $rc
EOF
	chmod 0755 "$run/root/vm/run.sh"
fi
(cd "$run/root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$run/script.cpio.gz"
cat "$initrd" "$run/script.cpio.gz" > "$run/initrd.cpio.gz"

accel=${ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=$("$top/scripts/multikernel/probe-accel.sh" "$kernel")
fi

com1=$vmdir/com1.log com2=$vmdir/com2.log
[ -z "$logs" ] || com1=$logs.com1.log com2=$logs.com2.log
: > "$com1"; : > "$com2"
poolarg="multikernel=$pool "
[ "$pool" = none ] && poolarg=""
cmdline="console=ttyS0,115200 panic=-1 oops=panic loglevel=6 ${poolarg}crashkernel=64M $append"
[ $quiet = 1 ] || echo "vm.sh: accel=$accel cpus=${VM_CPUS:-4} mem=${VM_MEM:-2G} timeout=${timeout}s script=$script$([ $debug = 0 ] || echo " (debug kernel)")$([ "$qbin$qargs" = default ] || echo " qemu=${qemu[0]} ${qargs}")"

timeout --foreground -k 5 "$timeout" "${qemu[@]}" \
	-M q35 -accel "$accel" -smp "${VM_CPUS:-4}" -m "${VM_MEM:-2G}" \
	-display none -nodefaults -no-reboot \
	-chardev file,id=com1,path="$com1" -serial chardev:com1 \
	-chardev file,id=com2,path="$com2" -serial chardev:com2 \
	-kernel "$kernel" -initrd "$run/initrd.cpio.gz" -append "$cmdline" \
	"${extra[@]}" > "$run/qemu.out" 2>&1 &
qpid=$!
if [ $quiet = 0 ]; then
	tail -n +1 -s 0.2 -f --pid=$qpid "$com1" &
	tpid=$!
fi
wait $qpid
qrc=$?
[ $quiet = 0 ] && { wait $tpid 2>/dev/null; }

status=$(sed -n 's/^VM-EXIT-STATUS: \([0-9]*\).*/\1/p' "$com1" | tail -n 1)
if [ -n "$status" ]; then
	exit "$status"
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "vm.sh: TIMEOUT: the VM did not finish within ${timeout}s; host console was:" >&2
	rc=124
else
	echo "vm.sh: the VM stopped (qemu exit $qrc) without reporting a status; host console was:" >&2
	rc=125
fi
[ $quiet = 0 ] || tail -n 60 "$com1" >&2
cat "$run/qemu.out" >&2
exit $rc
