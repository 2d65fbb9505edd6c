// Addresses of unix domain socket connections: socket.address() is an
// empty object on both ends; localAddress/localPort and the remote values
// are all undefined; the server-side socket has no remoteAddress.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log, channel } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 'a.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const slog = channel('server');
const show = (a) => JSON.stringify(a);
const server = net.createServer((sock) => {
  slog('address', show(sock.address()), 'remote', sock.remoteAddress, sock.remotePort,
    sock.remoteFamily, 'local', sock.localAddress, sock.localPort, sock.localFamily);
  sock.end();
  sock.on('close', () => server.close());
});
server.listen(sockPath, () => {
  const c = net.connect(sockPath, () => {
    log('client address', show(c.address()), 'local', c.localAddress, c.localPort, c.localFamily,
      'remote', c.remoteAddress, c.remotePort, c.remoteFamily);
  });
  c.resume();
  c.on('close', () => log('client address after close', show(c.address())));
});
