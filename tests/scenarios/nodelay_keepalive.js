// setNoDelay / setKeepAlive return the socket, before and after connecting,
// with and without arguments; noDelay / keepAlive options are accepted by
// createServer and connect.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');

const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 }, (sock) => {
  slog('server side setNoDelay', sock.setNoDelay(false) === sock);
  sock.resume();
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const s = new net.Socket();
  log('unconnected setNoDelay', s.setNoDelay() === s);
  log('unconnected setKeepAlive', s.setKeepAlive(true, 500) === s);
  const c = net.connect({ port: server.address().port, host: '127.0.0.1', noDelay: true,
    keepAlive: true, keepAliveInitialDelay: 2000 }, () => {
    log('setNoDelay()', c.setNoDelay() === c);
    log('setNoDelay(true)', c.setNoDelay(true) === c);
    log('setNoDelay(false)', c.setNoDelay(false) === c);
    log('setKeepAlive()', c.setKeepAlive() === c);
    log('setKeepAlive(true)', c.setKeepAlive(true) === c);
    log('setKeepAlive(true, 1000)', c.setKeepAlive(true, 1000) === c);
    log('setKeepAlive(false)', c.setKeepAlive(false) === c);
    c.end();
  });
  c.resume();
  c.on('close', (hadError) => log('close', hadError));
});
