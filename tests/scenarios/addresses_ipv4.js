// remoteAddress / remotePort / remoteFamily / localAddress / localPort /
// address() on both ends of an IPv4 connection, and before connecting.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
let serverSide = null;
const server = net.createServer((sock) => {
  serverSide = sock;
  const a = sock.address();
  slog('server side', sock.remoteAddress, sock.remoteFamily, sock.localAddress,
    sock.localPort === server.address().port, a.address, a.family, a.port === sock.localPort);
  sock.resume();
  sock.on('end', () => {
    slog('server remotePort after end', typeof sock.remotePort);
  });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = new net.Socket();
  log('before', c.remoteAddress, c.remotePort, c.remoteFamily, c.localAddress, c.localPort,
    Object.keys(c.address()).length);
  c.connect(server.address().port, '127.0.0.1', () => {
    const a = c.address();
    log('client', c.remoteAddress, c.remoteFamily, c.remotePort === server.address().port,
      c.localAddress, typeof c.localPort, a.address, a.family, a.port === c.localPort);
    c.end();
  });
  c.resume();
  c.on('close', () => {
    log('ports match', serverSide.remotePort === c.localPort);
    log('client closed, remoteAddress', c.remoteAddress, c.localAddress);
  });
});
