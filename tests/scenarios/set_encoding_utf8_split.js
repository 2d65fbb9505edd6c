// setEncoding('utf8') never splits a multi-byte character, even when its
// bytes arrive in separate writes (one byte per write here).
'use strict';
const net = require('net');
const { log } = require('./_common');

const text = 'aé€😀z';
const server = net.createServer((sock) => {
  const bytes = Buffer.from(text, 'utf8');
  let i = 0;
  const next = () => {
    if (i === bytes.length) { sock.end(); return; }
    sock.write(bytes.subarray(i, i + 1), next);
    i += 1;
  };
  next();
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.setEncoding('utf8');
  let all = '';
  let whole = true;
  client.on('data', (d) => {
    if (typeof d !== 'string' || d.includes('\ufffd')) whole = false;
    all += d;
  });
  client.on('end', () => log('end', all, all === text, 'whole chars', whole));
  client.on('close', () => server.close());
});
