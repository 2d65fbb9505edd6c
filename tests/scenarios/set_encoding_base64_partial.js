// setEncoding('base64') / ('base64url'): bytes arriving in pieces of 1, 2,
// 4, 5 and 1 bytes (each write waits until the previous piece has been
// read) are decoded in whole 3-byte groups; the remainder is flushed at 'end'.
'use strict';
const net = require('net');
const { log } = require('./_common');

const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x3e, 0x3f, 0xfe, 0xfa, 0x01, 0x02, 0xff, 0xef, 0x7f]);
const pieces = [1, 2, 4, 5, 1];

function session(port, enc, done) {
  const c = net.connect(port, '127.0.0.1');
  c.setEncoding(enc);
  const seen = [];
  let read = 0;
  c.on('data', (d) => seen.push(JSON.stringify(d)));
  c.on('end', () => log(enc, 'data', seen.join(' '), 'read', c.bytesRead));
  c.on('close', () => done());
}

const server = net.createServer((sock) => {
  let i = 0;
  let off = 0;
  const next = () => {
    if (i === pieces.length) { sock.end(); return; }
    const n = pieces[i];
    sock.write(bytes.subarray(off, off + n));
    off += n;
    i += 1;
    setTimeout(next, 40);
  };
  next();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  session(port, 'base64', () => session(port, 'base64url', () => server.close()));
});
