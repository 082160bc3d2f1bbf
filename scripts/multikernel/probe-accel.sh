#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print "kvm" if KVM really runs a guest on this machine, else "tcg".
# /dev/kvm may exist and accept a VM yet never run the guest (nested setups),
# so the probe boots KERNEL and waits for its first console line.
set -uo pipefail
kernel=$1
if [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi
log=$(mktemp)
timeout -k 2 20 qemu-system-x86_64 -M q35 -accel kvm -smp 1 -m 256M \
	-display none -nodefaults -no-reboot -serial file:"$log" \
	-kernel "$kernel" -append "console=ttyS0 panic=-1 init=/nonexistent" \
	>/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 150); do
	if grep -q 'Linux version' "$log" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$log"
		echo kvm
		exit 0
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f "$log"
echo tcg
