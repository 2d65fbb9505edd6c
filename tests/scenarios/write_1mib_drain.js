// A 1 MiB write queued while the socket is still connecting returns false
// (more than the high water mark is buffered), writableNeedDrain turns true,
// the callback runs, and 'drain' comes exactly once after connecting; the
// peer gets every byte.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const MIB = 1024 * 1024;
const slog = channel('server');
const server = net.createServer((sock) => {
  let n = 0;
  sock.on('data', (d) => { n += d.length; });
  sock.on('end', () => { slog('got', n); sock.end(); });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  const r = c.write(Buffer.alloc(MIB, 120), (err) => log('write cb', err));
  log('write returns', r, c.writableNeedDrain, c.writableLength);
  let drains = 0;
  c.on('drain', () => {
    drains += 1;
    log('drain', drains, c.writableLength, c.writableNeedDrain);
    c.end();
  });
  c.resume();
  c.on('close', (hadError) => log('close', hadError, drains, c.bytesWritten));
});
