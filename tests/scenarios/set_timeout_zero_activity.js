// setTimeout(ms) then setTimeout(0) before it fires: no 'timeout', even
// with traffic afterwards; a timeout re-armed by activity fires later.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  sock.on('data', (d) => sock.write('echo:' + d));
  sock.on('end', () => sock.end());
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.setTimeout(50);
  c.setTimeout(0);
  log('timeout', c.timeout);
  c.on('timeout', () => {
    log('timeout event', c.timeout);
    c.end();
  });
  c.setEncoding('utf8');
  let n = 0;
  c.on('data', (d) => {
    log('data', d);
    n += 1;
    if (n === 1) c.write('b');
    else c.setTimeout(60);
  });
  c.on('connect', () => {
    setTimeout(() => c.write('a'), 120);
  });
  c.on('close', (hadError) => log('close', hadError));
});
