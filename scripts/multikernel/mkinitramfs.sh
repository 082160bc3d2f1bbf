#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the two initramfs images used by the QEMU harness:
#   build/initramfs/spawn.cpio     busybox + an /init that runs the arguments
#                                  given after "--" on the kernel command line,
#                                  uncompressed: a start does not inflate it
#   build/initramfs/host.cpio.gz   busybox + host /init + the test programs,
#                                  the spawn kernels and the spawn initramfs images
#   build/initramfs/spawn-rt.cpio.gz  spawn.cpio plus Debian's cyclictest
#                                  (rt-tests) and its shared libraries
#   build/initramfs/host-debug.cpio.gz  (--debug) the same with the debug kernel
#
# Layout inside the host VM (documented in README):
#   /boot/bzImage          kernel for spawned instances (same as the host's)
#   /boot/spawn.cpio       initramfs for spawned instances (uncompressed)
#   /boot/bzImage-rt       the PREEMPT_RT spawn kernel (make kernel-rt)
#   /boot/spawn-rt.cpio.gz initramfs for it, with cyclictest
#   /boot/bzImage.signed   /boot/bzImage signed with the test key the kernel
#                          trusts (build/keys, see the Makefile)
#   /usr/bin/<prog>        static test programs from tools/testing/selftests/multikernel
#   /usr/share/kselftest   the tree "make install" of the selftests writes:
#     multikernel/         test scripts and lib.sh
#     kselftest/ktap_helpers.sh  upstream's KTAP helpers, which lib.sh sources
#     cpu-hotplug/cpu-on-off-test.sh  upstream's, with /bin/bash
#   /vm/run.sh             the script given to vm.sh (added per run)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
st=$top/tools/testing/selftests/multikernel
out=$build/initramfs
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: $busybox missing (busybox-static)" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	{ echo "mkinitramfs: $busybox is not static" >&2; exit 1; }

mkdir -p "$out"
stage() {
	rm -rf "$1"
	mkdir -p "$1"/{bin,sbin,dev,proc,sys,tmp,boot,usr/bin,vm,etc}
	cp "$busybox" "$1/bin/busybox"
	mknod -m 600 "$1/dev/console" c 5 1
	mknod -m 666 "$1/dev/null" c 1 3
}
# pack ROOT OUT [plain]: a newc cpio archive of ROOT, gzip'ed unless plain
pack() {
	(cd "$1" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) |
		if [ "${3:-}" = plain ]; then cat; else gzip -1; fi > "$2.tmp"
	mv "$2.tmp" "$2"
}

# sign_kernel ROOT: ROOT/boot/bzImage.signed, ROOT/boot/bzImage signed with
# the test key (kexec_file_load() checks it with CONFIG_KEXEC_SIG)
sign_kernel() {
	local key=$build/keys/kexec-test out
	out=$(sbsign --key "$key.key" --cert "$key.pem" \
		--output "$1/boot/bzImage.signed" "$1/boot/bzImage" 2>&1) ||
		{ echo "mkinitramfs: sbsign: $out" >&2; exit 1; }
}

# --debug (make initramfs-debug, after make initramfs): the debug pass's host
# image build/initramfs/host-debug.cpio.gz, the host image with the debug
# kernel (make kernel-debug) as /boot/bzImage, so that spawns run it too
if [ "${1:-}" = --debug ]; then
	dbg=$build/linux-debug/arch/x86/boot/bzImage
	for f in "$dbg" "$out/host-root/init"; do
		[ -f "$f" ] || { echo "mkinitramfs: $f missing (make kernel-debug initramfs)" >&2; exit 1; }
	done
	d=$out/host-debug-root
	rm -rf "$d"
	cp -a "$out/host-root" "$d"
	install -m 0644 "$dbg" "$d/boot/bzImage"
	sign_kernel "$d"
	pack "$d" "$out/host-debug.cpio.gz"
	echo "initramfs: $out/host-debug.cpio.gz ($(stat -c %s "$out/host-debug.cpio.gz") bytes, debug kernel)"
	exit 0
fi

# spawned-instance initramfs
s=$out/spawn-root
stage "$s"
install -m 0755 "$st/spawn-init.sh" "$s/init"
for p in "$build"/progs/*; do
	[ -x "$p" ] && install -m 0755 "$p" "$s/usr/bin/"
done
pack "$s" "$out/spawn.cpio" plain

# the RT spawn's initramfs: the same plus Debian's cyclictest (rt-tests),
# the shared libraries it links and their loader at the paths ldd names
# install_libs ROOT PROG: the shared libraries PROG links and their loader
install_libs() {
	local libs l
	libs=$(ldd "$2" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	[ -n "$libs" ] || { echo "mkinitramfs: ldd found no libraries of $2" >&2; exit 1; }
	for l in $libs; do
		mkdir -p "$1$(dirname "$l")"
		cp -L "$l" "$1$l"
	done
}
cyclictest=/usr/bin/cyclictest
[ -x "$cyclictest" ] || { echo "mkinitramfs: $cyclictest missing (rt-tests)" >&2; exit 1; }
r=$out/spawn-rt-root
rm -rf "$r"
cp -a "$s" "$r"
install -m 0755 "$cyclictest" "$r/usr/bin/cyclictest"
install_libs "$r" "$cyclictest"
pack "$r" "$out/spawn-rt.cpio.gz"

# host initramfs
h=$out/host-root
stage "$h"
install -m 0755 "$st/host-init.sh" "$h/init"
install -m 0644 "$build/linux/arch/x86/boot/bzImage" "$h/boot/bzImage"
sign_kernel "$h"
install -m 0644 "$out/spawn.cpio" "$h/boot/spawn.cpio"
install -m 0644 "$build/linux-rt/arch/x86/boot/bzImage" "$h/boot/bzImage-rt"
install -m 0644 "$out/spawn-rt.cpio.gz" "$h/boot/spawn-rt.cpio.gz"
for p in "$build"/progs/*; do
	[ -x "$p" ] && install -m 0755 "$p" "$h/usr/bin/"
done
ks=$h/usr/share/kselftest
mkdir -p "$ks/multikernel" "$ks/kselftest"
for t in "$st"/*.sh; do
	install -m 0755 "$t" "$ks/multikernel/"
done
install -m 0644 "$build/linux/tools/testing/selftests/kselftest/ktap_helpers.sh" \
	"$ks/kselftest/"
if [ -x "$build/kexec-tools/kexec" ]; then
	install -m 0755 "$build/kexec-tools/kexec" "$h/sbin/kexec"
fi
# upstream's CPU hotplug selftest, unchanged (test_lent_hotplug.sh), and
# the bash it is written for
hotplug_test=$build/linux/tools/testing/selftests/cpu-hotplug/cpu-on-off-test.sh
[ -f "$hotplug_test" ] || { echo "mkinitramfs: $hotplug_test missing" >&2; exit 1; }
mkdir -p "$ks/cpu-hotplug"
install -m 0755 "$hotplug_test" "$ks/cpu-hotplug/"
install -m 0755 /bin/bash "$h/bin/bash"
install_libs "$h" /bin/bash
pack "$h" "$out/host.cpio.gz"
echo "initramfs: $out/host.cpio.gz ($(stat -c %s "$out/host.cpio.gz") bytes), spawn.cpio ($(stat -c %s "$out/spawn.cpio") bytes), spawn-rt.cpio.gz ($(stat -c %s "$out/spawn-rt.cpio.gz") bytes)"
