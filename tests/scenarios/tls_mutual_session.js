// Mutual TLS (request_cert with the CA: the server sees the client's
// certificate, authorized) and session resumption: the second connection
// offers the first one's session and resumes it.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'), ca: pem('ca-cert'),
                                  requestCert: true, maxVersion: 'TLSv1.2' }, (s) => {
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
  c.on('session', (s) => { if (!session) log('session'); session = s; });
  c.resume();
  c.on('close', () => {
    const d = tls.connect({ port: server.address().port, session, ...base }, () => {
      log('second', d.authorized, d.isSessionReused(), d.getProtocol());
    });
    d.resume();
    d.on('close', () => server.close());
  });
});
