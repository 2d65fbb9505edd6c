// write() and end(data, cb) after destroy(), on a connected socket and on
// one still connecting: the callbacks get ERR_STREAM_DESTROYED, before
// 'close' (false); a later end(cb) is never called back; no 'error'.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let open = 2;
  const run = (name, c, slog) => {
    const cb = (label) => (err) => slog(label, 'cb', err === undefined ? 'undefined' : err && err.code);
    c.destroy();
    slog('write', c.write('a', cb('write')));
    c.end('b', cb('end data'));
    c.end(cb('end again'));
    slog('after', c.destroyed, c.writableEnded);
  };
  for (const name of ['connected', 'connecting']) {
    const slog = channel(name);
    const c = net.connect(port, '127.0.0.1');
    c.on('error', (e) => slog('error', e.code));
    c.on('finish', () => slog('finish'));
    c.on('close', (hadError) => {
      slog('close', hadError);
      if (--open === 0) server.close();
    });
    if (name === 'connected') c.on('connect', () => run(name, c, slog));
    else run(name, c, slog);
  }
});
