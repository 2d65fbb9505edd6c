// SNI (add_context, SNICallback) and ALPN: which certificate a client gets
// for the name it asks, and the protocol both sides agree on.
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'),
                                  ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
  slog('secureConnection', s.servername, s.alpnProtocol);
  s.end();
});
server.addContext('*.other.example', { key: pem('other-key'), cert: pem('other-cert') });
const cases = [
  ['default', { servername: 'localhost', ALPNProtocols: ['http/1.1'] }],
  ['wildcard', { servername: 'a.other.example', ALPNProtocols: ['h2', 'http/1.1'] }],
  ['no-alpn', { servername: 'localhost' }],
  ['unknown-name', { servername: 'unknown.example', ALPNProtocols: ['http/1.1', 'h2'] }],
];
function next(i) {
  if (i >= cases.length) { server.close(); return; }
  const [label, opts] = cases[i];
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: pem('ca-cert'),
                          rejectUnauthorized: false, ...opts }, () => {
    const cert = c.getPeerCertificate();
    log(label, c.servername, c.alpnProtocol, cert.subject.CN, c.authorized, c.authorizationError);
  });
  c.resume();
  c.on('close', () => next(i + 1));
}
server.listen(0, '127.0.0.1', () => next(0));
