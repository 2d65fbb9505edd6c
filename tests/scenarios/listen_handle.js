// listen(handle): a second server takes over the listening handle of a
// first one (same address), and accepts its connections.
'use strict';
const net = require('net');
const { log } = require('./_common');

const first = net.createServer(() => log('unexpected first connection'));
first.listen(0, '127.0.0.1', () => {
  const second = net.createServer((sock) => {
    log('second got connection');
    sock.end('from second');
  });
  const r = second.listen(first, () => {
    log('second listening', second.address().port === first.address().port,
      second.address().address);
    const c = net.connect(second.address().port, '127.0.0.1');
    c.setEncoding('utf8');
    c.on('data', (d) => log('client data', d));
    c.on('close', () => second.close(() => {
      log('second closed');
      first.close((err) => log('first close', err && err.code));
    }));
  });
  log('listen(handle) returns server', r === second);
});
