#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh - build a kernel and run the multikernel selftests in QEMU
#
# Needs only the kernel tree this script sits in, a compiler, QEMU
# (qemu-system-x86_64) and a static busybox (Debian's busybox-static);
# it does not use the multikernel workbench around the tree.
#
#   1. configure the tree: tinyconfig merged with this directory's config
#      fragments (config.vm, the VM's base, when present, and config, what the
#      tests need) and kernel/configs/multikernel.config, then build bzImage;
#   2. build this directory's C test programs statically against the tree's
#      uapi headers (headers_install into the output directory);
#   3. pack two initramfs images with gen_init_cpio from the tree: one for
#      spawned kernels (/init is spawn-init.sh) and one for the test host:
#        /init                   host-init.sh
#        /boot/bzImage           the kernel just built, also spawned
#        /boot/spawn.cpio        the spawned kernels' initramfs (uncompressed)
#        /usr/bin/<prog>         the test programs
#        /usr/share/kselftest/multikernel  the test scripts and lib.sh
#        /usr/share/kselftest/kselftest/ktap_helpers.sh
#        /sbin/kexec             kexec-tools, only with -x
#        /usr/share/kselftest/cpu-hotplug/cpu-on-off-test.sh and /bin/bash
#                                upstream's CPU hotplug test, when bash is here
#   4. boot a fresh QEMU VM (q35, KVM when it runs a guest here, else
#      multi-threaded TCG) for each test, time-bounded, with the test as
#      /vm/run.sh, and print each test's KTAP output and a total.
#
# A test's header lines set up its VM: "# vm-smp: N" (QEMU -smp, default
# 4), "# vm-append: ARGS" (host command line), "# vm-qemu: ARGS" (extra QEMU
# arguments; both may repeat) and "# vm-qemu-bin: new" (a newer QEMU than
# the distribution's: the one $QEMU_NEW names), "# vm-pool: SIZE|none"
# (the multikernel= pool, 768M; none boots without one).  "# com2-expect: TEXT"
# lines are extra results: TEXT must appear on the spawned kernels' console
# (COM2).  A test that needs a file this script does not provide (the RT
# kernel, a signed kernel, kexec-tools without -x) says so with
# "# vm-needs: PATH" and is reported as skipped.
#
# A test fails when it reports a failure, reports fewer results than it
# planned, exits non-zero, or its VM does not power off in time.  Exit
# status: 0 when every selected test passed or was skipped, 1 otherwise,
# 2 on a usage or build error.
#
# Environment: QEMU (qemu-system-x86_64), QEMU_NEW, ACCEL (auto, kvm or
# tcg), VM_MEM (2G), VM_TIMEOUT (600, as -T), BUSYBOX (/bin/busybox),
# CC (gcc), JOBS (nproc).
set -uo pipefail

usage() {
	cat <<EOF
Usage: $0 [options]
  -t TEST     run TEST (test_x.sh; repeatable; default: every test_*.sh)
  -l          list the tests and exit
  -s          keep a .config that has every option the fragments set,
              and a bzImage newer than it (no build)
  -O DIR      the kernel's build directory (make O=DIR; default: the tree)
  -o DIR      scratch and log directory (default: <build dir>/vmtest)
  -c FRAG     merge one more config fragment (repeatable)
  -x KEXEC    install this kexec-tools binary as /sbin/kexec
  -T SEC      time bound of each VM (default 600)
  -h          this help
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
ksrc=$(cd "$here/../../../.." && pwd)
objtree=$ksrc out="" skip_build=0 list=0 kexec="" timeout=${VM_TIMEOUT:-600}
tests=() extra_frags=()
while getopts "t:lsO:o:c:x:T:h" opt; do
	case $opt in
	t) tests+=("$(basename "$OPTARG")") ;;
	l) list=1 ;;
	s) skip_build=1 ;;
	O) objtree=$(mkdir -p "$OPTARG" && cd "$OPTARG" && pwd) || exit 2 ;;
	o) out=$OPTARG ;;
	c) f=$(realpath -e "$OPTARG") || exit 2; extra_frags+=("$f") ;;
	x) kexec=$(realpath -e "$OPTARG") || exit 2 ;;
	T) timeout=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || { usage >&2; exit 2; }

if [ ${#tests[@]} = 0 ]; then
	mapfile -t tests < <(cd "$here" && ls test_*.sh)
fi
if [ $list = 1 ]; then
	printf '%s\n' "${tests[@]}"
	exit 0
fi
for t in "${tests[@]}"; do
	[ -f "$here/$t" ] || { echo "vmtest: no test $t in $here" >&2; exit 2; }
done

out=$(mkdir -p "${out:-$objtree/vmtest}" && cd "${out:-$objtree/vmtest}" && pwd) || exit 2
bzimage=$objtree/arch/x86/boot/bzImage
config=$objtree/.config
kmake=(make -s -C "$ksrc" -j"${JOBS:-$(nproc)}")
[ "$objtree" = "$ksrc" ] || kmake+=(O="$objtree")
busybox=${BUSYBOX:-/bin/busybox}
cc=${CC:-gcc}

log() { echo "vmtest: $*" >&2; }
die() { log "$*"; exit 2; }

# the fragments, base first; with config.vm present, config only lists
# what the tests need
frags=()
[ -f "$here/config.vm" ] && frags+=("$here/config.vm")
frags+=("$here/config" "$ksrc/kernel/configs/multikernel.config" "${extra_frags[@]}")

# config_missing: print every CONFIG_ value a fragment sets that .config lacks
config_missing() {
	local f line
	for f in "${frags[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) grep -qxF -- "$line" "$config" || echo "$line" ;;
			esac
		done < "$f"
	done
}

configure() {
	log "configuring $objtree: tinyconfig + ${frags[*]#"$ksrc"/}"
	"${kmake[@]}" tinyconfig > /dev/null || return 1
	"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$objtree" "$config" \
		"${frags[@]}" > /dev/null || return 1
	"${kmake[@]}" olddefconfig > /dev/null || return 1
	local missing
	missing=$(config_missing)
	[ -z "$missing" ] && return 0
	log "options the fragments set that .config does not have:"
	echo "$missing" | while IFS= read -r l; do log "  $l"; done
	return 1
}

# build_kernel: configure and build; with -s keep a .config that has every
# fragment's options, and keep a bzImage newer than it
build_kernel() {
	if [ $skip_build = 1 ] && [ -f "$config" ] && [ -z "$(config_missing)" ]; then
		if [ "$bzimage" -nt "$config" ]; then
			log "using $bzimage (-s)"
			return 0
		fi
		log "-s: $bzimage older than .config, building"
	else
		[ $skip_build = 0 ] || log "-s: no .config with the fragments' options"
		configure || die "configuration failed"
	fi
	log "building bzImage in $objtree"
	"${kmake[@]}" bzImage || die "kernel build failed"
}

build_progs() {
	local c
	rm -rf "$out/uapi" "$out/progs"
	mkdir -p "$out/progs"
	"${kmake[@]}" headers_install INSTALL_HDR_PATH="$out/uapi" > /dev/null ||
		die "headers_install failed"
	for c in "$here"/*.c; do
		"$cc" -static -O2 -Wall -Wextra -I"$out/uapi/include" \
			-o "$out/progs/$(basename "${c%.c}")" "$c" ||
			die "building $c failed"
	done
}

# spec_base: the gen_init_cpio lines every image starts with
spec_base() {
	local d
	for d in /bin /sbin /dev /proc /sys /tmp /boot /usr /usr/bin /usr/share \
		 /vm /etc; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
}

# spec_progs: the test programs in /usr/bin
spec_progs() {
	local p
	for p in "$out"/progs/*; do
		echo "file /usr/bin/${p##*/} $p 0755 0 0"
	done
}

# spec_dynamic PROG NAME: PROG as NAME with the libraries it links
spec_dynamic() {
	local lib dir
	echo "file $2 $1 0755 0 0"
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				     $1 ~ /^\// { print $1 }'); do
		dir=""
		for part in $(dirname "$lib" | tr / ' '); do
			dir=$dir/$part
			echo "dir $dir 0755 0 0"
		done
		echo "file $lib $lib 0755 0 0"
	done
}

# pack SPEC IMAGE [plain]: gzip'ed unless plain
pack() {
	# gen_init_cpio wants each directory once
	awk '!($1 == "dir" && seen[$2]++)' "$1" > "$1.uniq"
	"$out/gen_init_cpio" "$1.uniq" |
		if [ "${3:-}" = plain ]; then cat; else gzip -1; fi > "$2" ||
		die "packing $2 failed"
}

build_initramfs() {
	local s f hotplug
	[ -x "$busybox" ] || die "$busybox missing (busybox-static)"
	ldd "$busybox" > /dev/null 2>&1 && die "$busybox is not statically linked"
	"$cc" -O2 -o "$out/gen_init_cpio" "$ksrc/usr/gen_init_cpio.c" ||
		die "building gen_init_cpio failed"

	s=$out/spawn.spec
	{ spec_base; spec_progs
	  echo "file /init $here/spawn-init.sh 0755 0 0"; } > "$s"
	pack "$s" "$out/spawn.cpio" plain

	s=$out/host.spec
	{
		spec_base
		spec_progs
		echo "file /init $here/host-init.sh 0755 0 0"
		echo "file /boot/bzImage $bzimage 0644 0 0"
		echo "file /boot/spawn.cpio $out/spawn.cpio 0644 0 0"
		# the layout "make install" of the selftests gives: lib.sh
		# finds ../kselftest/ktap_helpers.sh next to its own directory
		echo "dir /usr/share/kselftest 0755 0 0"
		echo "dir /usr/share/kselftest/multikernel 0755 0 0"
		echo "dir /usr/share/kselftest/kselftest 0755 0 0"
		for f in "$here"/*.sh; do
			echo "file /usr/share/kselftest/multikernel/${f##*/} $f 0755 0 0"
		done
		echo "file /usr/share/kselftest/kselftest/ktap_helpers.sh" \
		     "$ksrc/tools/testing/selftests/kselftest/ktap_helpers.sh 0644 0 0"
		[ -z "$kexec" ] || echo "file /sbin/kexec $kexec 0755 0 0"
		hotplug=tools/testing/selftests/cpu-hotplug/cpu-on-off-test.sh
		if [ -x /bin/bash ] && [ -f "$ksrc/$hotplug" ]; then
			echo "dir /usr/share/kselftest/cpu-hotplug 0755 0 0"
			echo "file /usr/share/kselftest/${hotplug#*/selftests/}" \
			     "$ksrc/$hotplug 0755 0 0"
			spec_dynamic /bin/bash /bin/bash
		fi
	} > "$s"
	pack "$s" "$out/host.cpio.gz"
	# what the host image holds, for "# vm-needs:"
	sed -n 's/^\(file\|dir\|nod\) \([^ ]*\) .*/\2/p' "$s" > "$out/host.files"
}

# probe_accel: kvm if KVM runs a guest here (an accessible /dev/kvm may
# still never run one, nested), else tcg
probe_accel() {
	local con=$out/probe.log pid
	[ -w /dev/kvm ] || { echo tcg; return; }
	: > "$con"
	timeout -k 2 20 "${qemu[@]}" -M q35 -accel kvm -smp 1 -m 256M \
		-display none -nodefaults -no-reboot -serial file:"$con" \
		-kernel "$bzimage" -append "console=ttyS0 panic=-1 init=/none" \
		> /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		if grep -q 'Linux version' "$con"; then
			kill $pid 2> /dev/null
			wait $pid 2> /dev/null
			echo kvm
			return
		fi
		kill -0 $pid 2> /dev/null || break
		sleep 0.1
	done
	kill $pid 2> /dev/null
	wait $pid 2> /dev/null
	echo tcg
}

# the host's command line: room for a crash kernel (test_host_crash.sh
# adds its own crashkernel=); run_vm adds the pool spawns take memory from
cmdline="console=ttyS0,115200 panic=-1 oops=panic loglevel=6 crashkernel=64M"

# header TEST KEY: the values of "# vm-KEY:" lines, joined
header() {
	sed -n "s/^# $2: //p" "$here/$1" | paste -sd' '
}

# skip_reason TEST: why TEST cannot run here (empty when it can)
skip_reason() {
	local need
	for need in $(header "$1" vm-needs); do
		grep -qxF -- "$need" "$out/host.files" || {
			echo "needs $need"
			return
		}
	done
	if [ "$(header "$1" vm-qemu-bin)" = new ] && [ -z "${QEMU_NEW:-}" ]; then
		echo "needs a newer QEMU (QEMU_NEW=path)"
	fi
}

# run_vm TEST LOGPREFIX: boot a VM with TEST as /vm/run.sh; prints
# TEST's exit status, 124 when the VM ran out of time, 125 when it stopped
# without reporting one
run_vm() {
	local t=$1 logs=$2 smp append qargs bin rc status pool
	smp=$(header "$t" vm-smp)
	pool=$(header "$t" vm-pool)
	append=$(header "$t" vm-append)
	case "${pool:=768M}" in
	none) ;;
	*) append="multikernel=$pool $append" ;;
	esac
	qargs=$(header "$t" vm-qemu)
	bin=("${qemu[@]}")
	[ "$(header "$t" vm-qemu-bin)" = new ] && bin=("$QEMU_NEW")
	printf 'dir /vm 0755 0 0\nfile /vm/run.sh %s 0755 0 0\n' "$here/$t" \
		> "$logs.spec"
	"$out/gen_init_cpio" "$logs.spec" | gzip -1 > "$logs.script.cpio.gz"
	cat "$out/host.cpio.gz" "$logs.script.cpio.gz" > "$logs.initrd"
	: > "$logs.com1.log"
	: > "$logs.com2.log"
	# shellcheck disable=SC2086 # vm-qemu holds QEMU arguments
	timeout -k 5 "$timeout" "${bin[@]}" -M q35 -accel "$accel_opt" \
		-smp "${smp:-4}" -m "${VM_MEM:-2G}" \
		-display none -nodefaults -no-reboot \
		-chardev file,id=com1,path="$logs.com1.log" -serial chardev:com1 \
		-chardev file,id=com2,path="$logs.com2.log" -serial chardev:com2 \
		-kernel "$bzimage" -initrd "$logs.initrd" \
		-append "$cmdline $append" \
		$qargs < /dev/null > "$logs.qemu.log" 2>&1
	rc=$?
	rm -f "$logs.initrd" "$logs.script.cpio.gz" "$logs.spec"
	status=$(tr -d '\r' < "$logs.com1.log" |
		sed -n 's/^VM-EXIT-STATUS: \([0-9]*\)$/\1/p' | tail -n 1)
	if [ -n "$status" ]; then
		echo "$status"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		echo 124
	else
		echo 125
	fi
}

# run_test N TEST: run TEST as result N, print its results indented and
# its own result line; false when it failed
run_test() {
	local n=$1 t=$2 name=${2%.sh} logs t0 rc con planned p f reported want ok=1
	logs=$out/logs/$name
	t0=$(date +%s)
	rc=$(run_vm "$t" "$logs")
	con=$(tr -d '\r' < "$logs.com1.log")
	echo "$con" | grep -E '^(KTAP version|1\.\.[0-9]+|(not )?ok [0-9]+|# )' |
		sed 's/^/    /'
	planned=$(echo "$con" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
	p=$(echo "$con" | grep -cE '^ok [0-9]+')
	f=$(echo "$con" | grep -cE '^not ok [0-9]+')
	reported=$((p + f))
	[ "$f" = 0 ] || ok=0
	# the spawned kernels' console, one more result each
	while IFS= read -r want; do
		if tr -d '\r' < "$logs.com2.log" | grep -F -- "$want" > /dev/null; then
			p=$((p + 1))
			echo "    ok $((p + f)) COM2 shows '$want'"
		else
			f=$((f + 1))
			ok=0
			echo "    not ok $((p + f)) COM2 shows '$want'"
		fi
	done < <(sed -n 's/^# com2-expect: //p' "$here/$t")
	case $rc in
	0) ;;
	124) echo "    # the VM did not power off within ${timeout}s"; ok=0 ;;
	125) echo "    # the VM stopped without reporting an exit status"; ok=0 ;;
	*) echo "    # exit status $rc"; ok=0 ;;
	esac
	if [ -z "$planned" ] || [ $reported != "$planned" ]; then
		echo "    # planned ${planned:-no} results, got $reported"
		ok=0
	fi
	sub_pass=$((sub_pass + p))
	sub_fail=$((sub_fail + f))
	if [ $ok = 0 ]; then
		echo "    # last lines of the host console ($logs.com1.log):"
		echo "$con" | tail -n 25 | sed 's/^/    # | /'
		echo "not ok $n $name # $(($(date +%s) - t0))s"
		return 1
	fi
	echo "ok $n $name # $(($(date +%s) - t0))s"
}

qemu=("${QEMU:-qemu-system-x86_64}")
command -v "${qemu[0]}" > /dev/null || die "${qemu[0]} not found"
build_kernel
build_progs
build_initramfs
mkdir -p "$out/logs"
accel=${ACCEL:-auto}
[ "$accel" = auto ] && accel=$(probe_accel)
case $accel in
kvm) accel_opt=kvm ;;
tcg) accel_opt=tcg,thread=multi ;;
*) die "ACCEL=$accel: kvm or tcg" ;;
esac

echo "KTAP version 1"
echo "1..${#tests[@]}"
echo "# accel=$accel kernel=$bzimage logs=$out/logs"
n=0 passed=0 failed=0 skipped=0 sub_pass=0 sub_fail=0
start=$(date +%s)
for t in "${tests[@]}"; do
	n=$((n + 1))
	why=$(skip_reason "$t")
	if [ -n "$why" ]; then
		echo "ok $n ${t%.sh} # SKIP $why"
		skipped=$((skipped + 1))
	elif run_test $n "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "# $((sub_pass)) subtests passed, $sub_fail failed, $(($(date +%s) - start))s"
echo "# Totals: pass:$passed fail:$failed skip:$skipped"
[ $failed = 0 ]
