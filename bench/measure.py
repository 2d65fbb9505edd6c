"""Measuring: build and run the load generator, one sample (timed, idle, head to head), the
one-time warm-up, and waiting for a quiet machine."""
import json
import os
import select
import shutil
import subprocess
import sys
import time

import head_to_head
from common import BUILD, HOST, LOADGEN, LOADGEN_SRC, log
from scenarios import SCENARIO_ARGS, SCENARIOS, SERVERS, protocol
from server_process import Server, raise_nofile, rss_kib


def build_loadgen():
    os.makedirs(BUILD, exist_ok=True)
    if os.path.exists(LOADGEN) and os.path.getmtime(LOADGEN) >= os.path.getmtime(LOADGEN_SRC):
        return
    cc = os.environ.get('CC') or shutil.which('cc') or shutil.which('gcc')
    if not cc:
        sys.exit('run.py: need a C compiler (cc) to build bench/loadgen.c')
    # with TLS (-t) when OpenSSL's headers and libraries are there; else without, and tls_* are skipped
    cmd = [cc, '-O2', '-Wall', '-DLOADGEN_TLS', '-o', LOADGEN, LOADGEN_SRC, '-lssl', '-lcrypto']
    log('building loadgen: ' + ' '.join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        log('  could not build with OpenSSL (%s); building without TLS: the tls_* scenarios will be skipped '
            '(install libssl-dev, e.g. apt-get install libssl-dev, and delete bench/build/loadgen)'
            % p.stdout.decode(errors='replace').strip().splitlines()[-1:])
        cmd = [cc, '-O2', '-Wall', '-o', LOADGEN, LOADGEN_SRC]
        log('building loadgen: ' + ' '.join(cmd))
        subprocess.run(cmd, check=True)


def loadgen_features():
    try:
        return json.loads(subprocess.run([LOADGEN, 'features'], stdout=subprocess.PIPE, timeout=10).stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return {'tls': False}


def loadgen_cmd(args, mode, port, conns, size, warm, window, pid=None, extra=()):
    cmd = [LOADGEN, mode, '-p', str(port), '-H', HOST, '-c', str(conns), '-s', str(size),
           '-w', '%.3f' % warm, '-d', '%.3f' % window]
    if pid:
        cmd += ['-P', str(pid)]
    cmd += list(extra)
    if args.client_cpu is not None:
        cmd = ['taskset', '-c', str(args.client_cpu)] + cmd
    return cmd


def run_loadgen(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, preexec_fn=raise_nofile)
    except subprocess.TimeoutExpired:
        return {'ok': False, 'error': 'loadgen timed out after %.0f s' % timeout}
    lines = p.stdout.decode(errors='replace').strip().splitlines()
    try:
        res = json.loads(lines[-1])
    except (IndexError, ValueError):
        return {'ok': False, 'error': 'loadgen rc=%d, no JSON: %s %s' % (
            p.returncode, p.stdout[-200:].decode(errors='replace'), p.stderr[-200:].decode(errors='replace'))}
    return res


def measure_timed(args, server, scen, warm, window):
    mode, conns, size, metric, unit, _ = SCENARIOS[scen]
    cmd = loadgen_cmd(args, mode, server.port, conns, size, warm, window, server.pid,
                      extra=SCENARIO_ARGS.get(scen, ()))
    res = run_loadgen(cmd, warm + window + 40)
    sample = {'scenario': scen, 'server': server.name, 'unit': unit, 'ok': bool(res.get('ok')),
              'value': res.get(metric) if res.get('ok') else None,
              'cpu_us_per_op': (10000.0 * res['server_cpu_pct'] / res['ops_per_s']
                                if res.get('ok') and res.get('ops_per_s') and res.get('server_cpu_pct') is not None
                                else None),
              'server_cpu': res.get('server_cpu_pct'), 'client_cpu': res.get('client_cpu_pct'),
              'p50_us': res.get('p50_us'), 'p99_us': res.get('p99_us'),
              'other_cpu': res.get('other_cpu_pct'), 'loadgen': res}
    return sample


def run_head_to_head(args, data, active, timed, rnd):
    """Each PROXY scenario head to head with churn20 (bench/head_to_head.py)."""
    by_name = {s.name: s for s in active}
    plain, proxy = by_name.get(head_to_head.BASE[1]), by_name.get(head_to_head.PROXY_SERVER)
    if plain is None or proxy is None:
        return
    for scen in [x for x in timed if protocol(x) == 'proxy']:
        cmds = []
        for server, name in ((plain, head_to_head.BASE[0]), (proxy, scen)):
            mode, conns, size, _, _, _ = SCENARIOS[name]
            cmds.append(loadgen_cmd(args, mode, server.port, conns, size, args.warm, args.window * 2,
                                    extra=SCENARIO_ARGS.get(name, ())))
        wait_quiet(args)
        plain.thaw()
        proxy.thaw()
        time.sleep(0.02)
        pair = head_to_head.sample(scen, rnd, *head_to_head.measure(cmds[0], cmds[1], args.window * 2 + 60))
        plain.freeze()
        proxy.freeze()
        data.setdefault('head_to_head', []).append(pair)
        log('  %-12s head to head: plain %s, proxy %s conn/s, ratio %s' % (
            scen, pair['plain'], pair['proxy'], '%.3f' % pair['ratio'] if pair['ok'] else pair['error']))


def read_ready(proc, timeout):
    """Read the loadgen's stdout until a READY line (or EOF/timeout)."""
    buf = b''
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                return None, buf
            buf += chunk
            for line in buf.splitlines():
                if line.startswith(b'READY'):
                    return line.decode(), buf
    return None, buf


def measure_idle(args, name, rnd, scen='idle10k'):
    mode, conns, size, metric, unit, _ = SCENARIOS[scen]
    server = Server(name, args)
    sample = {'scenario': scen, 'server': name, 'unit': unit, 'round': rnd, 'ok': False, 'value': None}
    if not server.start():
        sample['error'] = server.note
        return sample
    try:
        time.sleep(args.idle_settle)
        before = rss_kib(server.pid)
        cmd = loadgen_cmd(args, 'idle', server.port, conns, size, 0, 60,
                          extra=['-T', '40'] + list(SCENARIO_ARGS.get(scen, ())))
        t0 = time.monotonic()
        lg = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              preexec_fn=raise_nofile)
        try:
            ready, out = read_ready(lg, 45)
            if ready is None:
                rest = lg.communicate(timeout=10)[0]
                sample['error'] = 'loadgen did not get READY: ' + (out + rest).decode(errors='replace')[-300:]
                return sample
            open_s = time.monotonic() - t0
            time.sleep(args.idle_settle)
            after = rss_kib(server.pid)
            alive = server.alive()
            rest, _ = lg.communicate(timeout=20)   # closes stdin: the loadgen lets go
        finally:
            if lg.poll() is None:
                lg.kill()
                lg.wait()
        lines = (out + rest).decode(errors='replace').strip().splitlines()
        try:
            res = json.loads(lines[-1])
        except (IndexError, ValueError):
            res = {'ok': False, 'error': 'no JSON from loadgen'}
        sample.update(loadgen=res, rss_before_kib=before, rss_after_kib=after, open_s=round(open_s, 3),
                      ok=bool(res.get('ok')) and alive)
        if sample['ok']:
            sample['value'] = (after - before) / conns
        else:
            sample['error'] = res.get('error') or ('server died' if not alive else 'connections dropped')
        return sample
    finally:
        server.stop()


def warm_up(args, server):
    """A few seconds of mixed load once per server process (V8's JIT needs it)."""
    seg = args.server_warmup / 3.0
    echo = (('pingpong', 50, 16384), ('stream', 8, 65536), ('pingpong', 50, 64))
    loads = {'echo': echo,
             'lines': (('lines', 50, 32), ('lines', 1, 32), ('lines', 50, 32)),
             'tls': (('pingpong', 50, 1024), ('stream', 8, 65536), ('churn', 20, 64)),
             'proxy': (('churn', 20, 64),) + echo[:2]}[SERVERS[server.name][2]]
    flags = {'tls': ['-t'], 'proxy': ['-X', '1']}.get(SERVERS[server.name][2], [])
    for mode, conns, size in loads:
        cmd = loadgen_cmd(args, mode, server.port, conns, size, 0, seg, extra=flags)
        res = run_loadgen(cmd, seg + 40)
        if not res.get('ok'):
            return res.get('error') or 'warm-up load failed: %s' % json.dumps(res)[:300]
    return None


def machine_busy(seconds=1.0):
    """CPU busy on the whole machine over `seconds`, in % of one core (before we start anything)."""
    def read():
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return sum(v) - v[3] - v[4], sum(v)
    try:
        b0, _ = read()
        time.sleep(seconds)
        b1, _ = read()
        return 100.0 * (b1 - b0) / os.sysconf('SC_CLK_TCK') / seconds
    except (OSError, ValueError):
        return None


def wait_quiet(args):
    """Before a sample: if other processes keep the machine busy, wait (bounded) for a quieter moment.

    All our servers are SIGSTOPped here, so whatever is busy belongs to someone else. Waits at most
    --quiet-wait s per sample and --quiet-budget s per run; returns the seconds waited."""
    if args.quiet_wait <= 0 or args.quiet_budget <= 0:
        return 0.0
    t0 = time.monotonic()
    while True:
        busy = machine_busy(0.1)
        waited = time.monotonic() - t0
        if busy is None or busy <= args.max_other or waited >= min(args.quiet_wait, args.quiet_budget):
            args.quiet_budget -= waited
            return waited
        time.sleep(0.4)
