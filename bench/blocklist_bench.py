"""BlockList.check() throughput, greennet against Node's own BlockList.

    python bench/blocklist_bench.py [--checks 20000] [--node-seconds 4] [--seed 1]

The same seeded random rules (IPv4 and IPv6 addresses, ranges and subnets)
and the same addresses are given to greennet and, when ``node`` is on PATH,
to Node (through a generated script and a JSON file), at 10, 1,000 and
100,000 rules. Node tries its rules one by one, so its run is bounded by
time (``--node-seconds`` per size). Both sides' answers are compared on the
addresses Node checked. Prints a Markdown table and greennet's throughput at
100,000 rules relative to 10 rules.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from greennet.blocklist import BlockList  # noqa: E402

SIZES = (10, 1_000, 100_000)

Rule = list      # ['address', addr, family] | ['range', start, end, family] | ['subnet', net, prefix, family]
Check = list     # [addr, family]

NODE_SCRIPT = r"""
'use strict';
const net = require('net');
const { rules, checks, seconds } = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const results = {};
for (const [size, list] of Object.entries(rules)) {
  const blockList = new net.BlockList();
  for (const r of list) {
    if (r[0] === 'address') blockList.addAddress(r[1], r[2]);
    else if (r[0] === 'range') blockList.addRange(r[1], r[2], r[3]);
    else blockList.addSubnet(r[1], r[2], r[3]);
  }
  const answers = [];
  const budget = BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  let elapsed = 0n;
  while (answers.length < checks.length) {
    const [address, family] = checks[answers.length];
    answers.push(blockList.check(address, family));
    elapsed = process.hrtime.bigint() - started;
    if (answers.length >= 100 && elapsed > budget) break;
  }
  results[size] = { checks: answers.length, seconds: Number(elapsed) / 1e9, answers };
}
console.log(JSON.stringify({ version: process.version, results }));
"""


def _ipv4(rng: random.Random) -> str:
    return str(ipaddress.IPv4Address(rng.getrandbits(32)))


def _ipv6(rng: random.Random) -> str:
    return str(ipaddress.IPv6Address((0x2001_0db8 << 96) | rng.getrandbits(64)))


def make_rules(rng: random.Random, count: int) -> List[Rule]:
    """Random rules: nine in ten IPv4, the rest IPv6; a third each of
    addresses, short ranges and /20../32 (or /100../128) subnets."""
    rules = []
    for i in range(count):
        v6 = rng.random() < 0.1
        family = 'ipv6' if v6 else 'ipv4'
        start = _ipv6(rng) if v6 else _ipv4(rng)
        kind = i % 3
        if kind == 0:
            rules.append(['address', start, family])
        elif kind == 1:
            last = int(ipaddress.ip_address(start)) + rng.randrange(1024)
            last = min(last, (1 << (128 if v6 else 32)) - 1)
            rules.append(['range', start, str(ipaddress.ip_address(last)), family])
        else:
            prefix = rng.randrange(100, 129) if v6 else rng.randrange(20, 33)
            rules.append(['subnet', start, prefix, family])
    return rules


def make_checks(rng: random.Random, count: int) -> List[Check]:
    return [[_ipv6(rng), 'ipv6'] if rng.random() < 0.1 else [_ipv4(rng), 'ipv4']
            for _ in range(count)]


def build(rules: Sequence[Rule]) -> BlockList:
    block_list = BlockList()
    for rule in rules:
        if rule[0] == 'address':
            block_list.add_address(rule[1], rule[2])
        elif rule[0] == 'range':
            block_list.add_range(rule[1], rule[2], rule[3])
        else:
            block_list.add_subnet(rule[1], rule[2], rule[3])
    return block_list


def time_greennet(block_list: BlockList, checks: Sequence[Check]) -> Tuple[float, List[bool]]:
    """Best checks/second over seven passes (rules settled beforehand)."""
    check = block_list.check
    best = float('inf')
    for _ in range(7):
        started = time.perf_counter()
        answers = [check(address, family) for address, family in checks]
        best = min(best, time.perf_counter() - started)
    return len(checks) / best, answers


def run_node(rules: Dict[int, List[Rule]], checks: List[Check],
             seconds: float) -> Optional[dict]:
    node = shutil.which('node')
    if node is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, 'bench.js')
        data = os.path.join(folder, 'data.json')
        with open(script, 'w') as f:
            f.write(NODE_SCRIPT)
        with open(data, 'w') as f:
            json.dump({'rules': rules, 'checks': checks, 'seconds': seconds}, f)
        out = subprocess.run([node, script, data], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--checks', type=int, default=20_000, help='addresses checked per size')
    parser.add_argument('--node-seconds', type=float, default=4.0,
                        help="time allowed to Node's checks per size")
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    rules = {size: make_rules(rng, size) for size in SIZES}
    checks = make_checks(rng, args.checks)

    ours = {}
    for size in SIZES:
        started = time.perf_counter()
        block_list = build(rules[size])
        block_list.check('0.0.0.0')          # settles the pending rules
        block_list.check('::', 'ipv6')
        built = time.perf_counter() - started
        rate, answers = time_greennet(block_list, checks)
        ours[size] = (rate, answers, built)

    node = run_node(rules, checks, args.node_seconds)
    node_label = 'Node %s' % node['version'] if node else 'Node (not found)'
    print('| rules | greennet checks/s | %s checks/s | greennet / Node | greennet build + settle |'
          % node_label)
    print('|---:|---:|---:|---:|---:|')
    agree = True
    for size in SIZES:
        rate, answers, built = ours[size]
        node_cell = ratio_cell = 'n/a'
        if node:
            result = node['results'][str(size)]
            node_rate = result['checks'] / result['seconds']
            node_cell = '{:,.0f} ({:,} checks)'.format(node_rate, result['checks'])
            ratio_cell = '{:,.1f}x'.format(rate / node_rate)
            agree = agree and answers[:result['checks']] == result['answers']
        print('| {:,} | {:,.0f} | {} | {} | {:.2f} s |'.format(size, rate, node_cell, ratio_cell, built))
    print()
    ratio = ours[SIZES[-1]][0] / ours[SIZES[0]][0]
    print('greennet(100k) / greennet(10) throughput: %.2f (%s)'
          % (ratio, 'within 2x' if ratio >= 0.5 else 'NOT within 2x'))
    if node:
        print('answers agree with Node: %s' % ('yes' if agree else 'NO'))
    print('(%s, %s checks per size, seed %d)' % (sys.version.split()[0], format(args.checks, ','),
                                                  args.seed))
    if not agree or ratio < 0.5:
        sys.exit(1)


if __name__ == '__main__':
    main()
