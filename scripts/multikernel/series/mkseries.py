#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the multikernel patch series.

Commits are built with git plumbing on top of a commit of the pristine
Debian linux-source-6.12 tree (build/series-git), one per block of
scripts/multikernel/series/patches.txt, from the files of the assembled
tree (build/linux).  The result is written with git format-patch and a
cover letter to series/.

  mkseries.py generate      write series/ (default)
  mkseries.py verify        git am the series onto pristine and check the
                            result equals build/linux
  mkseries.py covered N     list the files patch N adds that the MULTIKERNEL
                            entry of its MAINTAINERS does not cover (exit 1
                            if any)
  mkseries.py build-each [--vmtest ARGS]
                            build every patch of the series (W=1), from
                            the last one back, starting from build/linux's
                            objects; with --vmtest, run the selftests'
                            vmtest.sh -s ARGS in the tree of the last patch
                            once it is built (output and exit status in
                            build/vm/series-vmtest.out and .rc);
                            SERIES_BUILD_FROM=K builds patch K and the
                            earlier ones only (a rerun after a fix)
"""
import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get('BUILD', os.path.join(TOP, 'build'))
PRISTINE = os.path.join(BUILD, 'pristine')
TREE = os.path.join(BUILD, 'linux')
GITDIR = os.path.join(BUILD, 'series-git')
OUT = os.path.join(TOP, 'series')
HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(TOP, 'scripts', 'multikernel', 'upstream')
# Fixed dates keep the generated series byte-for-byte reproducible; the
# identity is whoever runs it (signoff_identity()).
DATES = dict(GIT_AUTHOR_DATE='2026-11-21T12:00:00+00:00',
             GIT_COMMITTER_DATE='2026-11-21T12:00:00+00:00')
ENV = dict(os.environ, **DATES)


def signoff_identity():
    """'Name <email>' of whoever runs make series, for the author (unless
    a backport names its own), the committer and the Signed-off-by: of
    every patch.

    Taken from GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL if set, else from git
    config user.name/user.email as seen in this repository.  Without
    both the series is not generated: a Signed-off-by: certifies the
    Developer's Certificate of Origin, so it cannot be made up.
    check_series.sh, which only checks the series, supplies the local
    account's name as a fallback and says so.
    """
    def conf(key):
        r = subprocess.run(['git', 'config', key], cwd=TOP,
                           capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ''
    name = os.environ.get('GIT_AUTHOR_NAME') or conf('user.name')
    email = os.environ.get('GIT_AUTHOR_EMAIL') or conf('user.email')
    if not name or not email:
        die('no identity for the Signed-off-by: lines: set git config '
            'user.name and user.email (or GIT_AUTHOR_NAME and '
            'GIT_AUTHOR_EMAIL); the series is signed off by whoever '
            'generates it')
    if '<' in name or '>' in name or '<' in email or '>' in email:
        die('user.name/user.email must not contain < or >: %s <%s>' %
            (name, email))
    return name, email


def set_identity():
    name, email = signoff_identity()
    ENV.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    return '%s <%s>' % (name, email)


def die(msg):
    sys.stderr.write('series: %s\n' % msg)
    sys.exit(1)


def git(*args, inp=None, env=None, cwd=None, check=True):
    r = subprocess.run(['git', '--git-dir', GITDIR] + list(args),
                       input=inp, capture_output=True, env=env or ENV,
                       cwd=cwd)
    if check and r.returncode:
        die('git %s: %s' % (' '.join(args[:3]), r.stderr.decode(errors='replace')))
    return r.stdout.decode(errors='replace').strip()


KINDS = ('lines', 'block', 'span', 'func', 'section', 'abi', 'text', 'was')


def parse_manifest():
    patches, cur, mode = [], None, None
    for n, line in enumerate(open(os.path.join(HERE, 'patches.txt')), 1):
        line = line.rstrip('\n')
        if line.startswith('#') and mode != 'body':
            continue
        if line == 'patch:':
            cur = {'subject': '', 'author': None, 'body': [], 'files': []}
            patches.append(cur)
            mode = None
        elif line.startswith('subject: '):
            cur['subject'] = line[len('subject: '):]
        elif line.startswith('author: ') and mode is None:
            m = re.fullmatch(r'(.+?) <([^<>@\s]+@[^<>\s]+)>',
                             line[len('author: '):])
            if not m:
                die('patches.txt:%d: author: Name <email>' % n)
            cur['author'] = m.groups()
        elif line == 'body:':
            mode = 'body'
        elif line == 'files:':
            mode = 'files'
        elif mode == 'body':
            cur['body'].append(line)
        elif mode == 'files' and line.strip():
            parts = line.split(None, 1)
            claim = None
            if len(parts) == 2:
                kind, arg = parts[1].split(':', 1)
                if kind not in KINDS:
                    die('patches.txt:%d: unknown claim "%s"' % (n, kind))
                repl = None
                if kind == 'was':
                    if ' ==> ' not in arg:
                        die('patches.txt:%d: was:REGEX ==> TEXT' % n)
                    arg, repl = arg.split(' ==> ', 1)
                if kind in ('func', 'section'):
                    rx = arg
                else:
                    try:
                        rx = re.compile(arg, re.M | re.S if kind in
                                        ('span', 'text', 'was') else 0)
                    except re.error as e:
                        die('patches.txt:%d: %s' % (n, e))
                claim = (kind, rx, repl, n)
            cur['files'].append((parts[0], claim))
    return patches


def our_files():
    """Files this repository adds to or changes in the kernel tree."""
    out = subprocess.run(['git', 'ls-files', '--cached', '--others',
                          '--exclude-standard', 'arch', 'kernel', 'include',
                          'Documentation', 'tools', 'drivers', 'init', 'mm',
                          'lib'], cwd=TOP, capture_output=True, text=True,
                         check=True).stdout.split()
    files = set(f for f in out if os.path.isfile(os.path.join(TOP, f)) and
                not f.startswith('tools/kexec-tools/'))
    for root, _, names in os.walk(UPSTREAM):
        for n in names:
            if n.endswith('.diff'):
                files.add(os.path.relpath(os.path.join(root, n), UPSTREAM)[:-5])
    files.add('MAINTAINERS')
    return files


def expand(path, universe):
    if path.endswith('/'):
        return sorted(f for f in universe if f.startswith(path))
    return [path]


def blocks(lines, rx):
    """Indices of the block starting at a match: the matching line and the
    indented or blank lines after it (a Kconfig entry with its help text)."""
    out = set()
    for i, l in enumerate(lines):
        if rx.search(l):
            out.add(i)
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or
                                      lines[j][0] in ' \t'):
                out.add(j)
                j += 1
    return out


def func_lines(lines, name):
    """A C definition at file scope (function, variable, struct) named
    @name: its comment, its lines up to the closing brace or semicolon,
    and the blank line after it."""
    out = set()
    head = re.compile(r'^[A-Za-z_].*\b%s\b' % re.escape(name))
    for i, l in enumerate(lines):
        if not head.match(l) or l.rstrip().endswith(');') and \
                '{' not in l and '=' not in l:
            continue
        j, depth, opened = i, 0, False
        while j < len(lines):
            depth += lines[j].count('{') - lines[j].count('}')
            opened = opened or '{' in lines[j]
            if depth <= 0 and (opened or lines[j].rstrip().endswith(';')):
                break
            j += 1
        start = i
        # the declaration may span lines above (return type on its own)
        while start > 0 and lines[start - 1] and \
                not lines[start - 1].startswith(('}', '/', ' */', '#')) and \
                lines[start - 1][0] not in ' \t' and \
                not lines[start - 1].rstrip().endswith((';', '*/')):
            start -= 1
        if start > 0 and lines[start - 1].rstrip().endswith('*/'):
            start -= 1
            while start > 0 and not lines[start].lstrip().startswith('/*'):
                start -= 1
        out |= set(range(start, j + 1))
        if j + 1 < len(lines) and not lines[j + 1].strip() and \
                (start == 0 or not lines[start - 1].strip()):
            out.add(j + 1)
    return out


RST_UNDER = re.compile(r'^([=\-~^"\'`#*+.:_])\1+$')


def rst_headings(lines):
    """(index of the title line, first line of the heading, level)."""
    styles, out = [], []
    for i in range(1, len(lines)):
        m = RST_UNDER.match(lines[i])
        t = lines[i - 1]
        if not m or not t.strip() or RST_UNDER.match(t) or \
                len(lines[i]) < len(t.rstrip()):
            continue
        over = i >= 2 and lines[i - 2] == lines[i]
        style = (m.group(1), over)
        if style not in styles:
            styles.append(style)
        out.append((i - 1, i - 2 if over else i - 1, styles.index(style)))
    return out


def section_lines(lines, title):
    """An rst section by its title: from its heading up to the next
    heading of the same or a higher level (its subsections included)."""
    hs = rst_headings(lines)
    out = set()
    for k, (ti, first, level) in enumerate(hs):
        if lines[ti].strip() != title:
            continue
        end = len(lines)
        for ti2, first2, level2 in hs[k + 1:]:
            if level2 <= level:
                end = first2
                break
        out |= set(range(first, end))
    return out


def abi_lines(lines, rx):
    """ABI entries (Documentation/ABI) whose What: matches: from the
    first What: line of the entry to the next entry's What: lines."""
    starts = [i for i, l in enumerate(lines) if l.startswith('What:') and
              (i == 0 or not lines[i - 1].startswith('What:'))]
    out = set()
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(lines)
        j = s
        while j < e and lines[j].startswith('What:'):
            if rx.search(lines[j]):
                out |= set(range(s, e))
                break
            j += 1
    return out


def span_lines(text, rx):
    out = set()
    for m in rx.finditer(text):
        if m.end() == m.start():
            continue
        a = text.count('\n', 0, m.start())
        b = text.count('\n', 0, m.end() - 1)
        out |= set(range(a, b + 1))
    return out


def unapply(path, text, claim):
    """@text without what @claim adds: the file as it was before."""
    kind, rx, repl, n = claim
    if kind in ('text', 'was'):
        new, count = rx.subn(repl if kind == 'was' else '', text)
        if not count:
            die('patches.txt:%d: %s:%s matches nothing in %s' %
                (n, kind, rx.pattern, path))
        return new
    lines = text.split('\n')
    if kind == 'lines':
        drop = {i for i, l in enumerate(lines) if rx.search(l)}
    elif kind == 'block':
        drop = blocks(lines, rx)
    elif kind == 'span':
        drop = span_lines(text, rx)
    elif kind == 'func':
        drop = func_lines(lines, rx)
    elif kind == 'section':
        drop = section_lines(lines, rx)
    else:
        drop = abi_lines(lines, rx)
    if not drop:
        die('patches.txt:%d: %s:%s matches nothing in %s' %
            (n, kind, rx if isinstance(rx, str) else rx.pattern, path))
    return '\n'.join(l for i, l in enumerate(lines) if i not in drop)


def staged(path, final, claims, k):
    """Content of @path as of patch @k: the final content with the claims
    of every later patch taken back, the last patch's first (a patch
    stack popped down to patch @k)."""
    text = final
    for (pk, claim) in sorted(claims, key=lambda c: -c[0]):
        if pk <= k or claim is None:
            continue
        text = unapply(path, text, claim)
    return text


def ensure_base():
    ver = open(os.path.join(PRISTINE, '.extracted')).read().strip()
    if os.path.isdir(GITDIR):
        if git('tag', '-l', 'base').strip() == 'base' and \
           git('log', '-1', '--format=%s', 'base').endswith(ver + ')'):
            return ver
        subprocess.run(['rm', '-rf', GITDIR], check=True)
    print('series: committing pristine linux-source-6.12 %s (once)' % ver)
    subprocess.run(['git', 'init', '-q', '--bare', GITDIR], check=True)
    env = dict(ENV, GIT_INDEX_FILE=GITDIR + '/index')
    git('config', 'core.autocrlf', 'false')
    git('--work-tree', PRISTINE, 'add', '-f', '-A', '.', env=env, cwd=PRISTINE)
    git('--work-tree', PRISTINE, 'rm', '-q', '--cached', '.extracted',
        env=env, cwd=PRISTINE, check=False)
    tree = git('write-tree', env=env)
    if int(git('ls-tree', '-r', '--name-only', tree).count('\n')) < 1000:
        die('committing the pristine tree failed')
    c = git('commit-tree', tree, '-m',
            'Linux 6.12 (Debian linux-source-6.12 %s)' % ver, env=env)
    git('tag', '-f', 'base', c)
    return ver


def generate():
    author = set_identity()
    patches = parse_manifest()
    universe = our_files()
    ver = ensure_base()

    # a directory takes the files under it that no entry names itself
    named = set(path for p in patches for path, c in p['files']
                if c is None and not path.endswith('/'))
    universe_dirs = universe - named
    claims = {}
    for k, p in enumerate(patches):
        for path, claim in p['files']:
            for f in expand(path, universe if not path.endswith('/')
                            else universe_dirs):
                claims.setdefault(f, []).append((k, claim))
    for f, cl in claims.items():
        whole = [k + 1 for k, c in cl if c is None]
        if len(whole) > 1:
            die('%s is listed whole by patches %s: claim the parts' %
                (f, ', '.join(map(str, whole))))
    missing = sorted(universe - set(claims))
    if missing:
        die('files in no patch: %s' % ', '.join(missing))
    for f in claims:
        if not os.path.isfile(os.path.join(TREE, f)):
            die('%s is claimed but not in %s' % (f, TREE))

    index = GITDIR + '/series-index'
    env = dict(ENV, GIT_INDEX_FILE=index)
    git('read-tree', 'base', env=env)
    parent = git('rev-parse', 'base')
    for k, p in enumerate(patches):
        for path, _ in p['files']:
            for f in expand(path, universe if not path.endswith('/')
                            else universe_dirs):
                final = open(os.path.join(TREE, f), 'rb').read()
                if any(c is not None for _, c in claims[f]):
                    data = staged(f, final.decode(), claims[f], k).encode()
                else:
                    data = final
                blob = git('hash-object', '-w', '--stdin', inp=data)
                mode = '100755' if os.access(os.path.join(TREE, f), os.X_OK) \
                    else '100644'
                git('update-index', '--add', '--cacheinfo',
                    '%s,%s,%s' % (mode, blob, f), env=env)
        tree = git('write-tree', env=env)
        body = '\n'.join(p['body']).strip()
        # a body that ends in trailers (a backport's) gets ours in its block
        sep = '\n' if re.search(r'\n(Signed-off-by|Link): \S[^\n]*$',
                                body) else '\n\n'
        msg = p['subject'] + '\n\n' + body + sep + \
            'Signed-off-by: %s\n' % author
        cenv = dict(env)
        if p['author']:
            # a backport keeps its author; the sign-off is still ours
            cenv.update(GIT_AUTHOR_NAME=p['author'][0],
                        GIT_AUTHOR_EMAIL=p['author'][1])
        parent = git('commit-tree', tree, '-p', parent, '-m', msg, env=cenv)
    git('update-ref', 'refs/heads/series', parent)

    subprocess.run(['rm', '-rf', OUT], check=True)
    git('format-patch', '-q', '--cover-letter', '--no-signature', '-o', OUT,
        '--subject-prefix=PATCH', 'base..series')
    write_cover(patches, ver)
    print('series: %d patches in %s' % (len(patches), OUT))


# Why a checkpatch CHECK that remains is kept (the cover letter says so).
CHECK_REASONS = {
    'CAMELCASE': 'the existing boot_params field orig_video_isVGA, the '
                 'ELF types (Elf64_Ehdr...) and zlib\'s function names',
    'ARCH_INCLUDE_LINUX': 'x86 files that need only the x86 part, '
                          '<asm/multikernel.h> or <asm/acpi.h>, not the '
                          'generic header',
    'MACRO_ARG_REUSE': 'ALIGN_UP() in a selftest program, whose arguments '
                       'have no side effects',
    'PARENTHESIS_ALIGNMENT': 'the condition argument of '
                             'wait_event_interruptible_timeout(), kept on '
                             'its own line',
}


def checkpatch_summary():
    """One cover-letter item from checkpatch --strict on this run's
    patches: what it reports, by type and patch.  Run from the top of
    this repository, as check_series.sh and make series run it."""
    import textwrap
    cp = os.path.join(TREE, 'scripts', 'checkpatch.pl')
    found = {}
    files = sorted(f for f in os.listdir(OUT) if f.endswith('.patch') and
                   not f.startswith('0000-'))
    # kept for check_series.sh, which checks the same patches
    keep = os.path.join(BUILD, 'series-checkpatch')
    subprocess.run(['rm', '-rf', keep], check=True)
    os.makedirs(keep)
    for n, f in enumerate(files, 1):
        r = subprocess.run(['perl', cp, '--strict', '--terse',
                            '--show-types', os.path.join(OUT, f)],
                           cwd=TOP, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        open(os.path.join(keep, f + '.txt'), 'w').write(r.stdout)
        for line in r.stdout.split('\n'):
            m = re.search(r': (ERROR|WARNING|CHECK):(\w+):', line)
            if m:
                found.setdefault((m.group(1), m.group(2)), set()).add(n)

    def nums(s):
        s = sorted(s)
        return ('patch %d' % s[0]) if len(s) == 1 else \
            'patches ' + ', '.join(map(str, s))
    errs = [k for k in found if k[0] == 'ERROR']
    warns = [k for k in found if k[0] == 'WARNING']
    text = 'checkpatch --strict on these patches, as generated: '
    text += ('%s; ' % '; '.join('ERROR %s in %s' % (k[1], nums(found[k]))
                                 for k in sorted(errs))) if errs else \
        'no ERROR; '
    other = [k for k in warns
             if k[1] not in ('FILE_PATH_CHANGES', 'UNKNOWN_COMMIT_ID')]
    if ('WARNING', 'FILE_PATH_CHANGES') in found:
        text += ('no WARNING but FILE_PATH_CHANGES ("does MAINTAINERS need '
                 'updating?") in %s, which add files that the MULTIKERNEL '
                 'entry added earlier already covers' %
                 nums(found[('WARNING', 'FILE_PATH_CHANGES')]))
    else:
        text += 'no WARNING'
    if ('WARNING', 'UNKNOWN_COMMIT_ID') in found:
        text += ('; UNKNOWN_COMMIT_ID in %s, a backport whose upstream '
                 'commit ids the base, a source package without git '
                 'history, cannot look up' %
                 nums(found[('WARNING', 'UNKNOWN_COMMIT_ID')]))
    if other:
        text += '; WARNING ' + '; WARNING '.join(
            '%s in %s' % (k[1], nums(found[k])) for k in sorted(other))
    checks = sorted(k for k in found if k[0] == 'CHECK')
    if checks:
        text += '.  CHECKs that remain: ' + '; '.join(
            '%s in %s%s' % (k[1], nums(found[k]),
                            (' (%s)' % CHECK_REASONS[k[1]])
                            if k[1] in CHECK_REASONS else '')
            for k in checks)
    text += '.'
    return textwrap.fill(text, 72, initial_indent=' - ',
                         subsequent_indent='   ')


def write_cover(patches, ver):
    cover = [f for f in sorted(os.listdir(OUT)) if f.startswith('0000-')][0]
    path = os.path.join(OUT, cover)
    text = open(path).read()
    body = open(os.path.join(HERE, 'cover.txt')).read()
    results = os.path.join(BUILD, 'vm', 'last-check.txt')
    tests = open(results).read().rstrip() if os.path.exists(results) else \
        '(no "make check" run recorded in this build directory)'
    body = body.replace('@BASE@', ver).replace('@TESTS@', tests)
    body = body.replace('@CHECKPATCH@', checkpatch_summary())
    text = text.replace('*** SUBJECT HERE ***',
                        'multikernel: boot and talk to kernels on offlined CPUs')
    text = text.replace('*** BLURB HERE ***', body.strip())
    open(path, 'w').write(text)


def verify():
    wt = os.path.join(BUILD, 'series-am')
    subprocess.run(['rm', '-rf', wt], check=True)
    git('worktree', 'prune', check=False)
    git('worktree', 'add', '-f', '-q', '--detach', wt, 'base')
    patches = sorted(os.path.join(OUT, f) for f in os.listdir(OUT)
                     if f.endswith('.patch') and not f.startswith('0000-'))
    r = subprocess.run(['git', 'am', '-q'] + patches, cwd=wt, env=ENV,
                       capture_output=True, text=True)
    if r.returncode:
        die('git am onto pristine failed:\n' + r.stdout + r.stderr)
    am_tree = subprocess.run(['git', 'rev-parse', 'HEAD^{tree}'], cwd=wt,
                             capture_output=True, text=True).stdout.strip()
    if am_tree != git('rev-parse', 'series^{tree}'):
        die('the tree from git am differs from the generated series')
    # every source file of build/linux must equal the series' tree
    env = dict(ENV, GIT_INDEX_FILE=GITDIR + '/verify-index')
    tw = ('--work-tree', TREE)
    git('read-tree', 'series', env=env)
    git(*tw, 'update-index', '-q', '--refresh', env=env, cwd=TREE, check=False)
    diff = git(*tw, 'diff-files', '--name-only', env=env, cwd=TREE)
    if diff:
        die('build/linux differs from pristine + series:\n%s' % diff)
    # files we add that the series lacks are caught by generate()
    print('series: %d patches apply with git am to pristine linux-source-6.12; '
          'the result is identical to build/linux' % len(patches))
    git('worktree', 'remove', '--force', wt, check=False)


def config_values(path):
    """CONFIG_ values of .config or auto.conf (which leaves strings bare)."""
    vals = {}
    if os.path.isfile(path):
        for line in open(path):
            m = re.match(r'CONFIG_(\w+)=(.*)', line)
            if m:
                v = m.group(2)
                if len(v) >= 2 and v[0] == v[-1] == '"':
                    v = re.sub(r'\\(.)', r'\1', v[1:-1])
                vals[m.group(1)] = v
    return vals


def touch_changed_symbols(wt):
    """Mark every config symbol whose value changed since the last build.

    syncconfig does this itself (include/config/FOO), except for a symbol
    that left the Kconfig files while another entry still names it (the
    channel patch's MULTIKERNEL_CHANNEL depends on MULTIKERNEL, defined by
    a later patch):
    stepping back over the patch that defines it would leave the objects
    built with it untouched.
    """
    old = config_values(os.path.join(wt, 'include', 'config', 'auto.conf'))
    new = config_values(os.path.join(wt, '.config'))
    for sym in set(old) | set(new):
        if old.get(sym) != new.get(sym):
            dep = os.path.join(wt, 'include', 'config', sym)
            if os.path.isdir(os.path.dirname(dep)):
                open(dep, 'a').close()
                os.utime(dep)


def fast_step(wt, changed, ours):
    """One step back in the default build-each mode: the headers this
    step changed get an old timestamp, so that only what includes them
    and the series changes is compiled again (see build_each)."""
    headers = [f for f in changed if f.endswith('.h') and
               os.path.isfile(os.path.join(wt, f))]
    if not headers:
        return
    old = time.time() - 10 * 365 * 86400
    for f in headers:
        os.utime(os.path.join(wt, f), (old, old))
    now = time.time()
    for f in ours:
        if os.path.isfile(os.path.join(wt, f)):
            os.utime(os.path.join(wt, f), (now, now))


def vmtest(wt, args):
    """Run the selftests' own runner in the series' tree, which is the
    upstream series applied and built: its VM tests need nothing from this
    workbench.  -s reuses the bzImage just built."""
    t0 = time.time()
    base = os.path.join(BUILD, 'vm', 'series-vmtest')
    os.makedirs(os.path.dirname(base), exist_ok=True)
    cmd = [os.path.join(wt, 'tools/testing/selftests/multikernel/vmtest.sh'),
           '-s', '-o', base] + args.split()
    with open(base + '.out', 'w') as log:
        r = subprocess.run(cmd, cwd=wt, stdout=log, stderr=subprocess.STDOUT)
    with open(base + '.rc', 'w') as f:
        f.write('%d %d\n' % (r.returncode, time.time() - t0))
    print('series: vmtest.sh -s %s in the last patch\'s tree: exit %d (%ds)' %
          (args, r.returncode, time.time() - t0))


def build_each(vmtest_args=None):
    """Build every patch of the series with W=1, from the last one back.

    The work tree starts as a copy of build/linux, which is the series'
    last patch (verify() checks that) already built by make with W=1 and
    the same configuration.  Each step back to an earlier patch rewrites,
    with git read-tree -m -u, only the files the later patch changed, so
    kbuild recompiles exactly the objects whose sources, headers, config
    symbols or flags differ, as in any incremental build; an object it
    keeps has the inputs it was compiled with, so it would give the same
    warnings again.  patches.txt puts the patches that change widely
    included headers first: stepping back over them would rebuild most of
    the tree, and the first patch is never stepped back over.  The files
    the series adds or changes are compiled once more at the last patch
    (their objects come from build/linux, whose warnings were not seen).

    With SERIES_BUILD_EACH=full that is all.  By default (make check) a
    step back that changes headers keeps them from rebuilding the tree:
    the headers get an old timestamp and every source file of the series
    present at that patch is compiled instead, so each patch still
    compiles its own code against its own headers and links a bzImage,
    but an upstream file the series leaves alone keeps the object built
    against the later header (stepping back over the smp.h or the
    irq_vectors.h patch alone rebuilds most of tinyconfig: about 15
    minutes of CI's time).
    """
    wt = os.path.join(BUILD, 'series-wt')
    t0 = time.time()
    subprocess.run(['rm', '-rf', wt], check=True)
    git('worktree', 'prune', check=False)
    subprocess.run(['cp', '-a', TREE, wt], check=True)
    index = GITDIR + '/build-each-index'
    env = dict(ENV, GIT_INDEX_FILE=index)
    tw = ('--work-tree', wt)
    commits = git('rev-list', '--reverse', 'base..series').split()
    now = time.time()
    for f in git('diff', '--name-only', 'base', commits[-1]).split('\n'):
        if (f.endswith(('.c', '.S')) or
                (f.endswith('.h') and 'multikernel' in os.path.basename(f))) \
                and os.path.isfile(os.path.join(wt, f)):
            os.utime(os.path.join(wt, f), (now, now))
    git('read-tree', commits[-1], env=env)
    git(*tw, 'update-index', '-q', '--refresh', env=env, cwd=wt, check=False)
    diff = git(*tw, 'diff-files', '--name-only', env=env, cwd=wt)
    if diff:
        die('build/linux differs from the series (run verify):\n%s' % diff)
    frags = [os.path.join(TOP, 'tools/testing/selftests/multikernel/config.vm'),
             os.path.join(TOP, 'tools/testing/selftests/multikernel/config'),
             os.path.join(TOP, 'kernel/configs/multikernel.config')]
    # the test key make adds, so that the last patch's configuration is
    # build/linux's (CONFIG_SYSTEM_TRUSTED_KEYS only touches certs/)
    key = os.path.join(BUILD, 'keys', 'trusted-keys.config')
    if os.path.isfile(key):
        frags.append(key)
    # the channel's patches come before its users, the host and the guest
    # side: there MULTIKERNEL_CHANNEL has a prompt of its own, so that they
    # are compiled too (later it is a def_bool and this line changes nothing)
    alone = os.path.join(BUILD, 'series-channel-alone.config')
    open(alone, 'w').write('CONFIG_MULTIKERNEL_CHANNEL=y\n')
    frags.append(alone)
    tree_config = open(os.path.join(wt, '.config')).read() \
        if os.path.isfile(os.path.join(wt, '.config')) else ''
    print('series: copied %s and its objects (%ds)' % (TREE, time.time() - t0))
    n = len(commits)
    full = os.environ.get('SERIES_BUILD_EACH', '1') == 'full'
    ours = [f for f in git('diff', '--name-only', 'base',
                           commits[-1]).split('\n')
            if f.endswith(('.c', '.S'))]
    # every step recompiles the series' files, most of them unchanged
    # since the step before: ccache answers those (the Makefile leaves it
    # out of the kernel builds themselves unless CCACHE=1)
    ccenv = dict(os.environ,
                 CCACHE_DIR=os.environ.get('CCACHE_DIR',
                                           os.path.join(BUILD, 'ccache')))
    if os.path.isdir('/usr/lib/ccache'):
        ccenv['PATH'] = '/usr/lib/ccache:' + ccenv.get('PATH', '')
    # SERIES_BUILD_FROM=K: a rerun after a fix, stepping back to patch K
    # without building the later ones (they were built by the run before)
    start = int(os.environ.get('SERIES_BUILD_FROM', n))
    # files the series adds: any warning counts; in upstream files only
    # the ones about our code (W=1 kernel-doc warns about upstream code)
    series_files = set(git('diff', '--name-only', '--diff-filter=A', 'base',
                           commits[-1]).split())
    kconfig_skipped = False
    for i in range(n, 0, -1):
        t0 = time.time()
        c = commits[i - 1]
        kconfig = True
        if i < n:
            git(*tw, 'update-index', '-q', '--refresh', env=env, cwd=wt,
                check=False)
            git(*tw, 'read-tree', '-m', '-u', commits[i], c, env=env, cwd=wt)
            changed = git('diff', '--name-only', c, commits[i]).split()
            # the configuration only changes with the Kconfig files
            kconfig = any('Kconfig' in f for f in changed)
            if not full:
                fast_step(wt, changed, ours)
        if i > start:
            kconfig_skipped = kconfig_skipped or kconfig
            print('series: patch %d/%d not built (SERIES_BUILD_FROM=%d)' %
                  (i, n, start))
            continue
        kconfig = kconfig or kconfig_skipped
        kconfig_skipped = False
        if kconfig:
            subprocess.run(['make', '-s', 'tinyconfig'], cwd=wt, check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run(['scripts/kconfig/merge_config.sh', '-m', '-O',
                            '.', '.config'] + frags, cwd=wt, check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(['make', '-s', 'olddefconfig'], cwd=wt,
                           check=True, stdout=subprocess.DEVNULL)
            touch_changed_symbols(wt)
        note = ''
        if i == n and open(os.path.join(wt, '.config')).read() != tree_config:
            note = ' (configuration differs from build/linux: full rebuild)'
        subj = git('log', '-1', '--format=%s', c)
        r = subprocess.run(['make', '-s', '-j%d' % os.cpu_count(), 'W=1',
                            'bzImage'], cwd=wt, capture_output=True, text=True,
                           env=ccenv)
        if r.returncode:
            die('patch %d (%s) does not build:\n%s' % (i, subj, r.stderr[-3000:]))
        # a warning in any file the series adds or changes
        warn = [l for l in r.stderr.split('\n') if 'warning:' in l and
                (l.split(':', 1)[0].removeprefix('./') in series_files or
                 'multikernel' in l)]
        print('series: patch %d/%d builds%s: %s (%ds)%s' %
              (i, n, ' with warnings' if warn else '', subj,
               time.time() - t0, note))
        for w in warn:
            print('    ' + w)
        if i == n and vmtest_args is not None:
            vmtest(wt, vmtest_args)


def covered(n):
    """Is every file patch @n (1-based) adds covered by an F: line of the
    MULTIKERNEL entry of MAINTAINERS as of that patch?  Prints the files
    that are not; checkpatch's FILE_PATH_CHANGES ("does MAINTAINERS need
    updating?") is only a question when they all are."""
    import fnmatch
    commits = git('rev-list', '--reverse', 'base..series').split()
    c = commits[n - 1]
    added = git('diff', '--name-only', '--diff-filter=A', c + '^', c).split()
    pats, inside = [], False
    for line in git('show', c + ':MAINTAINERS').split('\n'):
        if line == 'MULTIKERNEL':
            inside = True
        elif inside and not line.strip():
            break
        elif inside and line.startswith('F:'):
            pats.append(line[2:].strip())
    bad = []
    for f in added:
        if not any(f.startswith(p) if p.endswith('/') else
                   fnmatch.fnmatchcase(f, p) for p in pats):
            bad.append(f)
    for f in bad:
        print(f)
    return 1 if bad else 0


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'generate'
    if cmd != 'generate':
        set_identity()      # git am and commits of the checks
    if cmd == 'covered':
        sys.exit(covered(int(sys.argv[2])))
    if cmd == 'build-each' and sys.argv[2:3] == ['--vmtest']:
        build_each(sys.argv[3] if len(sys.argv) > 3 else '')
    else:
        {'generate': generate, 'verify': verify, 'build-each': build_each}[cmd]()
