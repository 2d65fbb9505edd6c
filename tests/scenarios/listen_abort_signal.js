// listen({signal}): aborting closes the server ('close' follows); a signal
// already aborted makes listen() close it right away (no 'listening').
'use strict';
const net = require('net');
const { log } = require('./_common');

const ac = new AbortController();
const s = net.createServer();
s.on('close', () => {
  log('s close', s.listening);
  const ac2 = new AbortController();
  ac2.abort();
  const s2 = net.createServer();
  s2.on('listening', () => log('s2 listening'));
  s2.on('error', (e) => log('s2 error', e.code));
  s2.on('close', () => log('s2 close', s2.listening));
  s2.listen({ port: 0, host: '127.0.0.1', signal: ac2.signal });
  log('s2 listen returned', s2.listening);
});
s.listen({ port: 0, host: '127.0.0.1', signal: ac.signal }, () => {
  log('s listening');
  ac.abort();
  log('after abort', s.listening);
});
