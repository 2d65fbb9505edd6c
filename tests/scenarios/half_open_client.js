// allowHalfOpen client: when the server ends, the client gets 'end' and
// can still write (readyState writeOnly); the server reads what comes after.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('end', got);
  });
  sock.on('close', (hadError) => {
    slog('close', hadError);
    server.close(() => slog('server closed'));
  });
  sock.end('bye');
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
  client.setEncoding('utf8');
  client.on('data', (d) => log('client data', d));
  client.on('end', () => {
    log('client end', client.readyState, client.writable, client.readable);
    client.write('after end ', () => log('client write cb'));
    client.end('last', () => log('client end cb'));
  });
  client.on('finish', () => log('client finish'));
  client.on('close', (hadError) => log('client close', hadError, client.readyState));
});
