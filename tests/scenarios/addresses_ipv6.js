// The same address properties on a connection over ::1.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
let serverSide = null;
const server = net.createServer((sock) => {
  serverSide = sock;
  const a = sock.address();
  slog('server side', sock.remoteAddress, sock.remoteFamily, sock.localAddress,
    a.address, a.family, a.port === server.address().port);
  sock.resume();
  sock.on('close', () => server.close());
});
server.listen(0, '::1', () => {
  const sa = server.address();
  log('server address', sa.address, sa.family);
  const c = net.connect(sa.port, '::1', () => {
    const a = c.address();
    log('client', c.remoteAddress, c.remoteFamily, c.remotePort === sa.port,
      c.localAddress, a.address, a.family, a.port === c.localPort);
    c.end();
  });
  c.resume();
  c.on('close', () => log('ports match', serverSide.remotePort === c.localPort));
});
