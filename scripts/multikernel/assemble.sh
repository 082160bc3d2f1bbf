#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the patched kernel tree under $BUILD/linux:
#   1. extract pristine Linux 6.12 from Debian's linux-source-6.12 once,
#   2. copy our own files (new files at their in-tree paths),
#   3. apply the minimal diffs to upstream files kept under
#      scripts/multikernel/upstream/<path>.diff.
#
# Files are only rewritten when their content changes, so kbuild rebuilds
# just what an edit touched.  A diff that does not apply stops the build and
# names the file and the rejected hunk.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
tarball=/usr/src/linux-source-6.12.tar.xz
pristine=$build/pristine
tree=$build/linux
diffs=$top/scripts/multikernel/upstream

if [ ! -f "$tarball" ]; then
	echo "assemble: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)

if [ ! -f "$pristine/.extracted" ] || [ "$(cat "$pristine/.extracted")" != "$ver" ]; then
	echo "assemble: extracting linux-source-6.12 $ver"
	rm -rf "$pristine" "$tree"
	mkdir -p "$pristine"
	tar -C "$pristine" --strip-components=1 -xf "$tarball"
	echo "$ver" > "$pristine/.extracted"
fi
if [ ! -f "$tree/.assembled-from" ]; then
	echo "assemble: copying pristine tree to $tree"
	rm -rf "$tree"
	cp -a "$pristine" "$tree"
	rm -f "$tree/.extracted"
	echo "$ver" > "$tree/.assembled-from"
fi
echo "assemble: base linux-source-6.12 $ver ($(make -s -C "$pristine" kernelversion 2>/dev/null))"

# install SRC to DST only if the content differs (keeps mtimes stable)
install_if_changed() {
	if ! cmp -s "$1" "$2"; then
		mkdir -p "$(dirname "$2")"
		cp "$1" "$2"
		echo "  update $3"
	fi
}

# 1. our own files: everything tracked under the kernel-tree directories
#    except the diffs and the workbench scripts.
cd "$top"
git ls-files --cached --others --exclude-standard -- arch kernel include \
	Documentation tools scripts drivers init mm lib usr |
while read -r f; do
	case "$f" in
	scripts/multikernel/*) continue ;;	# the workbench, not the kernel
	tools/kexec-tools/*) continue ;;	# a patch to kexec-tools, not the kernel
	esac
	[ -f "$f" ] || continue
	if [ -f "$pristine/$f" ]; then
		echo "assemble: $f replaces an upstream file; keep a diff in $diffs instead" >&2
		exit 1
	fi
	install_if_changed "$top/$f" "$tree/$f" "$f"
done

# 2. diffs against upstream files, applied to a pristine copy of each file
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$diffs" -name '*.diff' 2>/dev/null | sort | while read -r d; do
	rel=${d#"$diffs"/}
	f=${rel%.diff}
	if [ ! -f "$pristine/$f" ]; then
		echo "assemble: $rel: upstream file $f does not exist" >&2
		exit 1
	fi
	mkdir -p "$tmp/a/$(dirname "$f")"
	cp "$pristine/$f" "$tmp/a/$f"
	if ! out=$(cd "$tmp/a" && patch -p1 --no-backup-if-mismatch -r - -s -F0 < "$d" 2>&1); then
		echo "assemble: FAILED to apply $rel to linux-source-6.12 $ver" >&2
		echo "$out" >&2
		# name the hunk that did not apply
		(cd "$tmp/a" && cp "$pristine/$f" "$f" &&
		 patch -p1 --dry-run --verbose -F0 < "$d" 2>&1 | grep -E 'Hunk|FAILED' >&2) || true
		exit 1
	fi
	install_if_changed "$tmp/a/$f" "$tree/$f" "$f (patched)"
done
# 3. our MAINTAINERS entry, inserted in alphabetical order
awk -v entry="$top/MAINTAINERS" '
	!done && /^MULTIMEDIA CARD \(MMC\) ETC. OVER SPI$/ {
		while ((getline l < entry) > 0) print l
		print ""
		done = 1
	}
	{ print }
	END { if (!done) exit 1 }' "$pristine/MAINTAINERS" > "$tmp/MAINTAINERS" ||
	{ echo "assemble: cannot place the MAINTAINERS entry" >&2; exit 1; }
install_if_changed "$tmp/MAINTAINERS" "$tree/MAINTAINERS" "MAINTAINERS (entry)"
echo "assemble: tree ready in $tree"
