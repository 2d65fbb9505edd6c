// The family option decides which address the lookup is asked for; the
// custom lookup sees it and the connection uses the matching family.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
});
server.listen(0, '::1', () => {
  const port = server.address().port;
  const lookup = (hostname, options, cb) => {
    log('lookup', hostname, options.family);
    if (options.family === 6) setImmediate(cb, null, '::1', 6);
    else setImmediate(cb, null, '127.0.0.1', 4);
  };
  const c6 = net.connect({ port, host: 'dual.test', family: 6, lookup });
  c6.on('lookup', (err, address, family) => log('c6 lookup event', err, address, family));
  c6.on('connect', () => {
    log('c6 connect', c6.remoteAddress, c6.remoteFamily);
    c6.end();
  });
  c6.resume();
  c6.on('close', () => {
    const c4 = net.connect({ port, host: 'dual.test', family: 4, lookup });
    c4.on('lookup', (err, address, family) => log('c4 lookup event', err, address, family));
    c4.on('connect', () => log('unexpected c4 connect'));
    c4.on('error', (e) => log('c4 error', e.code, e.address));
    c4.on('close', (hadError) => {
      log('c4 close', hadError);
      server.close();
    });
  });
});
