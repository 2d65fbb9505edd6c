// A signal passed to connect() destroys the socket with an AbortError
// (ABORT_ERR) when aborted; one already aborted does so right away.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const ac = new AbortController();
  const c = net.connect({ port, host: '127.0.0.1', signal: ac.signal }, () => {
    log('connected');
    ac.abort();
    log('after abort', c.destroyed);
  });
  c.on('error', (e) => log('error', e.name, e.code));
  c.on('close', (hadError) => {
    log('close', hadError);
    const ac2 = new AbortController();
    ac2.abort();
    const s = new net.Socket({ signal: ac2.signal });
    log('created with aborted signal', s.destroyed);
    s.on('error', (e) => log('s error', e.code));
    s.on('close', (hadError2) => {
      log('s close', hadError2);
      server.close();
    });
  });
});
