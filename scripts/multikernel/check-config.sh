#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail if an option requested by a config fragment did not end up in .config.
set -euo pipefail
cfg=$1; shift
rc=0
for frag in "$@"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			if ! grep -qxF -- "$line" "$cfg"; then
				echo "config: $frag wants '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo unset)'" >&2
				rc=1
			fi ;;
		esac
	done < "$frag"
done
exit $rc
