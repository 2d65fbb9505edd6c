// end(data) on a socket that is still connecting: the data and the FIN go
// out once connected; readyState goes through the half-closed states; the
// server sees the data then 'end'.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('end', got);
    sock.end('reply');
  });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  const r = c.end('bye', () => log('end callback', c.readyState));
  log('end returns socket', r === c, c.writableEnded, c.writable, c.readyState);
  c.on('connect', () => log('connect', c.readyState, c.writableEnded));
  c.on('finish', () => log('finish'));
  c.setEncoding('utf8');
  c.on('data', (d) => log('data', d));
  c.on('end', () => log('end', c.readyState));
  c.on('close', (hadError) => log('close', hadError));
});
