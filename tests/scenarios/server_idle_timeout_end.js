// A server-side setTimeout(): after the idle time 'timeout' fires on the
// accepted socket (once), the handler ends it, the client sees 'end' then
// 'close' false; the timeout does not close anything by itself.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  const r = sock.setTimeout(150);
  slog('setTimeout returns socket', r === sock, sock.timeout);
  let n = 0;
  sock.on('timeout', () => {
    n += 1;
    slog('timeout', n, sock.destroyed, sock.writable);
    sock.end('bye');
  });
  sock.on('end', () => slog('end'));
  sock.on('close', (hadError) => {
    slog('close', hadError, n);
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.setEncoding('utf8');
  c.on('data', (d) => log('client data', d));
  c.on('end', () => log('client end'));
  c.on('close', (hadError) => log('client close', hadError));
});
