// pipe() through a TLS proxy: client --TLS--> proxy --TLS--> echo server.
// The proxy pipes each accepted TLS socket to a TLS client of the echo
// server and back; 1 MiB goes through and comes back whole, then the
// client's end() travels to the echo server and the ends come back (both
// servers half-open, so that nothing is cut short).
'use strict';
const tls = require('tls');
const fs = require('fs');
const crypto = require('crypto');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const plog = channel('proxy');
const ulog = channel('upstream');
const elog = channel('echo');
const opts = { key: pem('server-key'), cert: pem('server-cert'), allowHalfOpen: true };
const PAYLOAD = Buffer.alloc(1 << 20);
for (let i = 0; i < PAYLOAD.length; i++) PAYLOAD[i] = (i * 7) % 256;

const echo = tls.createServer(opts, (s) => {
  s.pipe(s);
  s.on('end', () => elog('end'));
  s.on('close', () => { elog('close'); echo.close(); });
});
const proxy = tls.createServer(opts, (s) => {
  const up = tls.connect({ port: echo.address().port, host: '127.0.0.1', servername: 'localhost',
                           ca: pem('ca-cert') }, () => ulog('secureConnect', up.getProtocol()));
  s.pipe(up).pipe(s);
  up.on('end', () => ulog('end'));
  s.on('end', () => plog('client end'));
  up.on('close', () => ulog('close'));
  s.on('close', () => { plog('client close'); proxy.close(); });
});
echo.listen(0, '127.0.0.1', () => proxy.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: proxy.address().port, host: '127.0.0.1', servername: 'localhost',
                          ca: pem('ca-cert') }, () => log('secureConnect', c.getProtocol()));
  const hash = crypto.createHash('sha256');
  let total = 0;
  c.on('data', (d) => { total += d.length; hash.update(d); });
  c.on('end', () => log('end', total,
    hash.digest('hex') === crypto.createHash('sha256').update(PAYLOAD).digest('hex')));
  c.on('finish', () => log('finish'));
  c.on('close', (e) => log('close', e));
  log('write', c.write(PAYLOAD));
  c.end();
}));
