// resetAndDestroy() on sockets that are not TCP connections: a fresh Socket
// is destroyed with ERR_SOCKET_CLOSED; a destroyed one stays destroyed; a unix socket throws
// ERR_INVALID_HANDLE_TYPE.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log, thrown } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 'r.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const fresh = new net.Socket();
fresh.on('error', (e) => log('fresh error', e.code));
fresh.on('close', (hadError) => log('fresh close', hadError));
log('fresh reset returns socket', fresh.resetAndDestroy() === fresh, fresh.destroyed);

const server = net.createServer((sock) => {
  sock.resume();
  sock.on('close', () => server.close(() => log('server closed')));
});
server.listen(sockPath, () => {
  const c = net.connect(sockPath, () => {
    thrown('unix resetAndDestroy', () => c.resetAndDestroy());
    log('after throw', c.destroyed);
    c.destroy();
    log('destroyed again', c.resetAndDestroy() === c, c.destroyed);
  });
  c.on('close', (hadError) => log('unix close', hadError));
});
