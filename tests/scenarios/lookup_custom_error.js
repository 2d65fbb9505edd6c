// A custom lookup that fails: 'lookup' carries the error, then the same
// error is emitted as 'error' and 'close' follows with hadError true.
'use strict';
const net = require('net');
const { log } = require('./_common');

const boom = new Error('getaddrinfo ENOTFOUND nowhere.test');
boom.code = 'ENOTFOUND';
const lookup = (hostname, options, cb) => {
  log('lookup called', hostname);
  setImmediate(cb, boom);
};
const c = net.connect({ port: 80, host: 'nowhere.test', lookup, family: 4 });
c.on('lookup', (err, address, family, host) => log('lookup event', err === boom, address, family, host));
c.on('connect', () => log('unexpected connect'));
c.on('error', (e) => log('error', e === boom, e.code, c.destroyed));
c.on('close', (hadError) => log('close', hadError));
