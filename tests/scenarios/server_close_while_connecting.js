// server.close() in the same turn as a client's connect(): the listener is
// gone before the connection is made, so the client gets ECONNREFUSED and
// the server never sees a 'connection'; the close callback runs.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer(() => log('unexpected connection'));
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  log('client connecting', c.connecting);
  server.close((err) => log('server close cb', err && err.code, server.listening));
  log('after close', server.listening, server.address());
  c.on('connect', () => log('unexpected connect'));
  c.on('error', (e) => log('client error', e.code));
  c.on('close', (hadError) => log('client close', hadError));
  server.on('close', () => log('server close event'));
});
