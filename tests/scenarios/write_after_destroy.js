// write() after destroy(): returns false and the callback gets
// ERR_STREAM_DESTROYED; no 'error' event; end() after destroy does nothing.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.destroy();
    const r = client.write('y', (err) => log('write cb', err && err.code));
    log('write returned', r);
    const r2 = client.end(() => log('end cb'));
    log('end returns socket', r2 === client);
    const r3 = client.destroy();
    log('destroy again returns socket', r3 === client);
  });
  client.on('error', (e) => log('error', e.code));
  client.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
