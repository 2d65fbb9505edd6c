// The timeout option of connect() sets socket.timeout before connecting;
// 'timeout' fires once after that much idleness; the socket stays open.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect({ port: server.address().port, host: '127.0.0.1', timeout: 80 });
  log('timeout', c.timeout);
  let n = 0;
  c.on('connect', () => log('connect'));
  c.on('timeout', () => {
    n += 1;
    log('timeout event', n, c.destroyed, c.readyState);
    if (n === 1) setTimeout(() => { log('after wait', n); c.destroy(); }, 250);
  });
  c.on('close', (hadError) => log('close', hadError));
});
