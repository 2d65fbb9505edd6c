// server.close() with a connection open: listening becomes false and
// address() null at once, new connections are refused, but 'close' (and
// the callback) wait until the last connection has closed.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const clog = channel('client');

let serverSide;
const server = net.createServer((sock) => {
  serverSide = sock;
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    log('server data', d);
    server.close(() => log('close callback'));
    log('after close', server.listening, server.address());
    server.getConnections((err, n) => log('connections', err, n));
    const late = net.connect(port, '127.0.0.1');
    late.on('error', (e) => {
      log('late error', e.code);
      sock.end('bye');
    });
  });
  sock.on('close', () => log('server socket close'));
});
server.on('close', () => log('server close event'));
let port;
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  const c = net.connect(port, '127.0.0.1', () => c.write('hi'));
  c.setEncoding('utf8');
  c.on('data', (d) => clog('data', d));
  c.on('close', () => clog('close'));
});
