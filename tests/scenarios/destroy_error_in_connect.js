// destroy(err) inside the connect listener: later 'connect' listeners
// still run, then 'error' with that error, then 'close' (hadError true);
// the server side sees the peer go away.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.on('error', (e) => slog('error', e.code));
  sock.on('end', () => slog('end'));
  sock.resume();
  sock.on('close', () => {
    slog('close');
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  const err = new TypeError('bad');
  err.code = 'E_CUSTOM';
  c.on('connect', () => {
    c.destroy(err);
    log('destroyed in connect', c.destroyed);
  });
  c.on('connect', () => log('second connect listener'));
  c.on('ready', () => log('ready'));
  c.on('error', (e) => log('error', e === err, e.code));
  c.on('close', (hadError) => log('close', hadError));
});
