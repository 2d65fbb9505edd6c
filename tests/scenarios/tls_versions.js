// Protocol versions: minVersion/maxVersion on either side decide what is
// negotiated; no version in common fails the handshake on both sides with
// OpenSSL's codes; a version name Node does not know throws at the call.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, thrown, channel } = require('./_common');

const slog = channel('server');
const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const CASES = [
  ['server max 1.2', { maxVersion: 'TLSv1.2' }, {}],
  ['client max 1.2', {}, { maxVersion: 'TLSv1.2' }],
  ['both 1.3', { minVersion: 'TLSv1.3' }, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }],
  ['server 1.3 client 1.2', { minVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' }],
  ['server 1.2 client 1.3', { maxVersion: 'TLSv1.2' }, { minVersion: 'TLSv1.3' }],
];

function next(i) {
  if (i === CASES.length) {
    thrown('bad minVersion', () => tls.connect({ port: 1, minVersion: 'TLSv9' }));
    thrown('bad maxVersion', () => tls.createServer({ maxVersion: 'SSLv3' }));
    return;
  }
  const [name, sopts, copts] = CASES[i];
  const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'), ...sopts }, (s) => {
    slog(name, 'secureConnection', s.getProtocol());
    s.end();
  });
  server.on('tlsClientError', (e) => slog(name, 'tlsClientError', e.code));
  server.listen(0, '127.0.0.1', () => {
    const c = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost',
                            ca: pem('ca-cert'), ...copts }, () => log(name, 'secureConnect', c.getProtocol()));
    c.on('error', (e) => log(name, 'error', e.code));
    c.on('close', (e) => { log(name, 'close', e); server.close(() => next(i + 1)); });
  });
}
next(0);
