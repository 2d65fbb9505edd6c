#!/usr/bin/env python3
"""greennet echo benchmark: one command, one load generator, every server.

    python bench/run.py                 # full run (~6 min on 2 cores) -> bench/results/latest.*
    python bench/run.py --quick         # ~1.5 min                     -> bench/results/quick.*
    python bench/run.py --list          # scenarios and servers
    python bench/run.py --render bench/results/latest.json   # redo .md/.svg from a .json
    python bench/run.py --baseline 48d6ddf   # also greennet_*@before: that commit's greennet/, same run
    python bench/run.py --scenarios lines50  # line protocol: straight-line vs events vs raw gevent

Servers (bench/servers/): greennet_pipe, greennet_data, gevent_raw (Python, run
with --python, default: this interpreter, with the repo root on PYTHONPATH),
node_pipe, node_data (when `node` is on PATH). A server that fails to start is
skipped and the reason is printed and written to the report.

Each server speaks one protocol and each scenario needs one (SERVERS and
SCENARIO_PROTOCOL in bench/scenarios.py): the echo scenarios run against the
echo servers only, lines50 (a line KV protocol, `SET k v` -> `OK`, `GET k` ->
the value; 50 connections, one request outstanding on each) against
greennet_lines_straight (makefile() in the connection listener),
greennet_lines_events ('data' + a line splitter), gevent_lines (StreamServer +
makefile()) and node_lines. Without --servers, the servers are those that speak
a chosen scenario's protocol.

--baseline REF extracts greennet/ of git commit REF (`git archive`) into a
temporary directory and adds greennet_pipe@before and greennet_data@before: the
same bench/servers/*.py, with PYTHONPATH pointing at that tree instead of the
working tree. The report then has a before/after table (ratio after / before
per cell) and churn against Node with p99.

TLS and the PROXY protocol (issues 13 and 14): tls_stream8_64k, tls_pp50_1k,
tls_churn20 (full TLS 1.3 handshakes: connect + handshake + 64 B echo + close)
and tls_idle1k (KiB per idle TLS connection, 1,000 connections) run against
greennet_tls_pipe (greennet.tls.create_server + c.pipe(c)) and node_tls_pipe
(tls.createServer + c.pipe(c)), both with tests/certs/server-*.pem; the
loadgen's -t needs OpenSSL (libssl-dev): run.py builds it with -lssl -lcrypto
when it can, else without TLS, and then skips the tls_* scenarios with a note.
churn20_proxy / churn20_proxy2 are churn20 with a PROXY v1 / v2 header first on
every connection (loadgen -X 1 / -X 2) against greennet_proxy_pipe
(create_server(proxy_protocol=True) + c.pipe(c)); the report compares them with
churn20 on greennet_pipe from the same run, and once per round head to head
(bench/head_to_head.py: both servers on the same core at once, so that the
machine's drift, wider than the 10 % asked, cancels out).

churn20 spreads the client's connections over 256 loopback source addresses
(loadgen -S 256); churn20_1src is the same churn from the kernel's single
default source address (-S 0), where TIME_WAIT port reuse is part of the test.

Method: every server is started once (pinned to CPU 0 with taskset, client on
CPU 1), warmed up once with a few seconds of load, and SIGSTOPped whenever it
is not the one being measured. Each round runs every scenario against every
server in turn; the server order rotates from round to round (A B C, B C A,
...). A cell is the median over rounds; the min-max spread is reported too.
idle10k starts a fresh process per server and round and reads VmRSS from
/proc/PID/status before and after opening 10,000 connections.

Standard library only. The load generator is bench/loadgen.c, built here with
`cc -O2` into bench/build/.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

from baseline import setup_baseline
from common import RESULTS, ROOT, log
from measure import (
    build_loadgen,
    loadgen_features,
    machine_busy,
    measure_idle,
    measure_timed,
    run_head_to_head,
    wait_quiet,
    warm_up,
)
from plot import render_svg
from report import fmt_sample, render_md
from scenarios import BEFORE, SCENARIOS, SERVERS, TLS_SCENARIOS, is_idle, protocol, speaks
from server_process import Server


def versions(args):
    v = {'python_harness': sys.version.split()[0], 'platform': platform.platform(),
         'cpus': os.cpu_count()}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    v['cpu_model'] = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    if args.python:
        try:
            out = subprocess.run([args.python, '-c', 'import sys, gevent; print(sys.version.split()[0], gevent.__version__)'],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30).stdout.decode().split()
            v['python_servers'], v['gevent'] = out[0], out[1]
        except Exception:
            v['python_servers'] = v['gevent'] = '?'
    if args.node:
        try:
            v['node'] = subprocess.run([args.node, '--version'], stdout=subprocess.PIPE,
                                       timeout=30).stdout.decode().strip()
        except Exception:
            v['node'] = '?'
    try:
        rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'greennet'], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10).stdout.strip()
        v['greennet_git'] = (rev or 'no commit') + (' + uncommitted changes' if dirty else '')
        if dirty:
            v['greennet_uncommitted'] = subprocess.run(
                ['git', 'diff', '--stat', 'HEAD', '--', 'greennet'], cwd=ROOT, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip().splitlines()
    except Exception:
        v['greennet_git'] = '?'
    return v


def save(data, tag):
    os.makedirs(RESULTS, exist_ok=True)
    base = os.path.join(RESULTS, tag)
    with open(base + '.json', 'w') as f:
        json.dump(data, f, indent=1)
    with open(base + '.md', 'w') as f:
        f.write(render_md(data, tag))
    with open(base + '.svg', 'w') as f:
        f.write(render_svg(data))
    return base


def run(args):
    build_loadgen()
    features = loadgen_features()
    notes = []
    if not features.get('tls'):
        dropped = [s for s in args.scenarios if s in TLS_SCENARIOS]
        if dropped:
            notes.append('TLS scenarios skipped (%s): the loadgen was built without TLS (no OpenSSL headers or '
                         'libraries here; install libssl-dev, delete bench/build/loadgen and run again).'
                         % ', '.join(dropped))
            log('NOTE: ' + notes[-1])
            args.scenarios = [s for s in args.scenarios if s not in TLS_SCENARIOS]
            args.servers = [n for n in args.servers if any(speaks(n, s) for s in args.scenarios)]
    timed = [s for s in args.scenarios if not is_idle(s)]
    t_begin = time.monotonic()
    data = {
        'meta': {'started': datetime.datetime.now().isoformat(' ', 'seconds'),
                 'command': '%s bench/run.py %s' % (
                     os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(ROOT + os.sep)
                     else 'python', ' '.join(sys.argv[1:])),
                 'versions': versions(args), 'loadgen': features, 'notes': notes},
        'baseline': getattr(args, 'baseline_info', None),
        'config': {'scenarios': args.scenarios, 'servers': args.servers, 'rounds': args.rounds,
                   'warm_s': args.warm, 'window_s': args.window, 'server_warmup_s': args.server_warmup,
                   'idle_rounds': args.idle_rounds, 'server_cpu': args.server_cpu,
                   'client_cpu': args.client_cpu, 'python': args.python, 'node': args.node,
                   'max_other': args.max_other, 'retries': args.retries},
        'servers': {}, 'samples': [],
    }
    busy = machine_busy()
    data['meta']['busy_before_pct'] = busy
    if busy is not None and busy > 20:
        log('WARNING: the machine is not idle (%.0f%% of a core busy before starting); '
            'results will be noisy' % busy)
    servers = []
    try:
        # start everything, warm each up once, freeze all
        for name in args.servers:
            s = Server(name, args)
            if timed:
                log('starting %s ...' % name)
                if not s.start():
                    log('  SKIPPED %s: %s' % (name, s.note))
                    data['servers'][name] = {'status': 'skipped', 'note': s.note}
                    continue
                s.freeze()
            servers.append(s)
            data['servers'][name] = {'status': 'ok', 'note': None}
        for s in servers if timed else []:
            s.thaw()
            log('warming up %s (%.1f s) ...' % (s.name, args.server_warmup))
            err = warm_up(args, s)
            s.freeze()
            if err:
                log('  %s warm-up failed: %s' % (s.name, err))
                data['servers'][s.name] = {'status': 'failed', 'note': 'warm-up failed: %s; server log: %s' % (
                    err[:200], s.log_tail() or '(empty)')}
        active = [s for s in servers if data['servers'][s.name]['status'] == 'ok']

        for rnd in range(args.rounds if timed else 0):
            k = rnd % max(1, len(active))
            order = active[k:] + active[:k]
            log('round %d/%d: order %s' % (rnd + 1, args.rounds, ' '.join(s.name for s in order)))
            for scen in timed:
                for s in order:
                    if data['servers'][s.name]['status'] != 'ok' or not speaks(s.name, scen):
                        continue
                    if not s.alive():
                        data['servers'][s.name] = {'status': 'failed', 'note': 'server process died: ' + s.death()}
                        log('  %s died: %s' % (s.name, s.death()))
                        continue
                    for attempt in range(1 + args.retries):
                        data['meta']['quiet_wait_s'] = round(
                            data['meta'].get('quiet_wait_s', 0) + wait_quiet(args), 1)
                        s.thaw()
                        time.sleep(0.02)
                        sample = measure_timed(args, s, scen, args.warm, args.window)
                        s.freeze()
                        sample['round'] = rnd + 1
                        data['samples'].append(sample)
                        disturbed = (sample.get('other_cpu') or 0) > args.max_other
                        log('  %-12s %-14s %s%s' % (scen, s.name, fmt_sample(sample),
                                                    '  [disturbed]' if disturbed else ''))
                        if not disturbed or attempt == args.retries:
                            break
                        # other processes used the CPUs during the window: measure again
                        sample['discarded'] = 'other_cpu %.0f%% > %.0f%%' % (sample['other_cpu'], args.max_other)
                        time.sleep(0.5)
            run_head_to_head(args, data, active, timed, rnd + 1)
            save(data, args.tag)

        for s in servers:
            s.stop()
        for iscen in [s for s in args.scenarios if is_idle(s)]:
            names = [s.name for s in servers if data['servers'][s.name]['status'] == 'ok'
                     and speaks(s.name, iscen)]
            for rnd in range(args.idle_rounds):
                k = rnd % max(1, len(names))
                for name in names[k:] + names[:k]:
                    sample = measure_idle(args, name, rnd + 1, iscen)
                    data['samples'].append(sample)
                    log('  %-12s %-14s %s' % (iscen, name, fmt_sample(sample)))
                    if not sample['ok'] and not timed and rnd == 0 and 'at startup' in (sample.get('error') or ''):
                        data['servers'][name] = {'status': 'skipped', 'note': sample['error']}
    except KeyboardInterrupt:
        data['meta']['interrupted'] = True
        log('interrupted: saving partial results')
    finally:
        for s in servers:
            s.stop()
    data['meta']['elapsed_s'] = round(time.monotonic() - t_begin, 1)
    base = save(data, args.tag)
    log('\nwrote %s.{json,md,svg} in %.0f s' % (os.path.relpath(base), data['meta']['elapsed_s']))
    return data


# ---------------------------------------------------------------- CLI

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--scenarios', help='comma list (default: all): ' + ','.join(SCENARIOS))
    ap.add_argument('--servers', help='comma list (default: all): ' + ','.join(SERVERS))
    ap.add_argument('--rounds', type=int, help='rounds of the timed scenarios (default 5; --quick 2)')
    ap.add_argument('--idle-rounds', type=int, help='fresh-process rounds of idle10k (default 2; --quick 1)')
    ap.add_argument('--quick', action='store_true', help='short run (~1.5 min): 2 rounds, short windows')
    ap.add_argument('--window', type=float, help='measured seconds per sample (default 1.0; --quick 0.4)')
    ap.add_argument('--warm', type=float, help='warm-up seconds before each sample (default 0.25; --quick 0.15)')
    ap.add_argument('--server-warmup', type=float, help='one-time warm-up load per server, s (default 3; --quick 1.5)')
    ap.add_argument('--max-other', type=float, default=30.0,
                    help='re-measure a sample when other processes used more than this %% of a core (default 30)')
    ap.add_argument('--quiet-wait', type=float, default=5.0,
                    help='before each sample, wait up to this many s while others keep the machine busy (default 5)')
    ap.add_argument('--quiet-budget', type=float,
                    help='total s the run may spend waiting for quiet (default 120; --quick 20)')
    ap.add_argument('--retries', type=int, help='re-measurements per disturbed sample (default 1; --quick 0)')
    ap.add_argument('--idle-settle', type=float, default=0.5, help='pause before each RSS reading, s')
    ap.add_argument('--python', default=os.environ.get('BENCH_PYTHON') or sys.executable,
                    help='python for the Python servers (default: $BENCH_PYTHON or this interpreter); '
                         'needs gevent, and greennet importable from the repo root')
    ap.add_argument('--node', default=shutil.which('node'), help='node binary (default: node on PATH)')
    ap.add_argument('--server-cpu', default='0', help="CPU for the servers ('none' = no pinning)")
    ap.add_argument('--client-cpu', default='1', help='CPU for the load generator')
    ap.add_argument('--tag', help='results name: bench/results/TAG.{json,md,svg} (default latest / quick)')
    ap.add_argument('--baseline', metavar='REF',
                    help='also run greennet_pipe@before / greennet_data@before: the same servers with '
                         "greennet/ of git commit REF (extracted with git archive to a temp dir)")
    ap.add_argument('--list', action='store_true', help='list scenarios and servers and exit')
    ap.add_argument('--render', metavar='JSON', help='re-render .md/.svg from a results .json and exit')
    a = ap.parse_args(argv)
    q = a.quick
    a.rounds = a.rounds or (2 if q else 5)
    a.idle_rounds = a.idle_rounds if a.idle_rounds is not None else (1 if q else 2)
    a.window = a.window or (0.4 if q else 1.0)
    a.warm = a.warm if a.warm is not None else (0.15 if q else 0.25)
    a.server_warmup = a.server_warmup or (1.5 if q else 3.0)
    a.tag = a.tag or ('quick' if q else 'latest')
    a.retries = a.retries if a.retries is not None else (0 if q else 1)
    a.quiet_budget = a.quiet_budget if a.quiet_budget is not None else (20.0 if q else 120.0)
    a.scenarios = a.scenarios.split(',') if a.scenarios else list(SCENARIOS)
    a.scenarios.sort(key=lambda s: list(SCENARIOS).index(s) if s in SCENARIOS else -1)
    if a.baseline:   # each greennet server gets a twin running the baseline's greennet/, listed after it
        for name in [n for n in SERVERS if n.startswith('greennet_')]:
            SERVERS[name + BEFORE] = SERVERS[name]
        order = []
        for name in SERVERS:
            if not name.endswith(BEFORE):
                order += [name] + ([name + BEFORE] if name + BEFORE in SERVERS else [])
        for name in order:
            SERVERS[name] = SERVERS.pop(name)
    # default: every server that speaks the protocol of at least one chosen scenario
    a.servers = a.servers.split(',') if a.servers else [
        n for n in SERVERS if any(SERVERS[n][2] == protocol(s) for s in a.scenarios if s in SCENARIOS)]
    for s in a.scenarios:
        if s not in SCENARIOS:
            ap.error('unknown scenario %r (see --list)' % s)
    for s in a.servers:
        if s not in SERVERS:
            ap.error('unknown server %r (see --list)' % s)
        if not any(speaks(s, sc) for sc in a.scenarios):
            ap.error('server %r speaks %s, which none of the chosen scenarios uses (see --list)' % (
                s, SERVERS[s][2]))
    pinnable = shutil.which('taskset') and len(os.sched_getaffinity(0)) >= 2
    if a.server_cpu == 'none' or not pinnable:
        if a.server_cpu != 'none':
            log('note: taskset missing or fewer than 2 CPUs: running without CPU pinning')
        a.server_cpu = a.client_cpu = None
    return a


def main(argv=None):
    a = parse_args(argv)
    if a.list:
        print('scenarios:')
        for k, v in SCENARIOS.items():
            print('  %-12s %-9s %s' % (k, v[4], v[5]))
        print('servers:')
        for k, (kind, f, proto) in SERVERS.items():
            how = a.python if kind == 'python' else (a.node or 'node: NOT FOUND, will be skipped')
            print('  %-31s bench/servers/%-28s %-5s (%s%s)' % (
                k, f, proto, how, ', greennet/ of %s' % a.baseline if k.endswith(BEFORE) else ''))
        print('scenario -> servers (by protocol):')
        for k in SCENARIOS:
            print('  %-12s %-5s %s' % (k, protocol(k), ' '.join(n for n in SERVERS if speaks(n, k))))
        return 0
    if a.render:
        with open(a.render) as f:
            data = json.load(f)
        tag = os.path.splitext(os.path.basename(a.render))[0]
        base = os.path.splitext(a.render)[0]
        with open(base + '.md', 'w') as f:
            f.write(render_md(data, tag))
        with open(base + '.svg', 'w') as f:
            f.write(render_svg(data))
        log('wrote %s.{md,svg}' % base)
        return 0

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    tmp = setup_baseline(a) if a.baseline else None
    try:
        run(a)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
