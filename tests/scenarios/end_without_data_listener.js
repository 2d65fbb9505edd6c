// A peer that ends without sending anything: 'end' is emitted even though
// nobody listens for 'data', then 'close'.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.end();
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('end', () => log('end', client.readableEnded));
  client.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
