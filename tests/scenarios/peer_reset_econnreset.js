// The peer calls resetAndDestroy() (on the client's first data): the
// reading side gets 'error' with ECONNRESET (syscall read), then 'close'
// with hadError true; no 'end'.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.on('data', () => {
    const r = sock.resetAndDestroy();
    slog('resetAndDestroy returns socket', r === sock, sock.destroyed);
    server.close();
  });
  sock.on('close', (hadError) => slog('close', hadError));
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('connect', () => {
    log('client connect');
    c.write('ping');
  });
  c.on('data', (d) => log('client data', d.length));
  c.on('end', () => log('client end'));
  c.on('error', (e) => log('client error', e.code, e.syscall, e instanceof Error));
  c.on('close', (hadError) => log('client close', hadError, c.destroyed, c.readyState));
});
