// setEncoding('utf16le') / ('ucs2') with code units and surrogate pairs
// split across 'data' events (pieces of 1-3 bytes, with pauses): what Node's
// decoder emits per event, as code units (a pair sent 2+2 comes out whole,
// one sent 3+1 or byte by byte comes out as two halves); a dangling odd
// byte at the end is dropped.
'use strict';
const net = require('net');
const { log } = require('./_common');

const text = 'a\u00e9\u{1F600}z\u{10348}\u{1F600}';
const pieces = [1, 1, 2, 2, 2, 2, 3, 1, 1, 1, 1, 1, 1];
const bytes = Buffer.concat([Buffer.from(text, 'utf16le'), Buffer.from([0x41])]);
const codes = (s) => Array.from({ length: s.length }, (_, k) => s.charCodeAt(k).toString(16)).join('.');

function session(port, enc, done) {
  const c = net.connect(port, '127.0.0.1');
  c.setEncoding(enc);
  const seen = [];
  c.on('data', (d) => seen.push(codes(d)));
  c.on('end', () => log(enc, 'events', seen.join(' ')));
  c.on('close', () => done());
}

const server = net.createServer((sock) => {
  let i = 0;
  let off = 0;
  const next = () => {
    if (i === pieces.length) { sock.end(); return; }
    sock.write(bytes.subarray(off, off + pieces[i]));
    off += pieces[i];
    i += 1;
    setTimeout(next, 20);
  };
  next();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  session(port, 'utf16le', () => session(port, 'ucs2', () => server.close()));
});
