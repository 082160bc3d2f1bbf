#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a static kexec from Debian's kexec-tools source package with
# tools/kexec-tools/multikernel.patch applied; the binary lands in
# build/kexec-tools/kexec and is installed in the host VM as /sbin/kexec.
# A patch that stops applying fails loudly and names the hunks.
# It compiles against the uapi headers of the assembled kernel (build/linux,
# headers_install into build/uapi): <linux/kexec.h> has KEXEC_MULTIKERNEL
# and KEXEC_MULTIKERNEL_ID().
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
patch=$top/tools/kexec-tools/multikernel.patch
dl=$build/kexec-tools-dl
src=$build/kexec-tools-src
out=$build/kexec-tools
ksrc=$build/linux
uapi=$build/uapi

# Debian's source package needs a deb-src entry; add one for bookworm main.
if ! ls "$dl"/kexec-tools_*.dsc >/dev/null 2>&1; then
	if ! apt-get source --print-uris kexec-tools >/dev/null 2>&1; then
		echo "kexec-tools: adding a deb-src entry for Debian bookworm"
		cat > /etc/apt/sources.list.d/multikernel-src.sources <<EOS
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
		apt-get update -qq
	fi
	mkdir -p "$dl"
	(cd "$dl" && apt-get source -qq --download-only kexec-tools 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	ls "$dl"/kexec-tools_*.dsc >/dev/null
fi
dsc=$(ls "$dl"/kexec-tools_*.dsc | head -n 1)
ver=$(sed -n 's/^Version: //p' "$dsc")

# The kernel's uapi headers (headers_install is incremental)
if [ -f "$ksrc/Makefile" ]; then
	mkdir -p "$uapi"
	make -s -C "$ksrc" headers_install INSTALL_HDR_PATH="$uapi" >/dev/null
fi
if ! grep -q KEXEC_MULTIKERNEL_ID "$uapi/include/linux/kexec.h" 2>/dev/null; then
	echo "kexec-tools: $uapi/include/linux/kexec.h has no KEXEC_MULTIKERNEL_ID;" \
		"assemble the kernel tree first (make tree)" >&2
	exit 1
fi
stamp="$ver $(cat "$patch" "$uapi/include/linux/kexec.h" | sha256sum | cut -c1-16)"
if [ -x "$out/kexec" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "kexec-tools: $ver + multikernel.patch up to date"
	exit 0
fi
echo "kexec-tools: building Debian kexec-tools $ver + multikernel.patch (static)"
rm -rf "$src"
dpkg-source -q -x "$dsc" "$src" >/dev/null 2>&1
if ! (cd "$src" && patch -p1 --dry-run -s < "$patch" > "$build/kexec-tools-patch.log" 2>&1); then
	echo "kexec-tools: multikernel.patch does not apply to kexec-tools $ver:" >&2
	cat "$build/kexec-tools-patch.log" >&2
	exit 1
fi
(cd "$src" && patch -p1 -s < "$patch")
(cd "$src" && ./configure -q --without-zlib --without-lzma --without-xen \
	CPPFLAGS="-I$uapi/include" LDFLAGS=-static > "$build/kexec-tools-configure.log" 2>&1) ||
	{ tail -n 20 "$build/kexec-tools-configure.log" >&2; exit 1; }
make -s -C "$src" -j"$(nproc)" > "$build/kexec-tools-make.log" 2>&1 ||
	{ grep -E 'error|Error' "$build/kexec-tools-make.log" | head -n 30 >&2; exit 1; }
mkdir -p "$out"
install -m 0755 "$src/build/sbin/kexec" "$out/kexec"
echo "$stamp" > "$out/.stamp"
echo "kexec-tools: $out/kexec ($("$out/kexec" --version 2>&1 | head -n 1))"
