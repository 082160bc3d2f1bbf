#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side check (no VM): our reStructuredText parses with docutils, our
# ABI files render (scripts/get_abi.pl) to reStructuredText that parses, our
# objects build with W=1 and sparse (C=2) without a single diagnostic.
#
# docutils alone does not know the kernel's Sphinx extensions.  The parse
# below registers stand-ins for the two we use: "kernel-doc" runs the
# tree's scripts/kernel-doc on the named file with the directive's options
# and fails on any kernel-doc warning (a misspelt identifier, an
# undocumented member) and parses what a DOC: section produces,
# "kernel-figure" is a figure whose file must exist.
# The kernel's own "make htmldocs" renders both for real.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
cd "$top"
rsts=$(git ls-files 'Documentation/*.rst')
abis=$(for f in $(git ls-files 'Documentation/ABI/*'); do [ -f "$f" ] && echo "$f"; done)
objs="kernel/multikernel/chan.o kernel/multikernel/dev.o kernel/multikernel/guest.o
kernel/multikernel/pool.o kernel/multikernel/instance.o kernel/multikernel/host.o
kernel/multikernel/load.o kernel/multikernel/configfs.o kernel/multikernel/proc.o
kernel/multikernel/bench.o kernel/multikernel/lifecycle.o kernel/multikernel/guest_hostile.o
arch/x86/kernel/multikernel.o arch/x86/kernel/multikernel_start.o
arch/x86/kernel/multikernel_image.o arch/x86/kernel/multikernel_guest.o
arch/x86/kernel/multikernel_ipi.o arch/x86/kernel/multikernel_trampoline.o"
echo "KTAP version 1"
echo "1..$(($(echo "$rsts" | wc -w) + 2))"
for f in $rsts; do
	if err=$(MK_DOC_TREE="$build/linux" python3 - "$f" 2>&1 <<'PY'
import os, subprocess, sys
import docutils.core
import docutils.utils
from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.directives.images import Figure
from docutils.statemachine import StringList

srctree = os.path.abspath(os.environ['MK_DOC_TREE'])


class KernelDoc(Directive):
    """Stand-in for Documentation/sphinx/kerneldoc.py: same options."""
    required_arguments = 1
    optional_arguments = 4
    final_argument_whitespace = True
    option_spec = {'doc': directives.unchanged_required,
                   'export': directives.unchanged,
                   'internal': directives.unchanged,
                   'identifiers': directives.unchanged,
                   'no-identifiers': directives.unchanged,
                   'functions': directives.unchanged}

    def run(self):
        path = os.path.join(srctree, self.arguments[0])
        if not os.path.isfile(path):
            raise self.error('kernel-doc: no such file %s' % path)
        cmd = ['perl', os.path.join(srctree, 'scripts', 'kernel-doc'),
               '-rst', '-Werror', '-sphinx-version', '3.4.3']
        ids = self.options.get('identifiers', self.options.get('functions'))
        if 'export' in self.options:
            cmd.append('-export')
        elif 'internal' in self.options:
            cmd.append('-internal')
        elif 'doc' in self.options:
            cmd += ['-function', self.options['doc']]
        elif ids is not None:
            cmd += [a for i in ids.split() for a in ('-function', i)] \
                if ids.split() else ['-no-doc-sections']
        for i in self.options.get('no-identifiers', '').split():
            cmd += ['-nosymbol', i]
        r = subprocess.run(cmd + [path], capture_output=True, text=True)
        if r.returncode or 'warning' in r.stderr or not r.stdout.strip():
            raise self.error('kernel-doc %s: %s' % (
                ' '.join(cmd[2:] + [self.arguments[0]]),
                r.stderr.strip() or 'no output'))
        if 'doc' not in self.options:
            return []   # C-domain markup only Sphinx knows
        # a DOC: section is plain reStructuredText: parse it in place
        node = nodes.section()
        self.state.nested_parse(StringList(r.stdout.splitlines(),
                                           self.arguments[0]), 0, node,
                                match_titles=1)
        return node.children


class KernelFigure(Figure):
    """Stand-in for Documentation/sphinx/kfigure.py's kernel-figure."""

    def run(self):
        here = os.path.dirname(os.path.abspath(sys.argv[1]))
        if not os.path.isfile(os.path.join(here, self.arguments[0])):
            raise self.error('kernel-figure: no such file %s' %
                             self.arguments[0])
        return super().run()


directives.register_directive('kernel-doc', KernelDoc)
directives.register_directive('kernel-figure', KernelFigure)
try:
    docutils.core.publish_doctree(open(sys.argv[1]).read(),
        source_path=sys.argv[1],
        settings_overrides={'report_level': 2, 'halt_level': 2})
except docutils.utils.SystemMessage:
    sys.exit(1)  # the reporter has printed the message
PY
	); then ok "reStructuredText parses: $f"; else echo "$err" | tail -3 | sed 's/^/# /'; nok "rst: $f"; fi
done
# The ABI files as "make htmldocs" renders them; :doc: and :ref: are Sphinx's.
abidir=$(mktemp -d)
cp $abis "$abidir/"
if err=$( (perl "$build/linux/scripts/get_abi.pl" --dir "$abidir" rest 2>&1 >"$abidir/out.rst" &&
	python3 - "$abidir/out.rst" <<'PY'
import re, sys
import docutils.core
import docutils.utils
text = re.sub(r':(doc|ref):`([^`]*)`', r'``\2``', open(sys.argv[1]).read())
try:
    docutils.core.publish_doctree(text, source_path=sys.argv[1],
        settings_overrides={'report_level': 2, 'halt_level': 2})
except docutils.utils.SystemMessage:
    sys.exit(1)
PY
	) 2>&1) && [ -z "$err" ]; then
	ok "ABI files render:" $abis
else
	echo "$err" | tail -5 | sed 's/^/# /'
	nok "ABI files render"
fi
rm -rf "$abidir"
srcs=
for o in $objs; do
	for s in "${o%.o}.c" "${o%.o}.S"; do
		[ -f "$build/linux/$s" ] && srcs="$srcs $build/linux/$s"
	done
done
missing=$(for o in $objs; do
	[ -f "$build/linux/${o%.o}.c" ] || [ -f "$build/linux/${o%.o}.S" ] || echo "$o"
done)
[ -n "$srcs" ] && touch $srcs
out=$(make -s -C "$build/linux" W=1 C=2 $objs 2>&1)
if [ -z "$out" ] && [ -z "$missing" ]; then
	ok "W=1 and sparse report nothing for our objects"
else
	[ -n "$missing" ] && echo "# no source for:" $missing
	echo "$out" | head -20 | sed 's/^/# /'
	nok "W=1 / sparse diagnostics"
fi
echo "# $((n - fail)) passed, $fail failed"
[ $fail = 0 ]
