#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of make check's debug pass in $BUILD/linux-debug:
# the same sources as $BUILD/linux (run assemble.sh first), configured as
# tinyconfig + the test VM fragments + tools/testing/selftests/multikernel/
# config.debug (KASAN, lockdep, UBSAN, KFENCE, debugobjects, kmemleak...).
#
# $BUILD/linux is built in-tree, so the debug kernel gets its own copy of
# the sources: the pristine tree once, then on every run the files that
# assemble.sh puts on top of it (our files, patched upstream files,
# MAINTAINERS), copied from $BUILD/linux when their content changed.  A file
# that left that set since the last run gets its pristine content back (or
# is removed when it has none).  Keep the list in step with assemble.sh.
#
#   build-debug-kernel.sh [--tree NAME] FRAGMENT...   (the Makefile passes all three)
#
# --tree NAME builds another configuration of the same sources the same way,
# in $BUILD/NAME (default linux-debug; make kernel-rt: linux-rt).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
pristine=$build/pristine
src=$build/linux
name=linux-debug
if [ "${1:-}" = --tree ]; then
	name=$2
	shift 2
fi
tree=$build/$name
tag=kernel-${name#linux-}
jobs=${JOBS:-$(nproc)}
[ $# -ge 1 ] || { echo "usage: build-debug-kernel.sh [--tree NAME] FRAGMENT..." >&2; exit 2; }
[ -f "$src/.assembled-from" ] || { echo "$tag: $src not assembled (run make tree)" >&2; exit 1; }
t0=$(date +%s)

if [ ! -f "$tree/.assembled-from" ] ||
   [ "$(cat "$tree/.assembled-from")" != "$(cat "$src/.assembled-from")" ]; then
	echo "$tag: copying pristine tree to $tree"
	rm -rf "$tree"
	cp -a "$pristine" "$tree"
	rm -f "$tree/.extracted"
	: > "$tree/.mk-files"
	cp "$src/.assembled-from" "$tree/.assembled-from"
fi

# the files assemble.sh lays over the pristine tree
cd "$top"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	git ls-files --cached --others --exclude-standard -- arch kernel include \
		Documentation tools scripts drivers init mm lib usr |
		grep -v -e '^scripts/multikernel/' -e '^tools/kexec-tools/' |
		while read -r f; do [ -f "$f" ] && echo "$f"; done
	(cd scripts/multikernel/upstream && find . -name '*.diff' | sed 's|^\./||; s|\.diff$||')
	echo MAINTAINERS
} | sort -u > "$list"

while read -r f; do
	if [ ! -f "$src/$f" ]; then
		echo "$tag: $src/$f missing (assemble.sh did not run?)" >&2
		exit 1
	fi
	if ! cmp -s "$src/$f" "$tree/$f"; then
		mkdir -p "$(dirname "$tree/$f")"
		cp "$src/$f" "$tree/$f"
		echo "  update $f"
	fi
done < "$list"
comm -23 "$tree/.mk-files" "$list" | while read -r f; do
	if [ -f "$pristine/$f" ]; then
		cp "$pristine/$f" "$tree/$f"
		echo "  restore $f (pristine)"
	else
		rm -f "$tree/$f"
		echo "  remove $f"
	fi
done
cp "$list" "$tree/.mk-files"

# configuration: redone when a fragment changed since the last one
stamp=$(cat "$@" | sha256sum | cut -c1-16)
if [ ! -f "$tree/.config" ] || [ "$(cat "$tree/.mk-config" 2>/dev/null)" != "$stamp" ]; then
	echo "$tag: config: tinyconfig + $*"
	make -s -C "$tree" tinyconfig >/dev/null
	frags=()
	for f in "$@"; do frags+=("$(realpath "$f")"); done
	(cd "$tree" && scripts/kconfig/merge_config.sh -m -O . .config "${frags[@]}" >/dev/null)
	make -s -C "$tree" olddefconfig >/dev/null
	"$top/scripts/multikernel/check-config.sh" "$tree/.config" "$@"
	echo "$stamp" > "$tree/.mk-config"
fi

echo "$tag: building bzImage ($jobs jobs)"
make -s -C "$tree" -j"$jobs" bzImage
img=$tree/arch/x86/boot/bzImage
echo "$tag: $img ($(stat -c %s "$img") bytes, $(cat "$tree/include/config/kernel.release"), $(( $(date +%s) - t0 ))s)"
