// destroy() during the handshake: the client destroys itself at 'connect'
// (a write held for the handshake learns it), destroys itself with an error,
// destroys itself before 'connect', and the server destroys the connection at 'connection' (the client sees
// the TLS layer's "disconnected before secure" ECONNRESET).
'use strict';
const tls = require('tls');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
let mode = '';
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert') }, () => {
  slog('secureConnection');
});
server.on('connection', (s) => { if (mode === 'server destroys') s.destroy(); });
server.on('tlsClientError', (e) => slog('tlsClientError', e.code));

function client(name, onConnect, next, now) {
  mode = name;
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost',
                          ca: pem('ca-cert') }, () => log(name, 'secureConnect'));
  c.write('held', (e) => log(name, 'write cb', e && e.code));
  c.on('connect', () => { log(name, 'connect'); if (onConnect) onConnect(c); });
  if (now) c.destroy();
  c.on('error', (e) => log(name, 'error', e.code, e.message));
  c.on('close', (e) => { log(name, 'close', e, c.destroyed, c.encrypted, c.authorized); next(); });
}

server.listen(0, '127.0.0.1', () => {
  client('destroy', (c) => c.destroy(), () =>
    client('destroy with error', (c) => c.destroy(Object.assign(new Error('boom'), { code: 'BOOM' })), () =>
      client('server destroys', null, () =>
        client('destroy while connecting', null, () => server.close(), true))));
});
