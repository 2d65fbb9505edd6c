// Writes and end(cb) made while connecting, with a 'connect' listener
// added first: 'connect', then the first write's callback (inside the
// 'connect' emission), 'ready', the other write callbacks in order, the
// end() callback, 'finish'; the server receives everything.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('got', got);
    sock.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('connect', () => log('connect', c.writableLength));
  c.on('ready', () => log('ready'));
  const cb = (label) => (err) => log(label, 'cb', err === undefined ? 'undefined' : err && err.code);
  log('write', c.write('a', cb('write 1')), c.write('b', cb('write 2')), c.write('c', cb('write 3')));
  c.end('d', cb('end'));
  log('queued', c.writableLength, c.writableEnded, c.readyState);
  c.on('finish', () => log('finish'));
  c.resume();
  c.on('end', () => log('end'));
  c.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
