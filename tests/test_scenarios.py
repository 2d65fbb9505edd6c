"""Differential scenarios against recorded Node traces.

Every tests/scenarios/NAME.py is the greennet twin of NAME.js; NAME.expected
is the trace Node printed for NAME.js (regenerate with
`python tests/scenarios/regen.py`). Each twin is run in its own interpreter
(cwd tests/scenarios, the repository root on PYTHONPATH) and its stdout must
match the recorded trace line for line. Node is not needed here.
"""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, 'scenarios')
ROOT = os.path.dirname(HERE)
TIMEOUT = 10


def _names():
    return sorted(f[:-9] for f in os.listdir(SCENARIOS)
                  if f.endswith('.expected') and not f.startswith('_')
                  and os.path.exists(os.path.join(SCENARIOS, f[:-9] + '.py')))


def _first_difference(expected, got):
    for i in range(max(len(expected), len(got))):
        e = expected[i] if i < len(expected) else '<end of trace>'
        g = got[i] if i < len(got) else '<end of trace>'
        if e != g:
            return 'line %d: expected %r got %r' % (i + 1, e, g)
    return None


@pytest.mark.timeout(TIMEOUT + 5)
@pytest.mark.parametrize('name', _names())
def test_scenario(name):
    with open(os.path.join(SCENARIOS, name + '.expected'), encoding='utf-8') as fh:
        expected = fh.read().splitlines()
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    env.pop('GN_CHECK_OPEN', None)
    try:
        proc = subprocess.run([sys.executable, name + '.py'], cwd=SCENARIOS, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        out, err, note = proc.stdout, proc.stderr, ''
    except subprocess.TimeoutExpired as exc:
        out, err = exc.stdout or b'', exc.stderr or b''
        note = ' (timed out after %ds)' % TIMEOUT
    got = out.decode('utf-8', 'replace').splitlines()
    diff = _first_difference(expected, got)
    if diff or note:
        tail = '\n'.join(err.decode('utf-8', 'replace').strip().splitlines()[-5:])
        pytest.fail('%s: %s%s\n--- stderr (tail) ---\n%s' % (name, diff or 'trace matched',
                                                             note, tail), pytrace=False)
