// A custom lookup that throws synchronously: connect() throws that very
// error; the socket is left as it was ('opening', connecting true, not
// destroyed), no event follows, and it holds nothing open (the process
// exits).
'use strict';
const net = require('net');
const { log } = require('./_common');

const boom = new Error('boom');
boom.code = 'E_BOOM';
const lookup = (hostname, options, cb) => {
  log('lookup called', hostname, typeof cb);
  throw boom;
};
const s = new net.Socket();
for (const ev of ['lookup', 'connect', 'ready', 'error', 'close']) {
  s.on(ev, (a) => log('event', ev, a && a.code));
}
try {
  s.connect({ port: 80, host: 'svc.test', family: 4, lookup });
  log('nothrow');
} catch (e) {
  log('throws', e === boom, e.code);
}
log('state', s.connecting, s.destroyed, s.pending, s.readyState);
