// A custom lookup that calls its callback twice, synchronously: 'lookup' is
// emitted twice inside connect(), both answers start a connect on the same
// handle, and the second fails with EALREADY at once (destroyed before
// connect() returns); 'error' then 'close' true follow. No 'connect'.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.on('data', () => sock.end('pong'));
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const lookup = (hostname, options, cb) => {
    log('lookup called', hostname);
    cb(null, '127.0.0.1', 4);
    log('first answer returned');
    cb(null, '127.0.0.1', 4);
    log('second answer returned');
  };
  const s = new net.Socket();
  s.setEncoding('utf8');
  s.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
  s.on('connect', () => { log('connect'); s.write('ping'); });
  s.on('ready', () => log('ready'));
  s.on('data', (d) => log('data', d));
  s.on('end', () => log('end'));
  s.on('error', (e) => log('error', e.code, e.syscall, e.address, e.port === port));
  s.on('close', (hadError) => {
    log('close', hadError, s.destroyed);
    server.close();
  });
  const r = s.connect({ port, host: 'svc.test', family: 4, lookup });
  log('connect returned', r === s, s.connecting, s.destroyed, s.readyState);
});
