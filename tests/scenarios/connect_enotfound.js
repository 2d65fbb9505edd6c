// A name that does not resolve: 'error' ENOTFOUND from getaddrinfo with
// hostname set, 'close' with hadError true, no 'connect'.
'use strict';
const net = require('net');
const { log } = require('./_common');

const c = net.connect(80, 'nonexistent.invalid');
log('connecting', c.connecting);
c.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
c.on('connect', () => log('unexpected connect'));
c.on('error', (e) => log('error', e.code, e.syscall, e.hostname, e instanceof Error));
c.on('close', (hadError) => log('close', hadError, c.connecting));
