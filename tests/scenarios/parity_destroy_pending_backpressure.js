// destroy() while writes are held back by a peer that does not read: the
// write the kernel had started on gets its callback with null (Node
// reports no error for a write cut short by destroy), the writes and the
// end() queued behind it get ERR_STREAM_DESTROYED, all before 'close'
// (false); no 'error', no 'finish'.
'use strict';
const net = require('net');
const { log } = require('./_common');

let peer = null;
const server = net.createServer((sock) => {
  peer = sock;
  sock.pause();
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  const cb = (label) => (err) => log(label, 'cb', err === undefined ? 'undefined' : err && err.code);
  c.on('connect', () => {
    log('write big', c.write(Buffer.alloc(32 * 1024 * 1024), cb('write big')));
    log('write tail', c.write('tail', cb('write tail')));
    c.end(cb('end'));
    log('pending', c.writableLength > 0, c.writableNeedDrain);
    setImmediate(() => {
      c.destroy();
      log('destroyed', c.destroyed);
    });
  });
  c.on('finish', () => log('finish'));
  c.on('drain', () => log('drain'));
  c.on('error', (e) => log('error', e.code));
  c.on('close', (hadError) => {
    log('close', hadError);
    peer.destroy();
    server.close();
  });
});
