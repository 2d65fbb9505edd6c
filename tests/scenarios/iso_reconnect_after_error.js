// connect() again from the 'close' listener of a socket whose first
// connect failed (ECONNREFUSED): the same object connects afresh, emits
// 'connect' and is served; and connect() from the 'close' of a socket that
// was destroyed before it ever connected (that 'close' has no argument).
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.on('data', () => sock.end('pong'));
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let done = 0;
  const finished = () => { if (++done === 2) server.close(); };
  const watch = (s, slog) => {
    s.setEncoding('utf8');
    s.on('connect', () => { slog('connect', s.connecting, s.destroyed, s.readyState); s.write('ping'); });
    s.on('ready', () => slog('ready'));
    s.on('data', (d) => slog('data', d));
    s.on('end', () => slog('end'));
    s.on('error', (e) => slog('error', e.code, e.syscall));
  };
  const dead = net.createServer();
  dead.listen(0, '127.0.0.1', () => {
    const deadPort = dead.address().port;
    dead.close(() => {
      const alog = channel('refused');
      const a = new net.Socket();
      watch(a, alog);
      let round = 0;
      a.on('close', (hadError) => {
        alog('close', round, hadError, a.destroyed);
        if (round++ === 0) {
          const r = a.connect(port, '127.0.0.1');
          alog('reconnect', r === a, a.connecting, a.destroyed, a.readyState);
        } else {
          finished();
        }
      });
      a.connect(deadPort, '127.0.0.1');
    });
  });
  const blog = channel('destroyed');
  const b = new net.Socket();
  watch(b, blog);
  let bround = 0;
  b.on('close', (hadError) => {
    blog('close', bround, hadError, b.destroyed);
    if (bround++ === 0) {
      const r = b.connect(port, '127.0.0.1');
      blog('reconnect', r === b, b.connecting, b.destroyed, b.readyState);
    } else {
      finished();
    }
  });
  b.destroy();
});
