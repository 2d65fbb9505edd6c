// resetAndDestroy() on the client: it closes at once with hadError false,
// and the server side sees ECONNRESET then close(true). Called while still
// connecting, the reset waits for the connection ('connect' still fires).
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
let seen = 0;
const server = net.createServer((sock) => {
  seen += 1;
  const id = seen;
  sock.on('data', (d) => slog(id, 'data', d.length));
  sock.on('end', () => slog(id, 'end'));
  sock.on('error', (e) => slog(id, 'error', e.code));
  sock.on('close', (hadError) => {
    slog(id, 'close', hadError);
    if (id === 2) server.close();
  });
  if (id === 1) sock.write('hello');
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const a = net.connect(port, '127.0.0.1');
  a.on('data', () => {
    const r = a.resetAndDestroy();
    log('a reset returns socket', r === a, a.destroyed);
  });
  a.on('error', (e) => log('a error', e.code));
  a.on('close', (hadError) => {
    log('a close', hadError);
    const b = net.connect(port, '127.0.0.1');
    b.on('connect', () => log('b connect'));
    b.on('error', (e) => log('b error', e.code));
    log('b connecting', b.connecting);
    b.resetAndDestroy();
    log('b after reset', b.destroyed, b.connecting);
    b.on('close', (hadError) => log('b close', hadError));
  });
});
