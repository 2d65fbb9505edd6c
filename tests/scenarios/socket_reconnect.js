// A socket can connect() again after 'close': the same object makes a
// fresh connection and fires 'connect' again.
'use strict';
const net = require('net');
const { log } = require('./_common');

let n = 0;
const server = net.createServer((sock) => {
  n += 1;
  sock.end('conn ' + n);
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const s = new net.Socket();
  s.setEncoding('utf8');
  let round = 0;
  s.on('connect', () => log('connect', round, s.connecting, s.destroyed));
  s.on('data', (d) => log('data', d));
  s.on('close', (hadError) => {
    log('close', round, hadError, s.destroyed);
    if (round === 0) {
      round = 1;
      const r = s.connect(port, '127.0.0.1');
      log('reconnect returns socket', r === s, s.connecting, s.destroyed);
    } else {
      server.close();
    }
  });
  s.connect(port, '127.0.0.1');
});
