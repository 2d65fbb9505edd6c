// Writes made before the handshake completes (before 'connect', in 'connect',
// before 'secureConnect'): held until the session is up, then sent in order;
// when their callbacks run relative to 'secureConnect', and what write()
// returned. The server sees the bytes in order, then the end.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert') }, (s) => {
  let got = '';
  s.on('data', (d) => { got += d.toString(); });
  s.on('end', () => { slog('end', got); s.end(); });
  s.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost',
                          ca: pem('ca-cert') });
  log('write a', c.write('a', (e) => log('cb a', e)), c.writableLength);
  log('write b', c.write(Buffer.from('b'), (e) => log('cb b', e)));
  c.on('connect', () => {
    log('connect');
    log('write c', c.write('c', (e) => log('cb c', e)));
  });
  c.on('secureConnect', () => {
    log('secureConnect');
    log('write d', c.write('d', (e) => log('cb d', e)));
    c.end('e', () => log('end cb'));
  });
  c.on('finish', () => log('finish'));
  c.on('end', () => log('end'));
  c.on('close', (e) => log('close', e, c.bytesWritten));
});
