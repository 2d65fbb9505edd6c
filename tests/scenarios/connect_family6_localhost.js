// connect({host: 'localhost', family: 6}) with the system resolver: the
// 'lookup' event reports ::1 and family 6, and the connection reaches an
// IPv6 server on ::1 -- or, where localhost has no IPv6 address, the lookup
// fails with ENOTFOUND (recorded as Node does it on this machine).
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.end(sock.remoteFamily);
});
server.listen(0, '::1', () => {
  const c = net.connect({ port: server.address().port, host: 'localhost', family: 6 });
  c.setEncoding('utf8');
  c.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
  c.on('connect', () => log('connect', c.remoteAddress, c.remoteFamily));
  c.on('data', (d) => log('server saw', d));
  c.on('error', (e) => log('error', e.code));
  c.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
