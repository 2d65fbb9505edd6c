// destroy() right after write() and end() on a connected socket (inside
// 'connect'): the write that went out gets its callback with null, the
// end() callback gets ERR_STREAM_DESTROYED (or the destroy error), both
// before 'close'; 'ready' is still emitted after 'connect'; no 'finish'.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const cases = {
    plain(c) { c.destroy(); },
    with_error(c) {
      const err = new Error('custom');
      err.code = 'E_CUSTOM';
      c.destroy(err);
    },
  };
  let open = Object.keys(cases).length;
  for (const [name, fn] of Object.entries(cases)) {
    const clog = channel(name);
    const cb = (label) => (err) => clog(label, 'cb', err === undefined ? 'undefined' : err && err.code);
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      clog('connect');
      c.write('a', cb('write'));
      c.end('b', cb('end'));
      fn(c);
      clog('destroyed', c.destroyed, c.writableEnded, c.writableFinished);
    });
    c.on('ready', () => clog('ready', c.destroyed));
    c.on('finish', () => clog('finish'));
    c.on('error', (e) => clog('error', e.code));
    c.on('close', (hadError) => {
      clog('close', hadError, c.destroyed);
      if (--open === 0) server.close();
    });
  }
});
