"""The server processes: start one pinned, read its log and RSS, freeze, thaw and stop it."""
import datetime
import os
import resource
import signal
import socket
import subprocess
import time

from common import BENCH, BUILD, HOST, ROOT
from scenarios import SERVER_ARGS, SERVER_ROOTS, SERVERS


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
        tail = [ln.strip() for ln in lines if ln.strip() and not ln.startswith('--- ')
                and set(ln.strip()) - set('^~ ')][-n:]
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
