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
  mkseries.py build-each [--vmtest ARGS]
                            build every patch of the series (W=1), from
                            the last one back, starting from build/linux's
                            objects; with --vmtest, run the selftests'
                            vmtest.sh -s ARGS in the tree of the last patch
                            once it is built (output and exit status in
                            build/vm/series-vmtest.out and .rc)
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
AUTHOR = 'Multikernel developers <multikernel@lists.example.org>'
ENV = dict(os.environ, GIT_AUTHOR_NAME='Multikernel developers',
           GIT_AUTHOR_EMAIL='multikernel@lists.example.org',
           GIT_COMMITTER_NAME='Multikernel developers',
           GIT_COMMITTER_EMAIL='multikernel@lists.example.org',
           GIT_AUTHOR_DATE='2026-11-21T12:00:00+00:00',
           GIT_COMMITTER_DATE='2026-11-21T12:00:00+00:00')


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


def parse_manifest():
    patches, cur, mode = [], None, None
    for line in open(os.path.join(HERE, 'patches.txt')):
        line = line.rstrip('\n')
        if line.startswith('#') and mode != 'body':
            continue
        if line == 'patch:':
            cur = {'subject': '', 'body': [], 'files': []}
            patches.append(cur)
            mode = None
        elif line.startswith('subject: '):
            cur['subject'] = line[len('subject: '):]
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
                kind, rx = parts[1].split(':', 1)
                claim = (kind, re.compile(rx))
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


def staged(path, final, claims, k):
    """Content of @path as of patch @k: drop lines later patches claim."""
    lines = final.split('\n')
    drop = set()
    for (pk, claim) in claims:
        if pk <= k or claim is None:
            continue
        kind, rx = claim
        if kind == 'lines':
            drop |= {i for i, l in enumerate(lines) if rx.search(l)}
        else:
            drop |= blocks(lines, rx)
    text = '\n'.join(l for i, l in enumerate(lines) if i not in drop)
    # lines claimed at the end leave the blank line before them behind
    if not final.endswith('\n\n'):
        while text.endswith('\n\n'):
            text = text[:-1]
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
    patches = parse_manifest()
    universe = our_files()
    ver = ensure_base()

    claims = {}
    for k, p in enumerate(patches):
        for path, claim in p['files']:
            for f in expand(path, universe):
                claims.setdefault(f, []).append((k, claim))
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
            for f in expand(path, universe):
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
        msg = p['subject'] + '\n\n' + '\n'.join(p['body']).strip() + \
            '\n\nSigned-off-by: %s\n' % AUTHOR
        parent = git('commit-tree', tree, '-p', parent, '-m', msg, env=env)
    git('update-ref', 'refs/heads/series', parent)

    subprocess.run(['rm', '-rf', OUT], check=True)
    git('format-patch', '-q', '--cover-letter', '--no-signature', '-o', OUT,
        '--subject-prefix=PATCH', 'base..series')
    write_cover(patches, ver)
    print('series: %d patches in %s' % (len(patches), OUT))


def write_cover(patches, ver):
    cover = [f for f in sorted(os.listdir(OUT)) if f.startswith('0000-')][0]
    path = os.path.join(OUT, cover)
    text = open(path).read()
    body = open(os.path.join(HERE, 'cover.txt')).read()
    results = os.path.join(BUILD, 'vm', 'last-check.txt')
    tests = open(results).read().rstrip() if os.path.exists(results) else \
        '(no "make check" run recorded in this build directory)'
    body = body.replace('@BASE@', ver).replace('@TESTS@', tests)
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
    that left the Kconfig files while another entry still names it (patch 5's
    MULTIKERNEL_CHANNEL depends on MULTIKERNEL, defined by a later patch):
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
    against the later header (stepping back over patch 2 or 6 alone
    rebuilds most of tinyconfig: about 15 minutes of CI's time).
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
        warn = [l for l in r.stderr.split('\n') if 'warning:' in l and
                'multikernel' in l]
        print('series: patch %d/%d builds%s: %s (%ds)%s' %
              (i, n, ' with warnings' if warn else '', subj,
               time.time() - t0, note))
        for w in warn:
            print('    ' + w)
        if i == n and vmtest_args is not None:
            vmtest(wt, vmtest_args)


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'generate'
    if cmd == 'build-each' and sys.argv[2:3] == ['--vmtest']:
        build_each(sys.argv[3] if len(sys.argv) > 3 else '')
    else:
        {'generate': generate, 'verify': verify, 'build-each': build_each}[cmd]()
