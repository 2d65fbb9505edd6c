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
SCENARIO_PROTOCOL below): the echo scenarios run against the echo servers only,
lines50 (a line KV protocol, `SET k v` -> `OK`, `GET k` -> the value; 50
connections, one request outstanding on each) against greennet_lines_straight
(makefile() in the connection listener), greennet_lines_events ('data' + a line
splitter), gevent_lines (StreamServer + makefile()) and node_lines. Without
--servers, the servers are those that speak a chosen scenario's protocol.

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
import html
import json
import os
import platform
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import head_to_head

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
BUILD = os.path.join(BENCH, 'build')
RESULTS = os.path.join(BENCH, 'results')
LOADGEN_SRC = os.path.join(BENCH, 'loadgen.c')
LOADGEN = os.path.join(BUILD, 'loadgen')
HOST = '127.0.0.1'

# name: (loadgen mode, connections, size, metric key, unit, description)
SCENARIOS = {
    'pp1_64':      ('pingpong', 1, 64, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 64 B messages'),
    'pp1_1k':      ('pingpong', 1, 1024, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 1 KiB messages'),
    'pp1_16k':     ('pingpong', 1, 16384, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 16 KiB messages'),
    'pp50_64':     ('pingpong', 50, 64, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 64 B messages'),
    'pp50_1k':     ('pingpong', 50, 1024, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 1 KiB messages'),
    'pp50_16k':    ('pingpong', 50, 16384, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 16 KiB messages'),
    'stream8_64k': ('stream', 8, 65536, 'mb_per_s', 'MB/s',
                    'streaming, 8 connections, 64 KiB writes, up to 1 MiB in flight each'),
    'churn20':     ('churn', 20, 64, 'ops_per_s', 'conn/s',
                    '20 parallel loops of connect + 64 B echo + close, from 256 loopback source addresses'),
    'churn20_1src': ('churn', 20, 64, 'ops_per_s', 'conn/s',
                     'churn20 from the kernel\'s single default source address (127.0.0.1)'),
    'idle10k':     ('idle', 10000, 16, 'kib_per_conn', 'KiB/conn',
                    'server RSS growth per idle connection, 10,000 connections (lower is better)'),
    'lines50':     ('lines', 50, 32, 'ops_per_s', 'req/s',
                    'line KV protocol (SET k v / GET k, 32 B values), 50 connections, 1 request in flight each'),
    'churn20_proxy':  ('churn', 20, 64, 'ops_per_s', 'conn/s',
                       'churn20 with a PROXY v1 line first on every connection (256 source addresses)'),
    'churn20_proxy2': ('churn', 20, 64, 'ops_per_s', 'conn/s',
                       'churn20 with a PROXY v2 header first on every connection (256 source addresses)'),
    'tls_stream8_64k': ('stream', 8, 65536, 'mb_per_s', 'MB/s',
                        'TLS 1.3 streaming, 8 connections, 64 KiB writes, up to 1 MiB in flight each'),
    'tls_pp50_1k':  ('pingpong', 50, 1024, 'ops_per_s', 'req/s', 'TLS 1.3 ping-pong, 50 connections, 1 KiB messages'),
    'tls_churn20':  ('churn', 20, 64, 'ops_per_s', 'conn/s',
                     '20 parallel loops of connect + full TLS 1.3 handshake (no resumption) + 64 B echo + '
                     'close_notify + close, 256 source addresses'),
    'tls_idle1k':   ('idle', 1000, 16, 'kib_per_conn', 'KiB/conn',
                     'server RSS growth per idle TLS connection (handshake + one echo done), 1,000 connections '
                     '(lower is better)'),
}
LOWER_IS_BETTER = {'idle10k', 'tls_idle1k'}
# extra loadgen arguments per scenario (-S: source addresses, 0 = the kernel's choice; -t: TLS;
# -X: PROXY header version)
SCENARIO_ARGS = {'churn20': ['-S', '256'], 'churn20_1src': ['-S', '0'],
                 'churn20_proxy': ['-S', '256', '-X', '1'], 'churn20_proxy2': ['-S', '256', '-X', '2'],
                 'tls_stream8_64k': ['-t'], 'tls_pp50_1k': ['-t'], 'tls_churn20': ['-t', '-S', '256'],
                 'tls_idle1k': ['-t']}
TLS_SCENARIOS = ('tls_stream8_64k', 'tls_pp50_1k', 'tls_churn20', 'tls_idle1k')
# scenarios where the server's core is the limit: the ones a regression check looks at
SATURATED = ('pp50_64', 'pp50_1k', 'pp50_16k', 'stream8_64k', 'churn20', 'churn20_1src')

# the protocol a scenario needs (default 'echo'); a scenario runs only against servers speaking it
SCENARIO_PROTOCOL = {'lines50': 'lines', 'churn20_proxy': 'proxy', 'churn20_proxy2': 'proxy'}
SCENARIO_PROTOCOL.update((s, 'tls') for s in TLS_SCENARIOS)

# name: (kind, file, protocol)
SERVERS = {
    'greennet_pipe': ('python', 'greennet_pipe.py', 'echo'),
    'greennet_data': ('python', 'greennet_data.py', 'echo'),
    'gevent_raw':    ('python', 'gevent_raw.py', 'echo'),
    'node_pipe':     ('node', 'node_pipe.js', 'echo'),
    'node_data':     ('node', 'node_data.js', 'echo'),
    'greennet_lines_straight': ('python', 'greennet_lines_straight.py', 'lines'),
    'greennet_lines_events':   ('python', 'greennet_lines_events.py', 'lines'),
    'gevent_lines':            ('python', 'gevent_lines.py', 'lines'),
    'node_lines':              ('node', 'node_lines.js', 'lines'),
    'greennet_tls_pipe':       ('python', 'greennet_tls_pipe.py', 'tls'),
    'node_tls_pipe':           ('node', 'node_tls_pipe.js', 'tls'),
    'greennet_proxy_pipe':     ('python', 'greennet_proxy_pipe.py', 'proxy'),
    'greennet_tls_pipe_nodelay': ('python', 'greennet_tls_pipe.py', 'tls'),
    'node_tls_pipe_nodelay':     ('node', 'node_tls_pipe.js', 'tls'),
}
# extra command-line arguments of a server (after PORT HOST)
SERVER_ARGS = {'greennet_tls_pipe_nodelay': ['nodelay'], 'node_tls_pipe_nodelay': ['nodelay']}
BEFORE = '@before'          # suffix of the --baseline servers
SERVER_ROOTS = {}           # server name -> tree put on PYTHONPATH (default: ROOT)
BASELINE = 'gevent_raw'
# the raw-gevent reference of each protocol ("ratio to raw gevent", the plot)
BASELINES = {'echo': 'gevent_raw', 'lines': 'gevent_lines'}


def protocol(scen):
    return SCENARIO_PROTOCOL.get(scen, 'echo')


def speaks(server, scen):
    """Does this server speak the protocol of this scenario?"""
    return SERVERS[server][2] == protocol(scen)


def baseline_of(scen):
    return BASELINES.get(protocol(scen))


def is_idle(scen):
    return SCENARIOS[scen][0] == 'idle'
# "greennet vs node" table: like for like
PAIRS = [('greennet_pipe', 'node_pipe'), ('greennet_data', 'node_data'),
         ('greennet_pipe' + BEFORE, 'node_pipe'), ('greennet_data' + BEFORE, 'node_data'),
         ('greennet_pipe', 'gevent_raw'), ('greennet_data', 'gevent_raw'), ('gevent_raw', 'node_pipe'),
         ('greennet_lines_straight', 'node_lines'), ('greennet_lines_events', 'node_lines'),
         ('greennet_lines_straight', 'gevent_lines'), ('greennet_lines_events', 'gevent_lines'),
         ('greennet_lines_straight', 'greennet_lines_events'), ('gevent_lines', 'node_lines'),
         ('greennet_tls_pipe', 'node_tls_pipe'), ('greennet_tls_pipe_nodelay', 'node_tls_pipe_nodelay')]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- building

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


# ---------------------------------------------------------------- processes

def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_accepts(port):
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS for pid %d' % pid)


class Server:
    """One echo-server process, pinned, with its stderr in bench/build/logs/."""

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.proc = None
        self.port = None
        self.note = None
        self.logpath = os.path.join(BUILD, 'logs', name + '.log')
        self.log_start = 0   # where this process's part of the (appended) log begins

    def command(self, port):
        kind, fname, _ = SERVERS[self.name]
        path = os.path.join(BENCH, 'servers', fname)
        interp = self.args.python if kind == 'python' else self.args.node
        cmd = [interp, path, str(port), HOST] + SERVER_ARGS.get(self.name.split('@')[0], [])
        if self.args.server_cpu is not None:
            cmd = ['taskset', '-c', str(self.args.server_cpu)] + cmd
        return cmd

    def start(self, timeout=20.0):
        kind = SERVERS[self.name][0]
        if kind == 'node' and not self.args.node:
            self.note = 'node not found on PATH (use --node PATH)'
            return False
        env = dict(os.environ)
        root = SERVER_ROOTS.get(self.name, ROOT)
        env['PYTHONPATH'] = root + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        os.makedirs(os.path.dirname(self.logpath), exist_ok=True)
        self.port = free_port()
        logf = open(self.logpath, 'ab')
        self.log_start = logf.tell()
        logf.write(('\n--- %s %s\n' % (datetime.datetime.now().isoformat(' ', 'seconds'),
                                        ' '.join(self.command(self.port)))).encode())
        logf.flush()
        try:
            self.proc = subprocess.Popen(self.command(self.port), stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, env=env, cwd=ROOT, preexec_fn=raise_nofile)
        except OSError as e:
            self.note = 'cannot run %s: %s' % (self.command(self.port)[0], e)
            self.proc = None
            return False
        finally:
            logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.note = 'exited with code %s at startup: %s' % (self.proc.returncode, self.log_tail())
                if kind == 'python':
                    venv = os.path.join(ROOT, '.venv', 'bin', 'python')
                    self.note += ' (python: %s; choose another with --python%s)' % (
                        self.args.python, ', e.g. --python .venv/bin/python'
                        if os.path.exists(venv) and os.path.abspath(venv) != os.path.abspath(self.args.python) else '')
                self.proc = None
                return False
            if port_accepts(self.port):
                return True
            time.sleep(0.05)
        self.note = 'did not accept on port %d within %.0f s: %s' % (self.port, timeout, self.log_tail())
        self.stop()
        return False

    def log_tail(self, n=3):
        try:
            with open(self.logpath, 'rb') as f:
                f.seek(self.log_start)   # only this process's output, not an earlier run's
                lines = f.read().decode(errors='replace').strip().splitlines()
        except OSError:
            return ''
        tail = [l.strip() for l in lines if l.strip() and not l.startswith('--- ')
                and set(l.strip()) - set('^~ ')][-n:]
        return ' | '.join(tail)[-400:]

    def death(self):
        """Why the process is gone: its exit status and the end of its own log."""
        rc = self.proc.poll() if self.proc is not None else None
        how = ('killed by signal %d' % -rc if rc is not None and rc < 0
               else 'exit code %s' % rc if rc is not None else 'not running')
        return '%s; log: %s' % (how, self.log_tail() or '(empty)')

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def freeze(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
                self.proc.terminate()
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
            except ProcessLookupError:
                pass
        self.proc = None


# ---------------------------------------------------------------- loadgen

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
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           preexec_fn=raise_nofile)
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


# ---------------------------------------------------------------- baseline

def git(*argv, **kw):
    return subprocess.run(['git', '-C', ROOT] + list(argv), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kw).stdout


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


# ---------------------------------------------------------------- run

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


def fmt_sample(s):
    if not s['ok']:
        return 'FAILED: %s' % (s.get('error') or (s.get('loadgen') or {}).get('error') or s.get('loadgen'))
    if is_idle(s['scenario']):
        return '%.2f KiB/conn (RSS %.1f -> %.1f MiB, open %.2f s)' % (
            s['value'], s['rss_before_kib'] / 1024, s['rss_after_kib'] / 1024, s['open_s'])
    return '%s %s  (cpu srv %s%% / cli %s%% / other %s%%%s)' % (
        fmt_val(s['value'], s['unit']), s['unit'], fmt_pct(s['server_cpu']), fmt_pct(s['client_cpu']),
        fmt_pct(s.get('other_cpu')),
        '; %.1f us srv cpu/req, p99 %s us' % (s['cpu_us_per_op'], fmt_pct(s.get('p99_us')))
        if s.get('cpu_us_per_op') is not None and SCENARIOS[s['scenario']][0] == 'lines' else '')


# ---------------------------------------------------------------- report

def fmt_val(v, unit):
    if v is None:
        return '—'
    if unit == 'KiB/conn':
        return '%.2f' % v
    return '{:,.0f}'.format(v)


def fmt_pct(v):
    return '?' if v is None else '%.0f' % v


def collect(data):
    """{(scenario, server): [ok samples]}.

    A cell uses only its undisturbed samples (other processes below --max-other) when it has at least
    3 of them; otherwise all of its samples."""
    thr = data['config'].get('max_other', 30)
    cells = {}
    for s in data['samples']:
        if s['ok'] and s['value'] is not None and not s.get('discarded'):
            cells.setdefault((s['scenario'], s['server']), []).append(s)
    for k, c in cells.items():
        clean = [s for s in c if (s.get('other_cpu') or 0) <= thr]
        if len(clean) >= 3:
            cells[k] = clean
    return cells


def med(samples, key='value'):
    vals = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(vals) if vals else None


def table(header, rows):
    out = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    out += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(out) + '\n'


def render_md(data, tag):
    cfg, meta = data['config'], data['meta']
    v = meta.get('versions', {})
    cells = collect(data)
    scens = [s for s in cfg['scenarios'] if any((s, n) in cells for n in cfg['servers'])]
    names = [n for n in cfg['servers'] if data['servers'].get(n, {}).get('status') != 'skipped'
             or any((s, n) in cells for s in scens)]
    unit = {s: SCENARIOS[s][4] for s in SCENARIOS}

    def medv(scen, name):
        return med(cells.get((scen, name), []))

    L = ['# greennet benchmark: %s\n' % tag]
    L.append('`%s` — started %s, took %s s.\n' % (meta['command'], meta['started'], meta.get('elapsed_s', '?')))
    pin = ('server on CPU %s, loadgen on CPU %s (taskset)' % (cfg['server_cpu'], cfg['client_cpu'])
           if cfg['server_cpu'] is not None else 'no CPU pinning')
    L.append('%s round(s), %s; each measurement %.2f s warm-up + %.2f s measured; one process per server, '
             'warmed up once with %.1f s of load and SIGSTOPped while others run; server order rotated per '
             'round. idle10k: fresh process per server and round, %d round(s). Cells are medians over rounds.\n'
             % (cfg['rounds'], pin, cfg['warm_s'], cfg['window_s'], cfg['server_warmup_s'], cfg['idle_rounds']))
    L.append('Machine: %s, %s CPUs, %s. Python (servers) %s, gevent %s, node %s, greennet %s.\n' % (
        v.get('cpu_model', '?'), v.get('cpus', '?'), v.get('platform', '?'), v.get('python_servers', '?'),
        v.get('gevent', '?'), v.get('node', 'n/a'), v.get('greennet_git', '?')))
    skipped = [(n, i) for n, i in data['servers'].items() if i.get('status') != 'ok']
    if skipped:
        L.append('**Not measured:**\n')
        for n, i in skipped:
            L.append('- `%s` (%s): %s' % (n, i.get('status'), i.get('note')))
        L.append('')
    if meta.get('interrupted'):
        L.append('**This run was interrupted; the tables hold what was measured before that.**\n')
    busy = meta.get('busy_before_pct')
    for note in meta.get('notes') or []:
        L.append('**Note:** %s\n' % note)
    if busy is not None and busy > 20:
        L.append('**Warning:** the machine was not idle when the run started (%.0f%% of a core busy); '
                 'expect noisy numbers.\n' % busy)
    fails = [s for s in data['samples'] if not s['ok']]
    if fails:
        L.append('%d failed measurement(s) (excluded from medians), e.g. %s/%s: %s\n' % (
            len(fails), fails[0]['scenario'], fails[0]['server'],
            str(fails[0].get('error') or (fails[0].get('loadgen') or {}).get('error') or fails[0].get('loadgen'))[:200]))

    hdr = ['scenario', 'unit'] + names
    L.append('## Results (median)\n')
    L.append('ping-pong = round trips/s over all connections; stream = MB/s echoed (1 MB = 10^6 B); '
             'churn = connect+echo+close cycles/s; lines = requests/s (one response line each); idle = server RSS growth '
             'per connection (lower is better). A server runs only the scenarios of its protocol (— elsewhere).\n')
    L.append(table(hdr, [[s, unit[s]] + [fmt_val(medv(s, n), unit[s]) for n in names] for s in scens]))

    if any(baseline_of(s) in names for s in scens):
        L.append('## Ratio to raw gevent\n')
        L.append('server median ÷ raw gevent\'s median for the same protocol (echo scenarios: `gevent_raw`; '
                 'lines50: `gevent_lines`). Higher is better, except idle10k where >1 means more memory.\n')
        rows = []
        for s in scens:
            b = medv(s, baseline_of(s))
            rows.append([s, unit[s]] + [('%.2f' % (medv(s, n) / b)) if b and medv(s, n) is not None else '—'
                                        for n in names])
        L.append(table(hdr, rows))

    pairs = [(a, b) for a, b in PAIRS if a in names and b in names]
    L.append('## greennet vs node and raw gevent\n')
    if not any(n.startswith('greennet') for n in names):
        L.append('_greennet servers were not measured in this run (see "Not measured" above)._\n')
    if pairs:
        L.append('median ÷ median, like for like (`pipe` with `pipe`, `data` with `data`). '
                 'Higher is better, except idle10k.\n')
        rows = []
        for s in scens:
            row = [s]
            for a, b in pairs:
                va, vb = medv(s, a), medv(s, b)
                row.append('%.2f' % (va / vb) if va is not None and vb else '—')
            rows.append(row)
        L.append(table(['scenario'] + ['%s ÷ %s' % p for p in pairs], rows))

    L.extend(render_lines(cells, scens, names))
    L.extend(render_before_after(data, cells, scens, names))
    L.extend(render_churn(cells, scens, names))
    L.extend(render_tls(cells, scens, names))
    L.extend(render_proxy(data, cells, scens, names))

    L.append('## Plot\n')
    L.append('![ratio to raw gevent](%s.svg)\n' % tag)
    L.append('Bars: median ÷ raw gevent\'s median (`gevent_raw`; lines50: `gevent_lines`; idle10k inverted: '
             'gevent_raw KiB ÷ server KiB), so higher is '
             'better everywhere; whiskers: min–max over rounds.\n')

    L.append('## Spread across rounds (min–max)\n')
    L.append('min–max over rounds; ± is half the range relative to the median; n = samples used.\n')
    rows = []
    for s in scens:
        row = [s, unit[s]]
        for n in names:
            vals = [x['value'] for x in cells.get((s, n), [])]
            if vals:
                m = statistics.median(vals)
                rel = (max(vals) - min(vals)) / m * 100 if m else 0
                row.append('%s–%s (±%.0f%%, n=%d)' % (fmt_val(min(vals), unit[s]), fmt_val(max(vals), unit[s]),
                                                       rel / 2, len(vals)))
            else:
                row.append('—')
        rows.append(row)
    L.append(table(hdr, rows))

    lat = [s for s in scens if SCENARIOS[s][0] in ('pingpong', 'churn', 'lines')]
    if lat:
        L.append('## Latency p50 / p99 (µs, medians over rounds)\n')
        L.append('ping-pong: one round trip; churn: connect start to echo received; lines: request sent to '
                 'response line received.\n')
        rows = []
        for s in lat:
            row = [s]
            for n in names:
                c = cells.get((s, n), [])
                row.append('%.0f / %.0f' % (med(c, 'p50_us'), med(c, 'p99_us')) if c else '—')
            rows.append(row)
        L.append(table(['scenario'] + names, rows))

    cpu = [s for s in scens if not is_idle(s)]
    if cpu:
        L.append('## CPU % server / client (medians)\n')
        L.append('100 = one core busy. A server near 100 is the bottleneck (good: the test measures it); '
                 'a client marked `!` (≥ 90) means the load generator may be the limit in that cell.\n')
        rows = []
        for s in cpu:
            row = [s]
            for n in names:
                c = cells.get((s, n), [])
                if not c:
                    row.append('—')
                    continue
                sc, cc = med(c, 'server_cpu'), med(c, 'client_cpu')
                row.append('%s / %s%s' % (fmt_pct(sc), fmt_pct(cc), ' !' if cc is not None and cc >= 90 else ''))
            rows.append(row)
        L.append(table(['scenario'] + names, rows))

    timed_samples = [x for x in data['samples'] if not is_idle(x['scenario']) and x.get('other_cpu') is not None]
    if timed_samples:
        used = {id(x) for c in cells.values() for x in c}
        dropped = [x for x in timed_samples if not x.get('discarded') and x['ok'] and id(x) not in used]
        L.append('## Disturbance\n')
        thr = cfg.get('max_other', 30)
        disc = [x for x in timed_samples if x.get('discarded')]
        L.append('CPU used by other processes (and hypervisor steal) during the measured windows, in %% of one '
                 'core: the benchmark cannot see what else runs on the machine, so this is how a disturbed '
                 'sample shows. Samples above %.0f%% were measured again (up to %d time(s)): %d sample(s), besides the %d kept, '
                 'were re-measured that way, and the run waited %.0f s in total for quiet moments (before each '
                 'sample, up to --quiet-wait s while other processes kept more than %.0f%% busy). '
                 'A cell leaves out its samples that were still disturbed when it has at least 3 others '
                 '(%d sample(s) left out that way; n in the spread table counts the samples used). '
                 'Other CPU %% over the samples used, median (max):\n'
                 % (thr, cfg.get('retries', 1), len(disc), len(timed_samples) - len(disc),
                    meta.get('quiet_wait_s', 0), thr, len(dropped)))
        rows = []
        for n in names:
            o = [x['other_cpu'] for x in timed_samples if x['server'] == n and id(x) in used]
            if o:
                rows.append([n, '%.0f (%.0f)' % (statistics.median(o), max(o))])
        L.append(table(['server', 'other CPU % (kept samples)'], rows))

    idle = [x for x in data['samples'] if is_idle(x['scenario']) and x['ok']]
    if idle:
        L.append('## Idle memory detail (medians)\n')
        rows = []
        for scen in [s for s in scens if is_idle(s)]:
            for n in names:
                c = [x for x in idle if x['server'] == n and x['scenario'] == scen]
                if c:
                    rows.append([scen, n, '{:,}'.format(SCENARIOS[scen][1]), '%.1f' % (med(c, 'rss_before_kib') / 1024),
                                 '%.1f' % (med(c, 'rss_after_kib') / 1024), '%.2f' % med(c), '%.2f' % med(c, 'open_s')])
        L.append(table(['scenario', 'server', 'connections', 'RSS before (MiB)', 'RSS with them (MiB)', 'KiB/conn',
                        'open time (s)'], rows))
    return '\n'.join(L)


def spread_overlap(a, b):
    """Do the min-max ranges of two cells overlap?"""
    va, vb = [x['value'] for x in a], [x['value'] for x in b]
    return min(va) <= max(vb) and min(vb) <= max(va)


def render_before_after(data, cells, scens, names):
    """Before (--baseline) vs after per cell, with Node and raw gevent for scale."""
    pairs = [(n[:-len(BEFORE)], n) for n in names if n.endswith(BEFORE) and n[:-len(BEFORE)] in names]
    if not pairs:
        return []
    b = data.get('baseline') or {}
    unit = {s: SCENARIOS[s][4] for s in SCENARIOS}
    L = ['## Before and after (`--baseline %s`)\n' % b.get('ref', '?')]
    L.append('`@before` = the same server scripts with greennet/ of %s; after = %s. '
             'after ÷ before: above 1 is better, except idle10k (below 1 = less memory). '
             '**▼** = more than 5 %% worse in a saturated scenario (%s) and the two min–max ranges do not '
             'overlap; ▽ = more than 5 %% worse but the ranges overlap (within this run\'s noise).\n' % (
                 '`%s`' % (b.get('subject') or b.get('ref', '?'))[:72], '`%s`' % data['meta'].get('versions', {}).get(
                     'greennet_git', 'the working tree'), ', '.join(SATURATED)))
    hdr = ['scenario', 'unit']
    for a, bf in pairs:
        hdr += [bf, a, 'after ÷ before']
    extra = [n for n in ('node_pipe', 'node_data', 'gevent_raw', 'node_lines', 'gevent_lines') if n in names]
    hdr += extra
    rows = []
    for s in scens:
        row = [s, unit[s]]
        for a, bf in pairs:
            ca, cb = cells.get((s, a)), cells.get((s, bf))
            row += [fmt_val(med(cb), unit[s]) if cb else '—', fmt_val(med(ca), unit[s]) if ca else '—']
            if ca and cb and med(cb):
                r = med(ca) / med(cb)
                worse = (r > 1.05) if s in LOWER_IS_BETTER else (r < 0.95)
                mark = ''
                if worse and s in SATURATED + ('idle10k',):
                    mark = ' ▽' if spread_overlap(ca, cb) else ' **▼**'
                row.append('%.2f%s' % (r, mark))
            else:
                row.append('—')
        row += [fmt_val(med(cells[(s, n)]), unit[s]) if (s, n) in cells else '—' for n in extra]
        rows.append(row)
    L.append(table(hdr, rows))
    return L


def render_lines(cells, scens, names):
    """Line protocol: req/s, latency and server CPU per request, against raw gevent (issue 12's goal)."""
    L = []
    for s in [x for x in scens if SCENARIOS[x][0] == 'lines']:
        ref = cells.get((s, baseline_of(s)))
        L.append('## Line protocol (%s): straight-line vs events vs raw gevent\n' % s)
        L.append('%s. req/s and µs of server CPU per request (server CPU from /proc/PID/stat over the measured '
                 'window ÷ requests) are medians over rounds, with the min–max range; p50/p99: request sent to '
                 'response received. Issue 12\'s goal: `greennet_lines_straight` at or above `%s`\'s req/s and '
                 'no more CPU per request.\n' % (SCENARIOS[s][5], baseline_of(s)))
        rows = []
        for n in names:
            c = cells.get((s, n))
            if not c:
                continue
            vals = [x['value'] for x in c]
            cpu = [x['cpu_us_per_op'] for x in c if x.get('cpu_us_per_op') is not None]
            row = [n, fmt_val(med(c), 'req/s'), '%s–%s' % (fmt_val(min(vals), 'req/s'), fmt_val(max(vals), 'req/s')),
                   '%.0f / %.0f' % (med(c, 'p50_us'), med(c, 'p99_us')),
                   '%.1f' % statistics.median(cpu) if cpu else '—',
                   '%.1f–%.1f' % (min(cpu), max(cpu)) if cpu else '—', fmt_pct(med(c, 'server_cpu'))]
            if ref and med(ref):
                rc = med(ref, 'cpu_us_per_op')
                row += ['%.2f' % (med(c) / med(ref)),
                        '%.2f' % (statistics.median(cpu) / rc) if cpu and rc else '—']
            else:
                row += ['—', '—']
            rows.append(row)
        L.append(table(['server', 'req/s', 'req/s min–max', 'p50 / p99 µs', 'µs CPU/req', 'µs CPU/req min–max',
                        'server CPU %', 'req/s ÷ gevent', 'CPU/req ÷ gevent'], rows))
        st = cells.get((s, 'greennet_lines_straight'))
        if st and ref and med(ref):
            r = med(st) / med(ref)
            rc = med(st, 'cpu_us_per_op') / med(ref, 'cpu_us_per_op') if med(ref, 'cpu_us_per_op') else None
            ok = r >= 1 and rc is not None and rc <= 1
            # round by round (the two servers ran back to back in each round)
            by_round = {x.get('round'): x for x in ref}
            paired = [(x, by_round[x.get('round')]) for x in st if x.get('round') in by_round]
            faster = sum(1 for a, b in paired if a['value'] >= b['value'])
            cheaper = sum(1 for a, b in paired if (a.get('cpu_us_per_op') or 0) <= (b.get('cpu_us_per_op') or 0))
            L.append('Goal (straight-line ≥ raw gevent in req/s, ≤ in CPU/request): req/s %.2f×, CPU/request %s× '
                     '→ **%s**%s. Round by round: straight-line had at least raw gevent\'s req/s in %d of %d '
                     'rounds, no more CPU per request in %d of %d.\n' % (
                         r, '%.2f' % rc if rc is not None else '?', 'met' if ok else 'not met',
                         '' if spread_overlap(st, ref) is False else
                         ' (the two req/s min–max ranges overlap)', faster, len(paired), cheaper, len(paired)))
    return L


def _range(c, unit):
    vals = [x['value'] for x in c]
    return '%s–%s' % (fmt_val(min(vals), unit), fmt_val(max(vals), unit))


def render_tls(cells, scens, names):
    """TLS against Node's tls (issue 13): greennet.tls ÷ Node per scenario, goal at or above Node."""
    tls = [s for s in scens if protocol(s) == 'tls']
    pairs = [(a, b) for a, b in (('greennet_tls_pipe', 'node_tls_pipe'),
                                 ('greennet_tls_pipe_nodelay', 'node_tls_pipe_nodelay')) if a in names and b in names]
    if not tls or not pairs:
        return []
    a = pairs[0][0]
    cipher = next((x['loadgen'].get('tls') for s in tls for x in cells.get((s, a), [])
                   if x.get('loadgen', {}).get('tls')), None)
    L = ['## TLS against Node\'s tls\n']
    L.append('`greennet_tls_pipe` (greennet.tls.create_server + c.pipe(c)) and `node_tls_pipe` (tls.createServer + '
             'c.pipe(c)), same certificate (tests/certs/server-cert.pem, ECDSA P-256), client TLS 1.3 only%s, no '
             'session resumption (each churn cycle is a full handshake). Issue 13\'s goal: at or above Node in '
             'each throughput scenario; idle memory stated beside Node\'s. **met**: median ratio ≥ 1 (marked "within noise" '
             'when the two min–max ranges overlap); below 1: **not met** when the ranges do not overlap, '
             '"within noise" when they do.\n'
             % (' (negotiated: %s)' % cipher if cipher else ''))
    if len(pairs) > 1 or pairs[0][0].endswith('_nodelay'):
        L.append('`*_nodelay`: the same two scripts with TCP_NODELAY on every accepted connection '
                 '(`no_delay=True` / `noDelay: true`); without it both servers run with the default (Nagle on).\n')
    rows = []
    for (a, b), s in [(p, s) for p in pairs for s in tls]:
        ca, cb = cells.get((s, a)), cells.get((s, b))
        if not ca or not cb:
            continue
        u = SCENARIOS[s][4]
        r = med(ca) / med(cb) if med(cb) else None
        if is_idle(s):
            verdict = 'stated (%.2f× Node\'s memory)' % r if r else '—'
        elif r is None:
            verdict = '—'
        elif r >= 1:
            verdict = '**met**' + (' (within noise)' if spread_overlap(ca, cb) else '')
        else:
            verdict = 'within noise' if spread_overlap(ca, cb) else '**not met**'
        cpu = '' if is_idle(s) else '%s / %s' % (fmt_pct(med(ca, 'server_cpu')), fmt_pct(med(cb, 'server_cpu')))
        cli = '' if is_idle(s) else '%s / %s' % (fmt_pct(med(ca, 'client_cpu')), fmt_pct(med(cb, 'client_cpu')))
        p99 = ('%.1f / %.1f' % (med(ca, 'p99_us') / 1000, med(cb, 'p99_us') / 1000)
               if SCENARIOS[s][0] in ('pingpong', 'churn') and med(ca, 'p99_us') is not None
               and med(cb, 'p99_us') is not None else '')
        cpo = ('%.1f / %.1f' % (med(ca, 'cpu_us_per_op'), med(cb, 'cpu_us_per_op'))
               if med(ca, 'cpu_us_per_op') and med(cb, 'cpu_us_per_op') else '')
        rows.append([s + ('' if a == 'greennet_tls_pipe' else ' (%s)' % a[len('greennet_tls_pipe_'):]),
                     u, fmt_val(med(ca), u), _range(ca, u), fmt_val(med(cb), u), _range(cb, u),
                     '%.2f' % r if r else '—', verdict, p99, cpu, cpo, cli])
    L.append(table(['scenario', 'unit', 'greennet', 'greennet min–max', 'node', 'node min–max', 'greennet ÷ node',
                    'goal', 'p99 ms (g / n)', 'server CPU % (g / n)', 'µs server CPU/op (g / n)',
                    'client CPU % (g / n)'], rows))
    return L


def render_proxy(data, cells, scens, names):
    """PROXY protocol churn against plain churn on greennet_pipe, same run (issue 14: cost at most 10 %)."""
    prox = [s for s in scens if protocol(s) == 'proxy']
    base = cells.get(('churn20', 'greennet_pipe'))
    if not prox or not base:
        return []
    L = ['## Churn through the PROXY protocol\n']
    L.append('`greennet_proxy_pipe` (create_server(proxy_protocol=True) + c.pipe(c), trusted_proxies: loopback) '
             'with a PROXY header first on every connection, against churn20 on `greennet_pipe` (no header) in the '
             'same run and rounds. Issue 14\'s goal: the PROXY protocol costs at most 10 % (ratio ≥ 0.90). '
             'Per-round ratios pair the two cells of one round. µs CPU/conn: server CPU over the window ÷ '
             'connections.\n')
    rows = []
    for s in prox:
        c = cells.get((s, 'greennet_proxy_pipe'))
        if not c:
            continue
        r = med(c) / med(base)
        by_round = {x.get('round'): x for x in base}
        paired = sorted(x['value'] / by_round[x.get('round')]['value'] for x in c if x.get('round') in by_round)
        cpu_r = (med(c, 'cpu_us_per_op') / med(base, 'cpu_us_per_op')
                 if med(c, 'cpu_us_per_op') and med(base, 'cpu_us_per_op') else None)
        rows.append([s, fmt_val(med(c), 'conn/s'), _range(c, 'conn/s'), fmt_val(med(base), 'conn/s'),
                     _range(base, 'conn/s'), '%.2f' % r, ', '.join('%.2f' % x for x in paired) or '—',
                     '%.1f / %.1f' % (med(c, 'cpu_us_per_op'), med(base, 'cpu_us_per_op'))
                     if cpu_r else '—', '%.2f' % cpu_r if cpu_r else '—',
                     '%.1f / %.1f' % (med(c, 'p99_us') / 1000, med(base, 'p99_us') / 1000),
                     ('**met**' if r >= 0.90 else '**not met**') + (
                         ' (ranges overlap)' if spread_overlap(c, base) else '')])
    L.append(table(['scenario', 'proxy conn/s', 'min–max', 'churn20 greennet_pipe', 'min–max', 'ratio',
                    'per-round ratios', 'µs CPU/conn (proxy / plain)', 'CPU ratio', 'p99 ms (proxy / plain)',
                    'cost ≤ 10 % (one at a time)'], rows))
    L.extend(head_to_head.render(data.get('head_to_head', []), table))
    return L


def render_churn(cells, scens, names):
    """Churn (both source addressings) against Node like for like: conn/s and p99."""
    churn = [s for s in scens if SCENARIOS[s][0] == 'churn' and protocol(s) == 'echo']
    gn = [n for n in names if n.startswith('greennet_') and SERVERS.get(n, ('', '', 'echo'))[2] == 'echo']
    if not churn or not gn:
        return []
    L = ['## Churn against Node\n']
    L.append('Like for like (`pipe` with `node_pipe`, `data` with `node_data`). Issue 10 asks for conn/s ÷ Node '
             '≥ 1 and p99 ÷ Node\'s ≤ 1.5. churn20: the loadgen binds each connection to one of 256 loopback '
             'source addresses (`-S 256`); churn20_1src: the kernel\'s single default source address '
             '(`-S 0`, 127.0.0.1), so the ~28k ephemeral ports and TIME_WAIT reuse are part of the test. '
             'p99 in ms, median over rounds.\n')
    rows = []
    for s in churn:
        for n in gn + [x for x in ('gevent_raw', 'node_pipe', 'node_data') if x in names]:
            c = cells.get((s, n))
            if not c:
                continue
            node = n.split('@')[0].replace('greennet_', 'node_')
            cn = cells.get((s, node)) if n.startswith('greennet_') else None
            v, p99 = med(c), med(c, 'p99_us')
            row = [s, n, fmt_val(v, 'conn/s'), '%.1f' % (p99 / 1000) if p99 is not None else '—']
            if cn and med(cn) and med(cn, 'p99_us'):
                r, rp = v / med(cn), p99 / med(cn, 'p99_us')
                row += ['%.2f' % r, '%.2f' % rp, 'yes' if r >= 1 and rp <= 1.5 else '**no**']
            else:
                row += ['', '', '']
            rows.append(row)
    L.append(table(['scenario', 'server', 'conn/s', 'p99 ms', 'conn/s ÷ node', 'p99 ÷ node', 'meets issue 10'],
                   rows))
    return L


COLORS = ['#2b6cb0', '#63b3ed', '#718096', '#38a169', '#9ae6b4', '#d69e2e', '#e53e3e', '#805ad5']


def render_svg(data):
    """Grouped bar chart of ratio to gevent_raw per scenario; plain SVG, no dependencies."""
    cfg = data['config']
    cells = collect(data)
    names = [n for n in cfg['servers'] if any((s, n) in cells for s in cfg['scenarios'])]
    scens = [s for s in cfg['scenarios'] if (s, baseline_of(s)) in cells and any((s, n) in cells for n in names)]
    W_BAR, GAP, LEFT, TOP, PH = 16, 26, 56, 56, 300
    groups = []
    for s in scens:
        b = med(cells[(s, baseline_of(s))])
        bars = []
        for n in names:
            c = cells.get((s, n))
            if not c or not b:
                bars.append(None)
                continue
            vals = [x['value'] for x in c]
            m = med(c)
            if s in LOWER_IS_BETTER:   # invert so higher = better everywhere
                r, lo, hi = (b / m if m else 0), (b / max(vals) if max(vals) else 0), (b / min(vals) if min(vals) else 0)
            else:
                r, lo, hi = m / b, min(vals) / b, max(vals) / b
            bars.append((r, lo, hi))
        groups.append((s, bars))
    # the y axis fits the throughput scenarios (capped at 3); taller bars (often idle10k) are clipped and
    # carry their value as a label
    top = max([1.0] + [min(h, 3.0) for sc, bars in groups if sc not in LOWER_IS_BETTER
                       for bar in bars if bar for h in (bar[0], bar[2])])
    step = 0.25 if top <= 1.6 else 0.5
    ymax = step * (int(top / step) + 1)
    gw = max(len(names) * W_BAR + GAP, 84)
    width = LEFT + max(1, len(groups)) * gw + 20
    legend_h = 20 * ((len(names) + 3) // 4)
    height = TOP + PH + 70 + legend_h

    def y(v):
        return TOP + PH - min(v, ymax) / ymax * PH

    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
         'font-family="sans-serif" font-size="11">' % (width, height, width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14" font-weight="bold">Throughput relative to raw gevent '
         '(higher is better)</text>' % LEFT,
         '<text x="%d" y="38" fill="#555">median ÷ raw gevent median (gevent_raw; lines: gevent_lines); whiskers = min–max over rounds; '
         'idle10k inverted (gevent KiB ÷ server KiB)</text>' % LEFT]
    t = 0.0
    while t <= ymax + 1e-9:
        o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"%s/>' % (
            LEFT, width - 20, y(t), y(t), '#333' if abs(t - 1) < 1e-9 else '#ddd',
            ' stroke-dasharray="4,3"' if abs(t - 1) < 1e-9 else ''))
        o.append('<text x="%d" y="%.1f" text-anchor="end" fill="#555">%.2f</text>' % (LEFT - 6, y(t) + 4, t))
        t += step
    for gi, (s, bars) in enumerate(groups):
        x0 = LEFT + gi * gw + (gw - len(names) * W_BAR) / 2
        for bi, bar in enumerate(bars):
            if not bar:
                continue
            r, lo, hi = bar
            x = x0 + bi * W_BAR
            o.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %.2f '
                     '(%.2f–%.2f)</title></rect>' % (x, y(r), W_BAR - 2, TOP + PH - y(r),
                                                      COLORS[bi % len(COLORS)], html.escape(names[bi]), s, r, lo, hi))
            cx = x + (W_BAR - 2) / 2
            o.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#222"/>' % (cx, cx, y(lo), y(hi)))
            if r > ymax:
                o.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%.1f</text>' % (
                    cx, TOP - 4 - 9 * (bi % 2), r))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x0 + len(names) * W_BAR / 2,
                                                                           TOP + PH + 16, html.escape(s)))
    o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#333" stroke-dasharray="4,3"/>' % (
        LEFT, width - 20, y(1.0), y(1.0)))   # the reference line again, over the bars
    ly = TOP + PH + 40
    for i, n in enumerate(names):
        lx = LEFT + (i % 4) * 170
        yy = ly + (i // 4) * 20
        o.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, yy, COLORS[i % len(COLORS)]))
        o.append('<text x="%d" y="%d">%s</text>' % (lx + 17, yy + 10, html.escape(n)))
    if not groups:
        o.append('<text x="%d" y="%d">no data relative to raw gevent</text>' % (LEFT, TOP + 40))
    o.append('</svg>')
    return '\n'.join(o) + '\n'


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
