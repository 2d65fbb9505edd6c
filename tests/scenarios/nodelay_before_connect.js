// setNoDelay()/setKeepAlive() on a Socket before connect() return the
// socket and do not disturb the later connection, which works normally.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => sock.end('ok'));
server.listen(0, '127.0.0.1', () => {
  const s = new net.Socket();
  log('setNoDelay(true)', s.setNoDelay(true) === s, s.pending);
  log('setKeepAlive(true, 100)', s.setKeepAlive(true, 100) === s);
  const r = s.connect(server.address().port, '127.0.0.1', () => {
    log('connect', s.readyState);
    log('setNoDelay(false) after', s.setNoDelay(false) === s);
  });
  log('connect returns socket', r === s);
  s.setEncoding('utf8');
  s.on('data', (d) => log('data', d));
  s.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
