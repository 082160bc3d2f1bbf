#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The KUnit suites of multikernel (CONFIG_MULTIKERNEL_KUNIT_TEST): the
# channel's rings and receive parser, the pool, the image and boot_params
# checks, the spawned kernel's boot information rules and console ring, and
# the configfs parsers.  They are built into the host kernel but only run
# where the command line says kunit.enable=1: the kernel runs them at boot,
# before user space.  Each case of that run is one result here (its
# parameters are part of it), a skipped case counts as failed (the VM has
# what every case needs), and each suite must pass again when run through
# debugfs after boot, when init code and data are gone.
# vm-append: kunit.enable=1
# vm-debug: yes
MK_DIR=$(cd "$(dirname "$0")" && pwd)
[ -f "$MK_DIR/lib.sh" ] || MK_DIR=/usr/share/kselftest/multikernel
. "$MK_DIR/lib.sh"

KUNIT=/sys/kernel/debug/kunit
SUITES="multikernel_chan multikernel_pool multikernel_configfs multikernel_image"
SUITES="$SUITES multikernel_guest_boot_info multikernel_guest_console multikernel_unpack"
CASES=/tmp/kunit-cases

mk_require_feature
mk_require_cmdline kunit.enable=1
for s in $SUITES; do
	mk_require_file "$KUNIT/$s/results" "CONFIG_KUNIT_DEBUGFS, CONFIG_MULTIKERNEL_KUNIT_TEST"
done
# the boot run's case lines, "SUITE ok|not ok N NAME [# DIRECTIVE]"; the
# results of a case's parameters are indented further
: > $CASES
for s in $SUITES; do
	sed -n "s/^    \(\(not \)\{0,1\}ok [0-9]\{1,\} \)/$s \1/p" "$KUNIT/$s/results" >> $CASES
done
ktap_print_header
ktap_set_plan $(($(wc -l < $CASES) + $(echo $SUITES | wc -w)))

# show SUITE: its results file as diagnostics
show() {
	sed 's/^/# /' "$KUNIT/$1/results"
}

failed=""
while read -r suite st rest; do
	[ "$st" = not ] && rest=${rest#ok }
	name=${rest#* }
	case "$st $name" in
	"ok "*"# SKIP"*)
		ktap_test_fail "$suite: ${name%% # SKIP*} (skipped:${name#* # SKIP})" ;;
	"ok "*)
		ktap_test_pass "$suite: $name"
		continue ;;
	*)
		ktap_test_fail "$suite: $name" ;;
	esac
	case " $failed " in *" $suite "*) ;; *) failed="$failed $suite" ;; esac
done < $CASES
for s in $failed; do
	ktap_print_msg "$s at boot:"
	show "$s"
done

# after boot, through debugfs: the suite's last line is its result
for s in $SUITES; do
	echo run > "$KUNIT/$s/run"
	if [ "$(tail -n 1 "$KUNIT/$s/results")" = "ok 1 $s" ] &&
	   ! grep -q "# SKIP" "$KUNIT/$s/results"; then
		ktap_test_pass "$s passes when run again after boot"
	else
		ktap_test_fail "$s passes when run again after boot"
		show "$s"
	fi
done
ktap_finished
