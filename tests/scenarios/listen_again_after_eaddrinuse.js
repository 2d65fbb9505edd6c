// After listen() fails with EADDRINUSE the server is not listening and can
// listen again: once more on the busy port (second EADDRINUSE), then on
// port 0, which succeeds; close() then works.
'use strict';
const net = require('net');
const { log } = require('./_common');

const busy = net.createServer();
busy.listen(0, '127.0.0.1', () => {
  const port = busy.address().port;
  const s = net.createServer((sock) => sock.end('ok'));
  let errors = 0;
  s.on('error', (e) => {
    errors += 1;
    log('error', errors, e.code, e.syscall, e.port === port, s.listening, s.address());
    if (errors === 1) s.listen(port, '127.0.0.1');
    else s.listen(0, '127.0.0.1');
  });
  s.on('listening', () => {
    log('listening', s.listening, s.address().port !== port);
    const c = net.connect(s.address().port, '127.0.0.1');
    c.setEncoding('utf8');
    c.on('data', (d) => log('client data', d));
    c.on('close', () => {
      s.close(() => log('s closed'));
      busy.close(() => log('busy closed'));
    });
  });
  s.listen(port, '127.0.0.1');
});
