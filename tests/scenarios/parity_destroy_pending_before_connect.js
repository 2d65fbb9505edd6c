// Callbacks of writes and end() pending when a socket is destroyed before
// its connection is up. Node: 'close' (false) comes first, then the write
// callbacks and the end() callback, all with
// ERR_SOCKET_CLOSED_BEFORE_CONNECTION; with destroy(err): 'error', 'close'
// true, then the first write's callback with
// ERR_SOCKET_CLOSED_BEFORE_CONNECTION and the others with err; end(cb)
// alone: its callback gets ERR_STREAM_DESTROYED, before 'close'.
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
    writes_end(c, cb) {
      c.write('a', cb('write 1'));
      c.write('b', cb('write 2'));
      c.end('c', cb('end'));
      c.destroy();
    },
    writes_end_error(c, cb) {
      c.write('a', cb('write 1'));
      c.write('b', cb('write 2'));
      c.end('c', cb('end'));
      const err = new Error('custom');
      err.code = 'E_CUSTOM';
      c.destroy(err);
    },
    writes_only(c, cb) {
      c.write('a', cb('write 1'));
      c.write('b', cb('write 2'));
      c.destroy();
    },
    end_only(c, cb) {
      c.end(cb('end'));
      c.destroy();
    },
  };
  let open = Object.keys(cases).length;
  for (const [name, fn] of Object.entries(cases)) {
    const clog = channel(name);
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => clog('unexpected connect'));
    c.on('finish', () => clog('finish'));
    c.on('error', (e) => clog('error', e.code));
    c.on('close', (hadError) => {
      clog('close', hadError, c.destroyed);
      if (--open === 0) server.close();
    });
    fn(c, (label) => (err) => clog(label, 'cb', err === undefined ? 'undefined' : err && err.code));
    clog('destroyed', c.destroyed, c.writableLength);
  }
});
