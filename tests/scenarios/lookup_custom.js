// A custom lookup function is called with (hostname, options, callback);
// it is called during connect(); its (asynchronous) answer is where the
// socket connects, and 'lookup' reports it.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const lookup = (hostname, options, cb) => {
    log('lookup called', hostname, typeof options, options.family, typeof cb);
    setImmediate(cb, null, '127.0.0.1', 4);
  };
  const c = net.connect({ port, host: 'my.service.test', lookup, family: 4 });
  log('connect returned');
  c.on('lookup', (err, address, family, host) => log('lookup event', err, address, family, host));
  c.on('connect', () => {
    log('connect', c.remoteAddress, c.remotePort === port);
    c.end();
  });
  c.resume();
  c.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
