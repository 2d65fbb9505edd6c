// unref() then ref() keeps the process alive again, until close().
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer();
server.unref();
server.ref();
server.listen(0, '127.0.0.1', () => {
  log('listening');
  setTimeout(() => {
    log('timer fired');
    server.close(() => log('closed'));
  }, 100).unref();
});
