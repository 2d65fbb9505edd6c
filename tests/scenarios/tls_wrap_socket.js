// tls.connect({socket}) over an existing net.Socket: already connected, and
// still connecting (TLS starts at its 'connect', and the TLS socket emits
// 'connect' then); what stays observable on the plain socket while TLS has
// its handle and once either is destroyed (the plain socket's 'close' first).
'use strict';
const tls = require('tls');
const net = require('net');
const fs = require('fs');
const { log, channel } = require('./_common');

const pem = (n) => fs.readFileSync(`../certs/${n}.pem`);
const slog = channel('server');
const server = tls.createServer({ key: pem('server-key'), cert: pem('server-cert') }, (s) => {
  s.on('data', (d) => { slog('data', s.servername, d.toString()); s.write(d.toString().toUpperCase()); });
  s.on('end', () => s.end());
  s.on('error', () => {});
});
const state = (raw) => [raw.destroyed, raw.readable, raw.writable, raw.pending, raw.connecting,
  raw.readyState, raw.closed, typeof raw.remoteAddress, raw.remotePort === server.address().port];

function one(mode, next) {
  const raw = net.connect(server.address().port, '127.0.0.1');
  for (const ev of ['connect', 'ready', 'data', 'end', 'finish', 'close', 'error'])
    raw.on(ev, (x) => log(mode, 'raw', ev, ev === 'close' ? x : '', ev === 'close' ? state(raw).join(' ') : ''));
  function wrap() {
    const c = tls.connect({ socket: raw, servername: 'localhost', ca: pem('ca-cert') }, () => {
      log(mode, 'secureConnect', c.authorized, c.getProtocol(), c.connecting, c.pending, c.readyState,
          c.remoteAddress, c.remotePort === server.address().port);
      log(mode, 'raw at secure', ...state(raw));
      if (mode === 'plain destroyed') raw.destroy();
      else c.write('hello');
    });
    log(mode, 'wrapped', c.encrypted, c.connecting, c.pending, c.readyState);
    log(mode, 'raw after wrap', ...state(raw));
    for (const ev of ['connect', 'ready', 'end', 'finish', 'error'])
      c.on(ev, (x) => log(mode, 'tls', ev, x && x.code));
    c.on('data', (d) => { log(mode, 'tls data', d.toString()); c.end(); });
    c.on('close', (e) => { log(mode, 'tls close', e, ...state(raw)); next(); });
  }
  if (mode === 'connecting') wrap(); else raw.on('connect', wrap);
}

server.listen(0, '127.0.0.1', () => {
  one('connected', () => one('connecting', () => one('plain destroyed', () => server.close())));
});
