// destroy() while the connection is still being made: no 'connect', no
// 'error', just 'close' with hadError false; connecting turns false.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
  sock.on('close', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('connect', () => log('unexpected connect'));
  c.on('error', (e) => log('unexpected error', e.code));
  log('connecting', c.connecting);
  c.destroy();
  log('after destroy', c.connecting, c.destroyed, c.readyState);
  c.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
