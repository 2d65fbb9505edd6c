// Clients that do not speak TLS: garbage, an HTTP request, a client that
// connects and leaves, one that says nothing (handshakeTimeout). Each is a
// 'tlsClientError' on the server, which goes on to serve a real client.
'use strict';
const net = require('net');
const tls = require('tls');
const fs = require('fs');
const { log } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert'),
                                  handshakeTimeout: 200 }, (s) => {
  log('secureConnection');
  s.end('bye');
});
server.on('tlsClientError', (e, s) => { log('tlsClientError', e.code, e instanceof Error); s.destroy(); });
const cases = [
  ['garbage', (c) => c.write(Buffer.alloc(64, 7))],
  ['http', (c) => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['leaves', (c) => c.end()],
  ['silent', () => {}],
];
function next(i) {
  if (i >= cases.length) {
    const c = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: pem('ca-cert'),
                            servername: 'localhost' }, () => log('secureConnect'));
    c.on('data', (d) => log('data', d.toString()));
    c.on('close', () => { log('close'); server.close(); });
    return;
  }
  const [label, act] = cases[i];
  const c = net.connect(server.address().port, '127.0.0.1', () => { log(label); act(c); });
  c.on('error', (e) => log(label, 'client error', e.code));
  c.resume();
  c.on('close', () => next(i + 1));
}
server.listen(0, '127.0.0.1', () => next(0));
