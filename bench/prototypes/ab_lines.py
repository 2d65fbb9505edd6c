"""A/B of the makefile() fast-path prototype: today's straight-line server, the same
script under bench/prototypes/makefile_fastpath.py, the event style and raw gevent,
alternating (rotated order, SIGSTOP while others run, server on CPU 0, loadgen on CPU 1).

    python bench/prototypes/ab_lines.py ROUNDS      (after bench/run.py has built bench/build/loadgen)
"""
import subprocess, os, signal, time, json, statistics, sys
R = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
env = dict(os.environ, PYTHONPATH=R)
py = R + '/.venv/bin/python'
srv = {
 'straight': [py, R + '/bench/servers/greennet_lines_straight.py'],
 'straight_proto': [py, R + '/bench/prototypes/makefile_fastpath.py', R + '/bench/servers/greennet_lines_straight.py'],
 'events': [py, R + '/bench/servers/greennet_lines_events.py'],
 'gevent': [py, R + '/bench/servers/gevent_lines.py'],
}
procs = {}
for i, (k, cmd) in enumerate(srv.items()):
    port = 7440 + i
    procs[k] = (subprocess.Popen(['taskset', '-c', '0'] + cmd + [str(port)], env=env, cwd=R), port)
time.sleep(2)
res = {k: [] for k in srv}
try:
    for k, (p, port) in procs.items():
        subprocess.run(['taskset', '-c', '1', R + '/bench/build/loadgen', 'lines', '-p', str(port), '-c', '50', '-w', '0', '-d', '1.5'], stdout=subprocess.DEVNULL)
        p.send_signal(signal.SIGSTOP)
    names = list(srv)
    for rnd in range(int(sys.argv[1])):
        order = names[rnd % 4:] + names[:rnd % 4]
        for k in order:
            p, port = procs[k]
            p.send_signal(signal.SIGCONT)
            out = subprocess.run(['taskset', '-c', '1', R + '/bench/build/loadgen', 'lines', '-p', str(port), '-c', '50', '-w', '0.25', '-d', '1', '-P', str(p.pid)], stdout=subprocess.PIPE).stdout
            p.send_signal(signal.SIGSTOP)
            d = json.loads(out.splitlines()[-1])
            res[k].append((d['ops_per_s'], 1e4 * d['server_cpu_pct'] / d['ops_per_s'], d['other_cpu_pct'], d['p99_us']))
finally:
    for p, _ in procs.values():
        p.send_signal(signal.SIGCONT); p.terminate(); p.wait()
for k, v in res.items():
    clean = [x for x in v if x[2] <= 30] or v
    print('%-15s n=%d/%d  req/s med %7.0f [%6.0f-%6.0f]  us cpu/req med %5.1f [%5.1f-%5.1f]  p99 %5.0f' % (
        k, len(clean), len(v), statistics.median(x[0] for x in clean), min(x[0] for x in clean), max(x[0] for x in clean),
        statistics.median(x[1] for x in clean), min(x[1] for x in clean), max(x[1] for x in clean), statistics.median(x[3] for x in clean)))
