#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: one VM run measures the inter-kernel channel against in-host
# baselines and prints the ratios (medians), a spawn's start against the
# host's own boot, then cyclictest in the RT spawn with the host idle and
# loaded, side by side.  Absolute numbers under TCG are
# emulation figures; only the ratios measured in the same run mean much.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
out=$("$top/scripts/multikernel/vm.sh" --quiet --timeout 900 \
	--script "$top/tools/testing/selftests/multikernel/bench-vm.sh")
rc=$?
line=$(tr -d '\r' < "$build/vm/com1.log" | grep -o 'bench instance 1:.*' | tail -n 1)
if [ $rc != 0 ] || [ -z "$line" ]; then
	echo "bench: the benchmark did not complete (status $rc)" >&2
	tail -n 30 "$build/vm/com1.log" >&2
	exit 1
fi
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< "$line"; }
rtt=$(get rtt_median_ns) ipi=$(get ipi_rtt_median_ns)
cbw=$(get chan_MBps) mbw=$(get memcpy_MBps) ipis=$(get ipis) msgs=$(get msgs)
accel=$(sed -n 's/^vm.sh: accel=\([a-z]*\).*/\1/p' <<< "$out")
echo "bench: one VM run ($(cat /proc/cpuinfo | grep -m1 'model name' | cut -d: -f2 | sed 's/^ //'), ${ACCEL:-auto} accel)"
printf 'bench: round trip host->spawn->host (1000x, 64 B, median)   %8d ns\n' "$rtt"
printf 'bench: smp_call_function_single() between host CPUs (median) %8d ns\n' "$ipi"
awk -v a="$rtt" -v b="$ipi" 'BEGIN { printf "bench: latency ratio channel / in-host IPI                    %8.2f\n", a / b }'
printf 'bench: bulk channel throughput (8 KiB messages, median of 5)  %8d MB/s\n' "$cbw"
printf 'bench: memcpy of the same chunks on one CPU (median of 5)     %8d MB/s\n' "$mbw"
awk -v a="$cbw" -v b="$mbw" 'BEGIN { printf "bench: throughput ratio channel / memcpy                     %8.2f\n", a / b }'
awk -v a="$ipis" -v b="$msgs" 'BEGIN { printf "bench: doorbell IPIs per message sent                        %8.3f\n", a / b }'

# start times (bench-vm.sh): five starts of a spawn against the host's own
# kernel start -> init, medians; "init" is the spawn's state running
log=$(tr -d '\r' < "$build/vm/com1.log")
host_init=$(sed -n 's/.*bench host init: \([0-9]*\) us.*/\1/p' <<< "$log" | tail -n 1)
starts=$(grep -o 'bench start [0-9]*: .*' <<< "$log")
if [ -z "$host_init" ] || [ "$(wc -l <<< "$starts")" != 5 ]; then
	echo "bench: the start times did not report" >&2
	grep -E 'bench (host|start)|bench-vm:' <<< "$log" >&2
	exit 1
fi
# med FIELD: median over the five starts of ": FIELD N us" or ", FIELD N us"
# (the whole field name), in ms
med() {
	sed -n "s/.*[:,] $1 \([0-9]*\) us.*/\1/p" <<< "$starts" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}
handoff=$(med handoff) booted=$(med booted) init=$(med init)
spawn_own=$(med "spawn kernel init") refresh=$(med refresh)
echo "bench: start of a spawn (256M, 1 CPU), median of 5 starts, against the host's kernel start -> init"
printf 'bench: start -> boot CPU out of the trampoline              %8s ms\n' "$handoff"
printf 'bench: start -> booted (kernel initialised)                 %8s ms\n' "$booted"
printf 'bench: start -> running (the spawn'"'"'s init runs)               %8s ms\n' "$init"
printf 'bench: the spawn'"'"'s own kernel start -> init (its printk time)  %8s ms\n' "$spawn_own"
printf 'bench: host kernel start -> init (its printk time)            %8.1f ms\n' "$(awk -v a="$host_init" 'BEGIN { print a / 1000 }')"
printf 'bench: image back in place after a stop (off the start path) %8s ms\n' "$refresh"
awk -v a="$booted" -v b="$host_init" 'BEGIN { printf "bench: ratio start -> booted / host start -> init             %8.2f\n", a * 1000 / b }'
awk -v a="$init" -v b="$host_init" 'BEGIN { printf "bench: ratio start -> running / host start -> init            %8.2f\n", a * 1000 / b }'

# cyclictest in the PREEMPT_RT spawn (bench-vm.sh): host idle vs loaded
rt() { tr -d '\r' < "$build/vm/com1.log" | grep -o "bench rt $1: T: .*" | tail -n 1; }
rt_idle=$(rt idle) rt_load=$(rt load)
if [ -z "$rt_idle" ] || [ -z "$rt_load" ]; then
	echo "bench: cyclictest in the RT spawn did not report" >&2
	tr -d '\r' < "$build/vm/com1.log" | grep -E 'bench(-vm)? rt|bench-vm:' >&2
	exit 1
fi
# ct LINE FIELD: one number of cyclictest's summary line (C, Min, Avg, Max)
ct() { sed -n "s/.* $2: *\([0-9]*\).*/\1/p" <<< "$1"; }
echo "bench: cyclictest in the PREEMPT_RT spawn (2 CPUs, on its tickless cpu1, SCHED_FIFO 90, 1 ms period, 10 s each)"
printf 'bench:                                         %12s %22s\n' "host idle" "host CPU+memory load"
for f in C Min Avg Max; do
	case $f in C) l="loops" ;; *) l="$f latency (us)" ;; esac
	printf 'bench: cyclictest %-28s %12s %22s\n' "$l" "$(ct "$rt_idle" $f)" "$(ct "$rt_load" $f)"
done
awk -v a="$(ct "$rt_load" Max)" -v b="$(ct "$rt_idle" Max)" \
	'BEGIN { if (b > 0) printf "bench: max latency ratio loaded / idle                       %8.2f\n", a / b }'
