// 4 MiB written in 64 KiB chunks honouring write() === false and 'drain',
// to a server that reads slowly at first (paused); then the client ends
// (close_notify and FIN) and the half-open server still answers with the
// byte count and the SHA-256 of what it got.
'use strict';
const tls = require('tls');
const fs = require('fs');
const crypto = require('crypto');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const CHUNK = Buffer.alloc(65536);
for (let i = 0; i < CHUNK.length; i++) CHUNK[i] = i % 251;
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'), allowHalfOpen: true }, (s) => {
  const hash = crypto.createHash('sha256');
  let total = 0;
  s.pause();
  setTimeout(() => s.resume(), 100);
  s.on('data', (d) => { total += d.length; hash.update(d); });
  s.on('end', () => {
    slog('end', total, s.writable);
    s.end(`${total} ${hash.digest('hex')}`);
  });
  s.on('close', () => { slog('close'); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: pem('ca-cert'),
                          servername: 'localhost' });
  let sent = 0, falses = 0, drains = 0;
  const expect = crypto.createHash('sha256');
  function pump() {
    while (sent < 64) {
      sent++;
      expect.update(CHUNK);
      if (!c.write(CHUNK)) { falses++; return; }
    }
    log('all written', falses > 0, drains > 0, c.writableLength >= 0);
    c.end();
  }
  c.on('drain', () => { drains++; pump(); });
  c.on('secureConnect', () => log('secureConnect'));
  pump();
  const digest = expect;
  c.on('finish', () => log('finish'));
  c.on('data', (d) => log('data', d.toString() === `${64 * 65536} ${digest.digest('hex')}`));
  c.on('end', () => log('end'));
  c.on('close', (e) => log('close', e));
});
