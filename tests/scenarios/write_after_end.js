// write() after end(): returns false, the callback gets
// ERR_STREAM_WRITE_AFTER_END, the same error is emitted as 'error', and
// 'close' follows with hadError true.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.end('x');
    let cbErr = null;
    const r = client.write('y', (err) => {
      cbErr = err;
      log('write cb', err && err.code);
    });
    log('write returned', r);
    client.on('error', (e) => log('error', e.code, e === cbErr, client.destroyed));
  });
  client.resume();
  client.on('finish', () => log('finish'));
  client.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
