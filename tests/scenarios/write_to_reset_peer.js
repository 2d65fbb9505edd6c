// Writing to a peer that has reset the connection: the client does not read
// (paused), waits until the server side is closed, then writes; the write
// callback gets the error, 'error' carries the same code, then 'close' true.
'use strict';
const net = require('net');
const { log } = require('./_common');

let client;
const server = net.createServer((sock) => {
  sock.on('close', () => {
    log('server side closed');
    server.close();
    log('write returns', typeof client.write('after reset', (err) => {
      log('write callback', err && err.code, err && err.syscall);
    }));
  });
  sock.once('data', () => sock.resetAndDestroy());
});
server.listen(0, '127.0.0.1', () => {
  client = net.connect(server.address().port, '127.0.0.1');
  client.pause();
  client.on('connect', () => {
    log('client connect');
    client.write('ping');
  });
  client.on('error', (e) => log('client error', e.code, e.syscall));
  client.on('close', (hadError) => log('client close', hadError));
});
