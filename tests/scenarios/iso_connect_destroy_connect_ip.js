// s.connect(); s.destroy(); s.connect() in one tick to an IP address. In
// Node both deferred connect attempts land on the second handle: the
// second attempt fails with EALREADY ('error', then 'close' true), then the
// first handle's 'close' (false) follows; no 'connect', nothing is served.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.on('data', () => sock.end('pong'));
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const s = new net.Socket();
  s.setEncoding('utf8');
  s.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
  s.on('connect', () => { log('connect'); s.write('ping'); });
  s.on('ready', () => log('ready'));
  s.on('data', (d) => log('data', d));
  s.on('end', () => log('end'));
  s.on('error', (e) => log('error', e.code, e.syscall, e.address, e.port === port));
  let open = true;
  s.on('close', (hadError) => {
    log('close', hadError, s.destroyed);
    if (s.destroyed && open) { open = false; server.close(); }
  });
  s.connect(port, '127.0.0.1');
  s.destroy();
  log('destroyed', s.destroyed, s.connecting, s.readyState);
  const r = s.connect(port, '127.0.0.1');
  log('second connect', r === s, s.connecting, s.destroyed, s.readyState);
});
