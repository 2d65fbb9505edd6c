// getConnections() does not count a connection dropped for maxConnections:
// 1 while the first client is connected (after the drop), 0 once it closed.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('second');
let first;
const server = net.createServer((sock) => {
  log('connection');
  sock.resume();
  sock.on('close', () => {
    server.getConnections((err, n) => {
      log('after first closed', err, n);
      server.close(() => log('closed'));
    });
  });
});
server.maxConnections = 1;
server.on('drop', () => {
  server.getConnections((err, n) => {
    log('after drop', err, n);
    first.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  first = net.connect(port, '127.0.0.1', () => {
    server.getConnections((err, n) => {
      log('with first', err, n);
      const second = net.connect(port, '127.0.0.1');
      second.on('error', (e) => slog('error', e.code));
      second.resume();
      second.on('close', () => slog('close'));
    });
  });
  first.resume();
});
