// Prints the SocketAddress table pasted into tests/test_socketaddress.py:
// (options, expected) where expected is Node's toJSON() or the error code.
// Regenerate with: node tests/node_tables/socketaddress_table.js
// Left out: options Node 20 aborts the process on (a numeric-string port,
// an IPv6 flowlabel above 0xfffff) and null values (None means "not given"
// in greennet); tests/test_socketaddress.py covers those by hand.
'use strict';
const net = require('net');

const cases = [
  {}, { family: 'ipv4' }, { family: 'ipv6' }, { family: 'IPV6' }, { family: 'IPv6' }, { family: 'IPv4' },
  { family: 'IPv4', address: '1.2.3.4' }, { family: 'Ipv6', address: '::1' },
  { family: 'ipv5' }, { family: 'inet' }, { family: '' }, { family: 4 }, { family: 6 }, { family: true },
  { address: '123.123.123.123', port: 80 }, { address: '::1', family: 'ipv6', port: 8080, flowlabel: 7 },
  { address: '0.0.0.0' }, { address: '255.255.255.255' }, { address: '::', family: 'ipv6' },
  { address: '0:0:0:0:0:0:0:1', family: 'ipv6' }, { address: 'FE80::ABCD', family: 'ipv6' },
  { address: '::ffff:1.2.3.4', family: 'ipv6' }, { address: '::ffff:0102:0304', family: 'ipv6' },
  { address: '::1.2.3.4', family: 'ipv6' }, { address: '1:0:0:1:0:0:0:1', family: 'ipv6' },
  { address: 'fe80::1%eth0', family: 'ipv6' }, { address: 'fe80::1%', family: 'ipv6' },
  { address: '1.2.3.4%eth0' }, { address: '::1' }, { address: '1.2.3.4', family: 'ipv6' },
  { address: '01.2.3.4' }, { address: '1.2.3' }, { address: '127.1' }, { address: '0x7f.0.0.1' },
  { address: ' 1.2.3.4' }, { address: '1.2.3.4/8' }, { address: '' }, { address: 'localhost' },
  { address: '1::2::3', family: 'ipv6' }, { address: '12345::', family: 'ipv6' },
  { address: 123 }, { address: true }, { address: ['1.2.3.4'] }, { address: { a: 1 } },
  { port: 0 }, { port: 1 }, { port: 65535 }, { port: 80.0 }, { port: 65536 }, { port: -1 }, { port: 80.5 },
  { port: NaN }, { port: Infinity }, { port: -Infinity }, { port: true }, { port: false }, { port: '' },
  { port: ' ' }, { port: 'abc' }, { port: '80.5' }, { port: '-1' }, { port: '65536' }, { port: [80] }, { port: {} },
  { flowlabel: 0, family: 'ipv6' }, { flowlabel: 1, family: 'ipv6' }, { flowlabel: 0xfffff, family: 'ipv6' },
  { flowlabel: 5 }, { flowlabel: 0xfffff + 1 }, { flowlabel: 2 ** 32 - 1 }, { flowlabel: -1 },
  { flowlabel: 2 ** 32 }, { flowlabel: 1.5 }, { flowlabel: NaN }, { flowlabel: Infinity }, { flowlabel: '5' },
  { flowlabel: true }, { flowlabel: [] },
  { family: 'x', address: 5 }, { family: 'x', port: -1 }, { address: 5, port: -1 }, { port: -1, flowlabel: -1 },
  { address: 'zz', port: -1 }, { address: 'zz', flowlabel: -1 }, { address: 'zz', flowlabel: '1' },
  { address: '::1', family: 'ipv6', port: 'x', flowlabel: 'x' },
];

function py(v) {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return "float('nan')";
    if (v === Infinity) return "float('inf')";
    if (v === -Infinity) return "float('-inf')";
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(py).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ') + '}';
}

console.log(`# ${cases.length} rows from Node ${process.version}: (options, toJSON() or error code)`);
console.log('TABLE = [');
for (const options of cases) {
  let expected;
  try {
    expected = py(new net.SocketAddress(options).toJSON());
  } catch (err) {
    expected = JSON.stringify(err.code);
  }
  console.log(`    (${py(options)}, ${expected}),`);
}
console.log(']');
