// A TLS round trip: the client's and the server's events in order, and
// what each side knows of the other once the handshake is done.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert') }, (s) => {
  slog('secureConnection', s.encrypted, s.authorized, s.servername, s.alpnProtocol, s.getProtocol());
  s.on('data', (d) => { slog('data', d.toString()); s.write(d.toString().toUpperCase()); });
  s.on('end', () => slog('end'));
  s.on('finish', () => slog('finish'));
  s.on('close', (e) => { slog('close', e); server.close(); });
});
server.on('connection', (s) => slog('connection', typeof s.remoteAddress));
server.on('tlsClientError', (e) => slog('tlsClientError', e.code));
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost',
                          ca: pem('ca-cert') }, () => {
    log('secureConnect', c.encrypted, c.authorized, c.authorizationError, c.alpnProtocol,
        c.getProtocol(), c.servername);
    const cert = c.getPeerCertificate();
    log('peer', cert.subject.CN, cert.subject.O, cert.issuer.CN, cert.subjectaltname);
    log('peer', cert.valid_to, cert.serialNumber, cert.fingerprint256.length);
    c.write('hello');
  });
  log('connecting', c.encrypted, c.authorized, c.alpnProtocol);
  c.on('connect', () => log('connect'));
  c.on('data', (d) => { log('data', d.toString()); c.end(); });
  c.on('end', () => log('end'));
  c.on('finish', () => log('finish'));
  c.on('close', (e) => log('close', e));
});
