// Address properties of a unix domain socket connection: no remote port or
// family; server.address() is the path.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log, channel } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 's.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const slog = channel('server');
const server = net.createServer((sock) => {
  slog('server side', sock.remoteAddress, sock.remotePort, sock.remoteFamily);
  sock.resume();
  sock.on('close', () => server.close());
});
server.listen(sockPath, () => {
  log('server address is path', server.address() === sockPath);
  const c = net.connect(sockPath, () => {
    log('client', c.remoteAddress, c.remotePort, c.remoteFamily, c.localPort);
    c.end();
  });
  c.resume();
});
