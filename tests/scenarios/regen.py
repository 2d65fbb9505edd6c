#!/usr/bin/env python3
"""Regenerate NAME.expected (Node's trace) for every scenario pair here.

Usage: python tests/scenarios/regen.py [--node node] [--repeat 3] [NAME ...]

Each NAME.js is run with Node (cwd = this folder, 10 s limit) `--repeat`
times; the trace is written only if every run printed the same thing, so an
unstable scenario is reported instead of recorded.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def scenario_names():
    return sorted(f[:-3] for f in os.listdir(HERE)
                  if f.endswith('.js') and not f.startswith('_')
                  and os.path.exists(os.path.join(HERE, f[:-3] + '.py')))


def node_trace(node, name):
    proc = subprocess.run([node, name + '.js'], cwd=HERE, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    return proc.stdout.decode('utf-8'), proc.stderr.decode('utf-8', 'replace')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--node', default='node')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('names', nargs='*')
    args = ap.parse_args()
    names = args.names or scenario_names()
    bad = 0
    for name in names:
        traces = []
        for _ in range(max(1, args.repeat)):
            out, err = node_trace(args.node, name)
            traces.append(out)
        if len(set(traces)) != 1 or not traces[0].endswith('exit\n'):
            bad += 1
            print('UNSTABLE', name, err.strip().splitlines()[-1:] if err.strip() else '')
            continue
        with open(os.path.join(HERE, name + '.expected'), 'w', encoding='utf-8') as fh:
            fh.write(traces[0])
        print('wrote', name + '.expected')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
