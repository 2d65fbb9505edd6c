// Prints the isIP/isIPv4/isIPv6 table pasted into tests/test_isip.py.
// Regenerate with: node tests/node_tables/isip_table.js
'use strict';
const net = require('net');

const inputs = [
  // documented examples
  '::1', '127.0.0.1', '127.000.000.001', '127.0.0.1/24', 'fhqwhgads',
  // IPv4 dot-decimal
  '0.0.0.0', '255.255.255.255', '1.2.3.4', '10.0.0.1', '192.168.1.254', '249.250.251.252',
  '256.0.0.0', '1.2.3.256', '300.1.1.1', '1.2.3', '1.2.3.4.5', '1', '1.2', '127.1',
  '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4.', '-1.2.3.4', '+1.2.3.4', '1.2.3.-4',
  // leading zeros
  '01.2.3.4', '1.02.3.4', '1.2.3.04', '00.0.0.0', '0.0.0.00', '010.10.10.10', '1.2.3.004',
  // other notations
  '0x7f.0.0.1', '0x7f000001', '2130706433', '017700000001', '1e1.1.1.1', '1.2.3.4e0',
  // CIDR and ports
  '10.0.0.0/8', '::1/128', 'fe80::/10', '1.2.3.4:80', '[::1]', '[::1]:80',
  // whitespace and empty
  '', ' ', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\n', '\n1.2.3.4', '1.2.3.4\t', ' ::1', '::1 ', '::1\n',
  '1.2.3.4\0', '::1\0',
  // unicode digits and look-alikes
  '\u0661.2.3.4', '1.2.3.\u0664', '\uff11.2.3.4', '1\u30022.3.4', '::\u0661', '\u00b9.2.3.4',
  // IPv6 basics
  '::', ':::', '::::', ':', '::0', '0::', '0::0', '1::', '::1:2', '1:2:3:4:5:6:7:8',
  '0:0:0:0:0:0:0:0', '0:0:0:0:0:0:0:1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
  '1::8', '1:2::7:8', '1:2:3::6:7:8', '1:2:3:4::5:6:7', '1:2:3:4:5::6:7',
  // 8 groups plus ::, too many or too few groups
  '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7',
  '1::2::3', '1:::2', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', ':1::', '::1:',
  // group length and hex digits
  '12345::', '::12345', '00000::', '::0000', 'ffff::', 'FFFF::', 'fFfF::aBcD', 'ABCD:EF01:2345:6789:ABCD:EF01:2345:6789',
  'g::', '::g', 'abcg::1', '1:2:3:4:5:6:7:00000', '0001:0002:0003:0004:0005:0006:0007:0008',
  // IPv4-embedded IPv6
  '::ffff:1.2.3.4', '::FFFF:1.2.3.4', '::1.2.3.4', '::ffff:0.0.0.0', '::ffff:255.255.255.255',
  '64:ff9b::192.0.2.33', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1:2:3:4:5::1.2.3.4',
  '1:2:3:4::5:1.2.3.4', '1::1.2.3.4', '::ffff:1.2.3', '::ffff:1.2.3.4.5', '::ffff:256.1.1.1',
  '::ffff:01.2.3.4', '1.2.3.4::', '1.2.3.4:5::', '::ffff:1.2.3.4:5', '::1.2.3.4:5',
  '0:0:0:0:0:ffff:1.2.3.4', '0000:0000:0000:0000:0000:ffff:255.255.255.255',
  // zone ids
  'fe80::1%eth0', 'fe80::1%1', 'fe80::1%', 'fe80::1%%', 'fe80::1%eth0%1', 'fe80::1%en0.1', 'fe80::1%a-b',
  'fe80::1%a:b', 'fe80::1%a b', 'fe80::1%a_b', 'fe80::1%\u00e9', 'fe80::1%lo/64', '::ffff:1.2.3.4%eth0',
  '1.2.3.4%eth0', '%eth0', '::%eth0', 'fe80::%25eth0',
  // assorted
  'localhost', 'example.com', '::ffff', 'ffff:', '::-1', '::1 1', '1:2:3:4:5:6:7:8%x', 'null', 'undefined',
];

const seen = new Set();
for (const s of inputs) {
  if (seen.has(s)) throw new Error('duplicate input ' + JSON.stringify(s));
  seen.add(s);
}

// A Python string literal: ASCII only, non-ASCII and controls as \uXXXX.
const py = (s) => JSON.stringify(s).replace(/[\u007f-\uffff]/g,
  (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const bool = (b) => (b ? 'True' : 'False');

console.log(`# ${inputs.length} rows from Node ${process.version}: (input, isIP, isIPv4, isIPv6)`);
console.log('TABLE = [');
for (const s of inputs) {
  console.log(`    (${py(s)}, ${net.isIP(s)}, ${bool(net.isIPv4(s))}, ${bool(net.isIPv6(s))}),`);
}
console.log(']');
