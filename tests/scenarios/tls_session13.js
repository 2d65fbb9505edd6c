// TLS 1.3 with a client certificate: each session ticket that arrives after
// the handshake is a 'session' (two, as OpenSSL sends), and the last one
// resumes the next connection.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'), ca: pem('ca-cert'),
                                  requestCert: true }, (s) => {
  const cert = s.getPeerCertificate();
  slog('secureConnection', s.authorized, s.authorizationError, cert.subject.CN, s.isSessionReused());
  s.end('hi');
});
const base = { host: '127.0.0.1', ca: pem('ca-cert'), servername: 'localhost',
               key: pem('client-key'), cert: pem('client-cert') };
server.listen(0, '127.0.0.1', () => {
  let session = null;
  const c = tls.connect({ port: server.address().port, ...base }, () => {
    log('first', c.authorized, c.isSessionReused(), c.getProtocol());
  });
  c.on('session', (s) => { log('session'); session = s; });
  c.resume();
  c.on('close', () => {
    const d = tls.connect({ port: server.address().port, session, ...base }, () => {
      log('second', d.authorized, d.isSessionReused(), d.getProtocol());
    });
    d.resume();
    d.on('close', () => server.close());
  });
});
