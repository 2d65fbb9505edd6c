// connect() with host an IPv6 literal: no lookup (no 'lookup' event, the
// custom lookup is not called), addresses are IPv6; a bracketed literal is
// not an address and goes to the lookup.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.end(`${sock.remoteAddress} ${sock.remoteFamily}`);
});
server.listen(0, '::1', () => {
  const port = server.address().port;
  const lookup = (host, options, cb) => {
    log('lookup called', host);
    setImmediate(cb, new Error('no such host'));
  };
  const c = net.connect({ port, host: '::1', lookup });
  c.on('lookup', () => log('unexpected lookup event'));
  c.setEncoding('utf8');
  c.on('connect', () => log('connect', c.remoteAddress, c.remoteFamily, c.localAddress,
    c.remotePort === port, c.address().family));
  c.on('data', (d) => log('server saw', d));
  c.on('close', (hadError) => {
    log('close', hadError);
    const b = net.connect({ port, host: '[::1]', lookup });
    b.on('lookup', (err, address) => log('bracket lookup event', err && err.message, address));
    b.on('connect', () => log('unexpected bracket connect'));
    b.on('error', (e) => log('bracket error', e.message));
    b.on('close', (hadError2) => {
      log('bracket close', hadError2);
      server.close();
    });
  });
});
