"""--baseline: greennet/ of another commit, extracted with git archive, for the @before servers."""
import os
import shutil
import subprocess
import sys

from common import BENCH, ROOT, log
from scenarios import BEFORE, SERVER_ROOTS, SERVERS


def git(*argv, **kw):
    return subprocess.run(['git', '-C', ROOT] + list(argv), check=True, capture_output=True,
                          **kw).stdout


def imported_from(args, root):
    """Where the servers' python imports greennet from, with `root` first on PYTHONPATH."""
    env = dict(os.environ)
    env['PYTHONPATH'] = root + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    try:
        return subprocess.run([args.python, '-c', 'import greennet; print(greennet.__file__)'], env=env,
                              cwd=os.path.join(BENCH, 'servers'), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60).stdout.decode(errors='replace').strip()
    except Exception as e:
        return '? (%s)' % e


def setup_baseline(args):
    """Extract greennet/ of commit args.baseline into a temp dir; register the @before servers."""
    import tempfile
    try:
        commit = git('rev-parse', '--verify', args.baseline + '^{commit}').decode().strip()
        subject = git('log', '-1', '--format=%h %s', commit).decode().strip()
    except subprocess.CalledProcessError as e:
        sys.exit('run.py: --baseline %s: %s' % (args.baseline, e.stderr.decode(errors='replace').strip()))
    tmp = tempfile.mkdtemp(prefix='greennet-before-')
    tar = git('archive', '--format=tar', commit, 'greennet')
    subprocess.run(['tar', '-x', '-C', tmp], input=tar, check=True)
    for name in SERVERS:
        if name.endswith(BEFORE):
            SERVER_ROOTS[name] = tmp
    args.baseline_info = {'ref': args.baseline, 'commit': commit, 'subject': subject[:200], 'tree': tmp,
                          'imported_from': imported_from(args, tmp),
                          'after_imported_from': imported_from(args, ROOT)}
    if not args.baseline_info['imported_from'].startswith(tmp):
        shutil.rmtree(tmp, ignore_errors=True)
        sys.exit('run.py: --baseline: greennet does not import from %s: %s' % (
            tmp, args.baseline_info['imported_from'][-300:]))
    log('baseline %s (%s) extracted to %s' % (args.baseline, subject[:70], tmp))
    return tmp
