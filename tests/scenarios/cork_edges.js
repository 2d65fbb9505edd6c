// cork() in the corners: corked while connecting (the writes wait for
// 'connect' after uncork()), destroyed while corked (the callbacks get
// ERR_STREAM_DESTROYED, before 'close'), corked on a Socket that never
// connected (uncork() fails the writes with ERR_SOCKET_CLOSED, then 'error'
// and 'close'), and uncork() without cork() doing nothing.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let open = 3;
  const done = () => { if (--open === 0) server.close(); };
  const watch = (c, clog) => {
    c.on('connect', () => clog('connect', c.writableLength));
    c.on('finish', () => clog('finish'));
    c.on('error', (e) => clog('error', e.code));
    c.on('close', (hadError) => {
      clog('close', hadError, c.writableLength);
      done();
    });
  };
  const cbf = (clog) => (label) => (err) => clog(label, 'cb', err === undefined ? 'undefined' : err && err.code);

  {
    const clog = channel('connecting');
    const cb = cbf(clog);
    const c = net.connect(port, '127.0.0.1');
    watch(c, clog);
    c.cork();
    clog('write 1', c.write('1', cb('write 1')));
    clog('write 2', c.write('2', cb('write 2')));
    process.nextTick(() => {
      c.uncork();
      clog('uncorked', c.writableCorked, c.writableLength);
      c.end(cb('end'));
    });
  }
  {
    const clog = channel('destroyed');
    const cb = cbf(clog);
    const c = net.connect(port, '127.0.0.1');
    watch(c, clog);
    c.on('connect', () => {
      c.cork();
      c.write('1', cb('write 1'));
      c.write('2', cb('write 2'));
      c.destroy();
      clog('destroyed', c.writableCorked, c.writableLength);
    });
  }
  {
    const clog = channel('never');
    const cb = cbf(clog);
    const s = new net.Socket();
    s.on('error', (e) => clog('error', e.code));
    s.on('close', (hadError) => { clog('close', hadError); done(); });
    s.uncork();
    clog('uncork alone', s.writableCorked);
    s.cork();
    clog('write 1', s.write('1', cb('write 1')));
    clog('write 2', s.write('2', cb('write 2')));
    clog('corked', s.writableCorked, s.writableLength, s.destroyed);
    s.uncork();
    clog('uncorked', s.writableCorked, s.writableLength, s.destroyed, s.readyState);
  }
});
