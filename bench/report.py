"""The markdown report (render_md and its sections) and the formatting helpers it shares with the
log lines and the plot: fmt_*, collect, med, table."""
import statistics

import head_to_head
from scenarios import (
    BEFORE,
    LOWER_IS_BETTER,
    PAIRS,
    SATURATED,
    SCENARIOS,
    SERVERS,
    baseline_of,
    is_idle,
    protocol,
)


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


def fmt_val(v, unit):
    if v is None:
        return '—'
    if unit == 'KiB/conn':
        return '%.2f' % v
    return f'{v:,.0f}'


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
                    rows.append([scen, n, f'{SCENARIOS[scen][1]:,}', '%.1f' % (med(c, 'rss_before_kib') / 1024),
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
