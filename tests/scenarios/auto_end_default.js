// Without allowHalfOpen, a socket whose peer ends ends its own writable
// side automatically: 'end', then 'finish', then 'close'.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.resume();
  sock.on('end', () => slog('end', sock.writable, sock.writableEnded));
  sock.on('finish', () => slog('finish', sock.writableFinished));
  sock.on('close', (hadError) => {
    slog('close', hadError, sock.destroyed);
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.end());
  client.on('end', () => log('client end'));
  client.on('finish', () => log('client finish'));
  client.resume();
  client.on('close', (hadError) => log('client close', hadError));
});
