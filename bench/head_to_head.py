"""Head to head: two servers on one core at the same time (run.py's PROXY cost).

A cell of run.py is one server alone for a second; on a shared machine the
same server's churn moves by ±20 % from one cell to the next, which is
wider than the 10 % that issue 14 allows the PROXY protocol. Here
greennet_pipe (churn20, no header) and greennet_proxy_pipe (churn20 with a
header) run pinned to the same core and loaded at once, a loadgen each:
both see every disturbance, the scheduler gives each about half of the core,
and the ratio of their conn/s is the inverse ratio of their CPU per
connection, which is what the header costs. greennet_pipe against a second
greennet_pipe measures 1.00-1.01 this way.

Standard library only; run.py calls :func:`measure` once per round and
PROXY scenario, and :func:`render` for its report.
"""
import json
import statistics
import subprocess

#: The plain churn the PROXY scenarios are compared with, and its server.
BASE = ('churn20', 'greennet_pipe')
#: The server of the PROXY scenarios.
PROXY_SERVER = 'greennet_proxy_pipe'


def measure(cmd_plain, cmd_proxy, timeout):
    """Run both loadgen commands at once; ``(plain result, proxy result)``,
    each the loadgen's JSON (``{'ok': False, 'error': ...}`` on failure)."""
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for cmd in (cmd_plain, cmd_proxy)]
    results = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        try:
            results.append(json.loads(out.decode(errors='replace').strip().splitlines()[-1]))
        except (IndexError, ValueError):
            results.append({'ok': False, 'error': 'rc=%s %s' % (p.returncode, err[-200:].decode(errors='replace'))})
    return results[0], results[1]


def sample(scen, rnd, plain, proxy):
    """One round's pair, as run.py stores it (``data['head_to_head']``)."""
    ok = bool(plain.get('ok') and proxy.get('ok') and plain.get('ops_per_s'))
    return {'scenario': scen, 'round': rnd, 'ok': ok,
            'plain': plain.get('ops_per_s'), 'proxy': proxy.get('ops_per_s'),
            'ratio': proxy['ops_per_s'] / plain['ops_per_s'] if ok else None,
            'error': None if ok else (plain.get('error') or proxy.get('error'))}


def medians(pairs):
    """``{scenario: median ratio}`` over the rounds that worked."""
    by = {}
    for p in pairs:
        if p.get('ok'):
            by.setdefault(p['scenario'], []).append(p['ratio'])
    return {s: statistics.median(v) for s, v in by.items()}


def render(pairs, table):
    """The report's section (markdown lines); ``table`` is run.py's."""
    if not pairs:
        return []
    L = ['### Head to head: the same core, at the same time\n']
    L.append('`greennet_pipe` (churn20) and `greennet_proxy_pipe` (the scenario) pinned to the same core and '
             'loaded at once, a loadgen each, once per round: both share every disturbance of the machine, '
             'and the ratio of their conn/s is the inverse ratio of their CPU per connection (greennet_pipe '
             'against itself: 1.00–1.01). This is the measure of the issue\'s "costs at most 10 %": cost = '
             '1 − ratio.\n')
    rows = []
    for scen, m in sorted(medians(pairs).items()):
        mine = sorted(p['ratio'] for p in pairs if p['scenario'] == scen and p.get('ok'))
        rows.append([scen, '%.3f' % m, '%.1f %%' % (100 * (1 - m)), ', '.join('%.3f' % r for r in mine),
                     '**met**' if m >= 0.90 else '**not met**'])
    failed = [p for p in pairs if not p.get('ok')]
    L.append(table(['scenario', 'median ratio (proxy ÷ plain)', 'cost', 'per-round ratios', 'cost ≤ 10 %'], rows))
    if failed:
        L.append('%d round(s) failed: %s\n' % (len(failed), '; '.join(str(p['error'])[:120] for p in failed)))
    return L
