// Single-byte decodings of bytes >= 0x80: latin1 (and its alias binary) map
// each byte to the same code point, ascii as Node does it, hex as two digits.
'use strict';
const net = require('net');
const { log } = require('./_common');

const bytes = Buffer.from([0x41, 0x7f, 0x80, 0xa9, 0xe9, 0xff]);
const codes = (s) => Array.from(s).map((ch) => ch.codePointAt(0).toString(16)).join('.');
const encs = ['latin1', 'binary', 'ascii', 'hex'];

const server = net.createServer((sock) => sock.end(bytes));
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let i = 0;
  const next = () => {
    if (i === encs.length) { server.close(); return; }
    const enc = encs[i];
    i += 1;
    const c = net.connect(port, '127.0.0.1');
    c.setEncoding(enc);
    let all = '';
    c.on('data', (d) => { all += d; });
    c.on('end', () => log(enc, typeof all, all.length, codes(all)));
    c.on('close', next);
  };
  next();
});
