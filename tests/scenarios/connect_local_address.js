// localAddress / localPort options bind the client before connecting; the
// server sees that address and port as the remote end.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
let wanted = 0;
const server = net.createServer((sock) => {
  slog('server sees', sock.remoteAddress, sock.remotePort === wanted);
  sock.resume();
  sock.on('close', () => server.close());
});
const probe = net.createServer();
probe.listen(0, '127.0.0.1', () => {
  wanted = probe.address().port;
  probe.close(() => {
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect({ port: server.address().port, host: '127.0.0.1',
        localAddress: '127.0.0.1', localPort: wanted }, () => {
        log('client', c.localAddress, c.localPort === wanted, c.address().port === wanted);
        c.end();
      });
      c.resume();
      c.on('close', (hadError) => log('close', hadError));
    });
  });
});
