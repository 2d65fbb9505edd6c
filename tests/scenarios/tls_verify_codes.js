// Certificate verification, one client at a time: success, each failure
// code ('error' then 'close'), and reject_unauthorized=false (authorized
// false, authorizationError set, 'secureConnect' all the same).
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const cases = [
  ['ok', 'server', { ca: pem('ca-cert'), servername: 'localhost' }],
  ['ip', 'server', { ca: pem('ca-cert') }],
  ['self-signed', 'self', { ca: pem('ca-cert') }],
  ['self-signed-trusted', 'self', { ca: pem('self-cert') }],
  ['expired', 'expired', { ca: pem('ca-cert') }],
  ['unknown-ca', 'server', { ca: pem('self-cert') }],
  ['altname', 'server', { ca: pem('ca-cert'), servername: 'wrong.example' }],
  ['altname-ip', 'other', { ca: pem('ca-cert') }],
  ['unauthorized-ok', 'self', { ca: pem('ca-cert'), rejectUnauthorized: false }],
  ['unauthorized-altname', 'server', { ca: pem('ca-cert'), servername: 'nope.example', rejectUnauthorized: false }],
  ['custom-check', 'server', { ca: pem('ca-cert'), servername: 'localhost',
    checkServerIdentity: (host, cert) => { log('  check', host, cert.subject.CN); return new Error('no thanks'); } }],
];

function next(i) {
  if (i >= cases.length) return;
  const [label, name, opts] = cases[i];
  const server = tls.createServer({ key: pem(`${name}-key`), cert: pem(`${name}-cert`) }, (s) => {
    s.on('error', () => {});
    s.end();
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1', () => {
    const c = tls.connect({ port: server.address().port, host: '127.0.0.1', ...opts }, () => {
      log(label, 'secureConnect', c.authorized, c.authorizationError);
      c.end();
    });
    c.on('error', (e) => log(label, 'error', e.code, e.message));
    c.resume();
    c.on('close', () => { log(label, 'close'); server.close(); next(i + 1); });
  });
}
next(0);
