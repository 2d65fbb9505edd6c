// socket.unref() on both ends (and server.unref()) lets the process end
// while the connection is still open; no 'close' is seen.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  slog('connection');
  slog('server side unref returns socket', sock.unref() === sock);
  sock.on('close', () => log('unexpected server side close'));
});
server.listen(0, '127.0.0.1', () => {
  server.unref();
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    log('connect');
    log('unref returns socket', c.unref() === c);
    log('ref returns socket', c.ref() === c);
    c.unref();
  });
  c.on('close', () => log('unexpected client close'));
});
