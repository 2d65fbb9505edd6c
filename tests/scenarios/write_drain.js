// write() returns true for a small chunk and false once more is queued than
// the kernel takes (the peer is paused); 'drain' follows, once, when the
// peer reads; the peer gets every byte.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const BIG = 8 * 1024 * 1024;
const slog = channel('server');
const server = net.createServer({ pauseOnConnect: true }, (sock) => {
  let n = 0;
  sock.on('data', (d) => { n += d.length; });
  sock.on('end', () => slog('server got', n));
  sock.on('close', () => server.close());
  setTimeout(() => sock.resume(), 200);
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    log('writableHighWaterMark', client.writableHighWaterMark);
    log('small write', client.write(Buffer.alloc(100, 97)));
    log('large write', client.write(Buffer.alloc(BIG, 98)));
    log('needDrain', client.writableNeedDrain, client.writableLength > 0);
  });
  let drains = 0;
  client.on('drain', () => {
    drains += 1;
    log('drain', drains, client.writableNeedDrain, client.writableLength);
    client.end();
  });
  client.on('close', (hadError) => log('close', hadError, drains, client.bytesWritten));
});
