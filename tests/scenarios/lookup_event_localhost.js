// Connecting to a host name emits 'lookup' (err, address, family, host)
// after connect() returns and before 'connect'; an IP host emits none.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = net.connect({ port, host: 'localhost', family: 4 });
  log('connect returned');
  c.on('lookup', (err, address, family, host) => log('lookup', err, address, family, host));
  c.on('connect', () => {
    log('connect', c.remoteAddress);
    c.end();
  });
  c.resume();
  c.on('close', () => {
    const d = net.connect(port, '127.0.0.1', () => {
      log('ip connect');
      d.end();
    });
    d.on('lookup', () => log('unexpected lookup'));
    d.resume();
    d.on('close', () => server.close());
  });
});
