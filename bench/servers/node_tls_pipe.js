// Node TLS echo server: tls.createServer({key, cert}, c => c.pipe(c)).
// Usage: node node_tls_pipe.js PORT [HOST] [nodelay]
// nodelay: TCP_NODELAY on every accepted connection (noDelay: true); default: Nagle on (Node's default).
// Certificate: tests/certs/server-cert.pem + server-key.pem (the same for every TLS server).
'use strict';
const fs = require('fs');
const path = require('path');
const tls = require('tls');
const certs = path.join(__dirname, '..', '..', 'tests', 'certs');
const port = Number(process.argv[2]);
const host = process.argv[3] || '127.0.0.1';
const server = tls.createServer({
  key: fs.readFileSync(path.join(certs, 'server-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'server-cert.pem')),
  noDelay: process.argv.slice(4).includes('nodelay'),
}, (c) => {
  c.on('error', () => {}); // a peer's reset must not crash the server
  c.pipe(c);
});
server.on('tlsClientError', () => {});
server.listen({ port, host, backlog: 1024 });
