// allowHalfOpen server: after the client's end() the server socket gets
// 'end' but stays writable (readyState writeOnly), writes more and ends
// itself; the client (default allowHalfOpen false) still reads it.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('end', got, sock.readyState, sock.writable, sock.readable);
    const r = sock.write('late reply', () => slog('write cb'));
    slog('write after peer end returns', r);
    sock.end(' done');
  });
  sock.on('finish', () => slog('finish'));
  sock.on('close', (hadError) => slog('close', hadError));
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.end('request');
    log('client ended', client.readyState);
  });
  client.setEncoding('utf8');
  let got = '';
  client.on('data', (d) => { got += d; });
  client.on('finish', () => log('client finish'));
  client.on('end', () => log('client end', got));
  client.on('close', (hadError) => {
    log('client close', hadError);
    server.close();
  });
});
