#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side check (no VM): our reStructuredText parses with docutils, our
# ABI files render (scripts/get_abi.pl) to reStructuredText that parses,
# kernel-doc finds nothing to warn about in our sources, the values our
# documents give for constants are theirs, our documents are in a toctree,
# declare each C identifier once and name only documents that exist,
# Sphinx with the kernel's conf.py renders them and our ABI files without
# a warning, and our objects build with W=1 and sparse (C=2) without a
# single diagnostic.
#
# docutils alone does not know the kernel's Sphinx extensions.  The parse
# below registers stand-ins for the two we use.  "kernel-doc" runs the
# tree's scripts/kernel-doc on the named file with the directive's options,
# as Documentation/sphinx/kerneldoc.py does, fails on any kernel-doc
# warning (a misspelt identifier, an undocumented member) and parses what
# it produces, so that markup errors in a comment fail here as they warn
# in "make htmldocs" (the C domain's directives and roles are stubs).
# "kernel-figure" is a figure whose file must exist, be well-formed SVG
# (the only format we use) and have alternative text.
# The Sphinx test further down renders both for real.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
cd "$top"
rsts=$(git ls-files 'Documentation/*.rst')
abis=$(for f in $(git ls-files 'Documentation/ABI/*'); do [ -f "$f" ] && echo "$f"; done)
# our C sources and headers, and the upstream ones we patch
kdoc_srcs=$(git ls-files 'kernel/multikernel/*.[ch]' 'arch/x86/kernel/multikernel*.c' \
	'arch/x86/include/asm/multikernel*.h' 'arch/x86/include/uapi/asm/multikernel.h' \
	'include/linux/multikernel*.h' 'include/uapi/linux/multikernel.h')
kdoc_patched=$(cd scripts/multikernel/upstream && git ls-files '*.c.diff' '*.h.diff' |
	sed 's/\.diff$//')
objs="kernel/multikernel/chan.o kernel/multikernel/dev.o kernel/multikernel/guest.o
kernel/multikernel/pool.o kernel/multikernel/instance.o kernel/multikernel/host.o
kernel/multikernel/load.o kernel/multikernel/configfs.o kernel/multikernel/proc.o
kernel/multikernel/bench.o kernel/multikernel/lifecycle.o kernel/multikernel/guest_hostile.o
arch/x86/kernel/multikernel.o arch/x86/kernel/multikernel_start.o
arch/x86/kernel/multikernel_image.o arch/x86/kernel/multikernel_guest.o
arch/x86/kernel/multikernel_ipi.o arch/x86/kernel/multikernel_trampoline.o
arch/x86/kernel/multikernel_park.o"
echo "KTAP version 1"
echo "1..$(($(echo "$rsts" | wc -w) + 6))"
decls=$(mktemp)
for f in $rsts; do
	if err=$(MK_DOC_TREE="$build/linux" MK_DOC_DECLS="$decls" python3 - "$f" 2>&1 <<'PY'
import glob, os, re, subprocess, sys
import xml.etree.ElementTree as ET
import docutils.core
import docutils.utils
from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles
from docutils.parsers.rst.directives.images import Figure
from docutils.statemachine import StringList

srctree = os.path.abspath(os.environ['MK_DOC_TREE'])
decls = os.environ['MK_DOC_DECLS']


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
               '-rst', '-enable-lineno', '-Werror',
               '-sphinx-version', '3.4.3']
        ids = self.options.get('identifiers', self.options.get('functions'))
        patterns = []
        if 'export' in self.options:
            cmd.append('-export')
            patterns = self.options['export'].split()
        elif 'internal' in self.options:
            cmd.append('-internal')
            patterns = self.options['internal'].split()
        elif 'doc' in self.options:
            cmd += ['-function', self.options['doc']]
        elif ids is not None:
            cmd += [a for i in ids.split() for a in ('-function', i)] \
                if ids.split() else ['-no-doc-sections']
        for i in self.options.get('no-identifiers', '').split():
            cmd += ['-nosymbol', i]
        for p in patterns:
            files = glob.glob(os.path.join(srctree, p))
            if not files:
                raise self.error('kernel-doc: no file matches %s' % p)
            cmd += [a for f in files for a in ('-export-file', f)]
        r = subprocess.run(cmd + [path], capture_output=True, text=True)
        if r.returncode or 'warning' in r.stderr or not r.stdout.strip():
            raise self.error('kernel-doc %s: %s' % (
                ' '.join(cmd[2:] + [self.arguments[0]]),
                r.stderr.strip() or 'no output'))
        # parse the output in place, each line attributed to its source line
        lines = StringList()
        lineno = 0
        for line in r.stdout.splitlines():
            m = re.match(r'^\.\. LINENO ([0-9]+)$', line)
            if m:
                lineno = int(m.group(1)) - 1
                continue
            lines.append(line, self.arguments[0], lineno)
            lineno += 1
        node = nodes.section()
        self.state.nested_parse(lines, 0, node, match_titles=1)
        return node.children


class CDomainStub(Directive):
    """The C domain's object directives (c:function, c:struct, ...):
    the signature is Sphinx's business, the body must parse.  The names
    declared go to MK_DOC_DECLS: Sphinx warns about one declared twice."""
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self):
        name = re.sub(r'\(.*', '', self.arguments[0]).split()[-1]
        with open(decls, 'a') as f:
            f.write('%s %s\n' % (name.lstrip('*'), sys.argv[1]))
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def literal_role(name, rawtext, text, lineno, inliner, options={},
                 content=[]):
    """:c:type:, :c:func:, :ref:, :doc:, ... resolve only in Sphinx."""
    return [nodes.literal(rawtext, text)], []


class KernelFigure(Figure):
    """Stand-in for Documentation/sphinx/kfigure.py's kernel-figure."""

    def run(self):
        here = os.path.dirname(os.path.abspath(sys.argv[1]))
        name = self.arguments[0]
        path = os.path.join(here, name)
        if not os.path.isfile(path):
            raise self.error('kernel-figure: no such file %s' % name)
        if not name.endswith('.svg'):
            raise self.error('kernel-figure: %s: only SVG is checked' % name)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            raise self.error('kernel-figure: %s: not well-formed: %s' %
                             (name, e))
        if root.tag != '{http://www.w3.org/2000/svg}svg':
            raise self.error('kernel-figure: %s: root element is %s, not '
                             'an SVG svg element' % (name, root.tag))
        if not self.options.get('alt', '').strip():
            raise self.error('kernel-figure: %s: no :alt: text' % name)
        return super().run()


directives.register_directive('kernel-doc', KernelDoc)
directives.register_directive('kernel-figure', KernelFigure)
for d in ('function', 'macro', 'struct', 'union', 'enum', 'enumerator',
          'type', 'var', 'member'):
    directives.register_directive('c:' + d, CDomainStub)
for r in ('func', 'macro', 'struct', 'union', 'enum', 'enumerator', 'type',
          'var', 'member', 'expr', 'texpr'):
    roles.register_local_role('c:' + r, literal_role)
for r in ('ref', 'doc'):
    roles.register_local_role(r, literal_role)
try:
    docutils.core.publish_doctree(open(sys.argv[1]).read(),
        source_path=sys.argv[1],
        settings_overrides={'report_level': 2, 'halt_level': 2})
except docutils.utils.SystemMessage:
    sys.exit(1)  # the reporter has printed the message
PY
	); then
		ok "reStructuredText parses: $f"
	else
		echo "$err" | head -4 | sed 's/^/# /'
		nok "rst: $f"
	fi
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
# kernel-doc with every warning on: our comments complete (members,
# parameters, return values), and no new warning in the files we patch
kdoc() { (cd "$1" && perl "$build/linux/scripts/kernel-doc" -Wall -none "$2" 2>&1); }
out=$(for f in $kdoc_srcs; do kdoc "$build/linux" "$f"; done
      for f in $kdoc_patched; do
	comm -13 <(kdoc "$build/pristine" "$f" | sed 's/:[0-9]*:/:/' | sort) \
		 <(kdoc "$build/linux" "$f" | sed 's/:[0-9]*:/:/' | sort)
      done)
if [ -z "$out" ]; then
	ok "kernel-doc -Wall reports nothing for our sources and no new warning for" \
		"the $(echo $kdoc_patched | wc -w) files we patch"
else
	echo "$out" | head -20 | sed 's/^/# /'
	nok "kernel-doc -Wall warnings"
fi
# Numbers our documents give for constants must be theirs: the shared
# area's table in DOC: Shared area layout (the one layout our comments
# still give in numbers) against the constants each row names, and every
# "``NAME`` (N)" and table row "NAME  N  ``file``" in our documents against
# NAME's #define in our sources and the upstream files we patch
if err=$(cd "$build/linux" && MK_TOP=$top MK_DOCS="$rsts" \
	 python3 - $kdoc_srcs $kdoc_patched 2>&1 <<'PY'
import os, re, sys
d, bad = {}, []
for f in sys.argv[1:]:
    for m in re.finditer(r'^#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|[0-9]+)U?L?\)?\s*(/\*.*)?$',
                         open(f).read(), re.M):
        d[m.group(1)] = int(m.group(2), 0)
text = open('include/uapi/linux/multikernel.h').read()
doc = text[text.index('DOC: Shared area layout'):]
doc = doc[:doc.index('*/')]
rows = [(int(a, 16), int(b, 16) + 1) for a, b in re.findall(
    r'^ \* (0x[0-9a-f]+) - (0x[0-9a-f]+) ', doc, re.M)]
pt = d['MULTIKERNEL_PT_OFFSET'] + d['MULTIKERNEL_PT_PAGES'] * 4096
con = d['MK_CONSOLE_OFFSET'] + d['MK_CONSOLE_HDR_SIZE']
want = [(d['MULTIKERNEL_BOOT_HDR_OFFSET'], d['MULTIKERNEL_INFO_OFFSET']),
        (d['MULTIKERNEL_INFO_OFFSET'],
         d['MULTIKERNEL_INFO_OFFSET'] + d['MULTIKERNEL_INFO_MAX_SIZE']),
        (d['MULTIKERNEL_PT_OFFSET'], pt),
        (pt, d['MK_CHAN_OFFSET']),
        (d['MK_CHAN_OFFSET'],
         d['MK_CHAN_OFFSET'] + d['MK_NR_RINGS'] * d['MK_RING_STRIDE']),
        (d['MK_CONSOLE_OFFSET'], con),
        (con, con + d['MK_CONSOLE_SIZE']),
        (con + d['MK_CONSOLE_SIZE'], d['MULTIKERNEL_STACK_OFFSET']),
        (d['MULTIKERNEL_STACK_OFFSET'],
         d['MULTIKERNEL_STACK_OFFSET'] + d['MULTIKERNEL_STACK_SIZE'])]
fmt = lambda r: '0x%06x - 0x%06x' % (r[0], r[1] - 1)
for i, (a, b) in enumerate(zip(rows, want)):
    if a != b:
        bad.append('shared area table row %d reads %s, the constants give %s' %
                   (i + 1, fmt(a), fmt(b)))
if len(rows) != len(want) or want[-1][1] != d['MULTIKERNEL_SHARED_SIZE']:
    bad.append('shared area table: %d rows, %d expected, ending at 0x%x of 0x%x' %
               (len(rows), len(want), rows[-1][1], d['MULTIKERNEL_SHARED_SIZE']))
unit = {'': 1, 'KiB': 1 << 10, 'MiB': 1 << 20, 'GiB': 1 << 30, 'ms': 1, 's': 1}
n = 0
for rel in os.environ['MK_DOCS'].split():
    t = open(os.path.join(os.environ['MK_TOP'], rel)).read()
    for m in list(re.finditer(r'``([A-Z][A-Z0-9_]+)``,?\s+\((0x[0-9a-fA-F]+|[0-9]+)'
                              r'\s*(KiB|MiB|GiB|ms|s)?\)', t)) + \
            list(re.finditer(r'^([A-Z][A-Z0-9_]+) +(0x[0-9a-fA-F]+|[0-9]+)()'
                             r' +``[\w/.-]+``$', t, re.M)):
        name, val = m.group(1), int(m.group(2), 0) * unit[m.group(3) or '']
        line = t.count('\n', 0, m.start()) + 1
        n += 1
        if name not in d:
            bad.append('%s:%d: %s: no numeric #define in our sources' %
                       (rel, line, name))
        elif d[name] != val:
            bad.append('%s:%d: %s is %s here, %d (%#x) in its #define' %
                       (rel, line, name, ' '.join(m.group(2, 3)).strip(),
                        d[name], d[name]))
if bad:
    sys.exit('\n'.join(bad))
print(n)
PY
	); then
	ok "the shared area's offset table and the $err values our documents give" \
		"for constants agree with their definitions"
else
	echo "$err" | head -20 | sed 's/^/# /'
	nok "documented values of constants are stale"
fi
# what "make htmldocs" warns about across documents: one outside every
# toctree, a C identifier declared twice (by two kernel-doc directives);
# and a named document that does not exist is a dangling link
out=$(for n in $(cut -d' ' -f1 "$decls" | sort | uniq -d); do
	echo "$n declared more than once:" $(grep "^$n " "$decls" | cut -d' ' -f2)
      done
      for f in $rsts; do
	grep -qE "^[[:space:]]+$(basename "$f" .rst)\$" "$build/linux/$(dirname "$f")/index.rst" ||
		echo "$f: not in $(dirname "$f")/index.rst"
      done
      grep -oE 'Documentation/[A-Za-z0-9_./-]*[A-Za-z0-9_]' /dev/null $rsts $abis $kdoc_srcs \
	kernel/multikernel/Kconfig | sort -u | while IFS=: read -r f d; do
	[ -e "$build/linux/$d" ] || echo "$f: names $d, which does not exist"
      done)
if [ -z "$out" ]; then
	ok "our documents are in a toctree, declare $(wc -l < "$decls") C identifiers" \
		"once each and name only documents that exist"
else
	echo "$out" | head -20 | sed 's/^/# /'
	nok "documents outside a toctree, C identifiers declared twice or dangling document names"
fi
rm -f "$decls"
# "make htmldocs" for our documents alone: Sphinx with the kernel's own
# conf.py and extensions (kernel-doc, kernel-figure, kernel-abi for our
# ABI files, the C domain, automarkup, section labels) renders them, and
# any warning fails.  The stand-ins above check what Sphinx lets pass
# (kernel-doc's own warnings, which its directive does not show; figures'
# well-formedness and alt text); this checks what only Sphinx knows: C
# declarations it cannot parse, labels and declarations that clash,
# references it cannot resolve.
sph=$(mktemp -d)
mkdir -p "$sph/Documentation/ABI/testing" "$sph/scripts"
cp -a "$build/linux/Documentation/"{conf.py,sphinx,sphinx-static,images} "$sph/Documentation/"
cp "$build/linux/scripts/get_abi.pl" "$sph/scripts/"
cp $abis "$sph/Documentation/ABI/testing/"
for f in $(git ls-files 'Documentation/*.rst' 'Documentation/*.svg'); do
	mkdir -p "$sph/$(dirname "$f")" && cp "$f" "$sph/$f"
done
printf 'ABI\n===\n\n.. kernel-abi:: ABI/testing\n   :rst:\n' > "$sph/Documentation/abi.rst"
{ printf 'multikernel\n===========\n\n.. toctree::\n\n   abi\n'
  for f in $rsts; do f=${f#Documentation/}; echo "   ${f%.rst}"; done
} > "$sph/Documentation/index.rst"
out=$(cd "$sph/Documentation" && srctree=$sph sphinx-build -q -b html \
	-D kerneldoc_srctree="$build/linux" -D kerneldoc_bin="$build/linux/scripts/kernel-doc" \
	-d "$sph/doctrees" . "$sph/html" 2>&1 | sed "s|$sph/||g" |
	grep -v -e '^Using .* theme$' -e 'WARNING: dot(1) not found')
if [ -z "$out" ] && [ -f "$sph/html/index.html" ]; then
	ok "Sphinx ($(sphinx-build --version 2>&1)) with the kernel's conf.py renders our" \
		"documents and ABI files without a warning"
else
	echo "$out" | head -20 | sed 's/^/# /'
	nok "Sphinx warnings"
fi
rm -rf "$sph"
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
