// Data that arrives before any 'data' listener is kept: a listener added
// later receives it, and 'end' follows.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.end('early bird');
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('end', () => log('end'));
  setTimeout(() => {
    log('readableLength', client.readableLength, 'isPaused', client.isPaused());
    client.setEncoding('utf8');
    client.on('data', (d) => log('data', d));
  }, 200);
  client.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
