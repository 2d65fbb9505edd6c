// Prints the BlockList table pasted into tests/test_blocklist.py: for each
// single rule (its arguments as [address, family] SocketAddress options),
// Node's rule string and check() of every entry of CHECKS as a string of
// T/F. Regenerate with: node tests/node_tables/blocklist_table.js
'use strict';
const net = require('net');

const RULES = [
  ['address', ['1.2.3.4', 'ipv4']],
  ['address', ['::ffff:1.2.3.4', 'ipv6']],
  ['address', ['::1.2.3.4', 'ipv6']],
  ['address', ['::1', 'ipv6']],
  ['address', ['0.0.0.1', 'ipv4']],
  ['address', ['fe80::1%eth0', 'ipv6']],
  ['subnet', ['1.2.3.0', 'ipv4'], 24],
  ['subnet', ['1.2.3.4', 'ipv4'], 32],
  ['subnet', ['1.2.3.4', 'ipv4'], 31],
  ['subnet', ['1.2.3.4', 'ipv4'], 0],
  ['subnet', ['::ffff:1.2.3.0', 'ipv6'], 120],
  ['subnet', ['::ffff:1.2.3.4', 'ipv6'], 128],
  ['subnet', ['::ffff:0:0', 'ipv6'], 96],
  ['subnet', ['::fffe:0:0', 'ipv6'], 95],
  ['subnet', ['::', 'ipv6'], 96],
  ['subnet', ['::', 'ipv6'], 80],
  ['subnet', ['::', 'ipv6'], 0],
  ['subnet', ['::1', 'ipv6'], 128],
  ['subnet', ['8592:757c:efae:4e45::', 'ipv6'], 64],
  ['range', ['1.2.3.0', 'ipv4'], ['1.2.3.255', 'ipv4']],
  ['range', ['1.2.3.4', 'ipv4'], ['1.2.3.4', 'ipv4']],
  ['range', ['::ffff:1.2.3.0', 'ipv6'], ['::ffff:1.2.3.255', 'ipv6']],
  ['range', ['::', 'ipv6'], ['ffff::', 'ipv6']],
  ['range', ['::1.2.3.0', 'ipv6'], ['::ffff:1.2.3.255', 'ipv6']],
  ['range', ['::1', 'ipv6'], ['::ff', 'ipv6']],
  ['range', ['1.2.3.0', 'ipv4'], ['::ffff:1.2.3.255', 'ipv6']],
  ['range', ['::ffff:1.2.3.0', 'ipv6'], ['1.2.3.255', 'ipv4']],
  ['range', ['1.2.3.0', 'ipv4'], ['ffff::', 'ipv6']],
  ['range', ['::', 'ipv6'], ['1.2.3.255', 'ipv4']],
  ['range', ['9.0.0.0', 'ipv4'], ['::1', 'ipv6']],
];

const CHECKS = [
  ['1.2.3.4', 'ipv4'], ['1.2.3.5', 'ipv4'], ['1.2.4.4', 'ipv4'], ['8.8.8.8', 'ipv4'], ['0.0.0.1', 'ipv4'],
  ['1.2.3.4', 'IPV4'], ['::ffff:1.2.3.4', 'ipv6'], ['::ffff:0102:0305', 'ipv6'], ['::ffff:8.8.8.8', 'ipv6'],
  ['::1.2.3.4', 'ipv6'], ['::1', 'ipv6'], ['::ffff:1.2.3.4%eth0', 'ipv6'], ['fe80::1', 'ipv6'],
  ['fe80::1%lo', 'ipv6'], ['8592:757c:efae:4e45::1', 'ipv6'], ['::fffe:1.2.3.4', 'ipv6'],
  ['::1:0:0:0', 'ipv6'], ['1.2.3.4', 'ipv6'], ['::1', 'ipv4'], ['1.2.3.4', 'ipv5'],
];

const sa = ([address, family]) => new net.SocketAddress({ address, family });
// A Python literal: arrays as tuples, strings single-quoted (none here has a quote).
const py = (v) => (Array.isArray(v) ? `(${v.map(py).join(', ')})` :
  typeof v === 'string' ? `'${v}'` : String(v));

console.log(`# Node ${process.version}: (rule, rules[0], check() of each of CHECKS as T/F)`);
console.log('CHECKS = [');
for (const c of CHECKS) console.log(`    ${py(c)},`);
console.log(']');
console.log('TABLE = [');
for (const rule of RULES) {
  const list = new net.BlockList();
  if (rule[0] === 'address') list.addAddress(sa(rule[1]));
  else if (rule[0] === 'range') list.addRange(sa(rule[1]), sa(rule[2]));
  else list.addSubnet(sa(rule[1]), rule[2]);
  const answers = CHECKS.map(([address, family]) => (list.check(address, family) ? 'T' : 'F')).join('');
  console.log(`    (${py(rule)}, ${py(list.rules[0])}, '${answers}'),`);
}
console.log(']');
