// cork()/uncork(): nested corks hold writes back until the last uncork();
// Node's pattern cork(); write(); write(); process.nextTick(() => uncork())
// sends the writes together (the peer gets them in one read), with their
// callbacks on the tick after; writableCorked counts; writableLength holds
// the corked bytes; end() uncorks fully. The peer acknowledges each read,
// and the second batch is written on the first acknowledgement.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const got = channel('peer');
const server = net.createServer((sock) => {
  const chunks = [];
  sock.on('data', (d) => {
    chunks.push(d.toString());
    sock.write('ok');
  });
  sock.on('end', () => {
    got('chunks', chunks.join('|'));
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  const cb = (label) => (err) => log(label, 'cb', err === undefined ? 'undefined' : err && err.code);
  c.on('connect', () => {
    log('corked', c.writableCorked);
    c.cork();
    c.cork();
    log('corked', c.writableCorked);
    log('write a', c.write('a', cb('a')));
    log('write b', c.write('b', cb('b')));
    log('length', c.writableLength);
    c.uncork();
    log('after one uncork', c.writableCorked, c.writableLength);
    process.nextTick(() => {
      c.uncork();
      log('uncorked', c.writableCorked, c.writableLength);
      process.nextTick(() => log('tick after uncork'));
      c.once('data', () => {
        c.cork();
        c.write('c', cb('c'));
        c.write('d', cb('d'));
        log('before end', c.writableCorked, c.writableLength);
        c.end('e', cb('end'));
        log('after end', c.writableCorked, c.writableEnded);
      });
    });
  });
  c.on('finish', () => log('finish'));
  c.on('close', (hadError) => log('close', hadError));
  c.on('error', (e) => log('error', e.code));
  c.on('end', () => log('end'));
});
