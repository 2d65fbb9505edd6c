"""The SVG plot: ratio to raw gevent per scenario and server, plain SVG."""
import html

from report import collect, med
from scenarios import LOWER_IS_BETTER, baseline_of

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
