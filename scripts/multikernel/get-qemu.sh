#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# get-qemu.sh: a newer QEMU beside the distribution's, for the tests that
# need a CPU model QEMU 7.2's TCG lacks (x2APIC: test_x2apic.sh).
#
# Debian bookworm-backports' qemu-system-x86 (QEMU 10) is downloaded with
# a private apt source list and state (the system's sources and package
# state are left alone; no root needed) and unpacked with dpkg -x into
# $BUILD/qemu: $BUILD/qemu/usr/bin/qemu-system-x86_64, firmware in
# $BUILD/qemu/usr/share/qemu (vm.sh passes it with -L).  Nothing is
# installed.  A second run with the binary in place does nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
dest=$build/qemu
bin=$dest/usr/bin/qemu-system-x86_64
suite=bookworm-backports
pkgs="qemu-system-x86 qemu-system-data qemu-system-common"

if [ -x "$bin" ] && "$bin" --version > /dev/null 2>&1; then
	exit 0
fi
apt=$build/qemu-apt
rm -rf "$apt" "$dest"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$dest"
echo "deb http://deb.debian.org/debian $suite main" > "$apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
      -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0")
# as root, apt's _apt download user cannot write into $BUILD
[ "$(id -u)" != 0 ] || opts+=(-o "APT::Sandbox::User=root")
echo "get-qemu: qemu-system-x86 from $suite into $dest"
apt-get "${opts[@]}" -qq update
(cd "$apt/debs" && apt-get "${opts[@]}" -qq download $(printf "%s/$suite " $pkgs))
for d in "$apt"/debs/*.deb; do
	dpkg -x "$d" "$dest"
done
rm -rf "$apt"
"$bin" --version | head -n 1 | sed 's/^/get-qemu: /'
