// destroy() on a Socket that never connected: destroyed at once, one
// 'close' (Node passes no argument here), no 'connect', no 'error'; a later write
// fails with ERR_STREAM_DESTROYED through its callback.
'use strict';
const net = require('net');
const { log } = require('./_common');

const s = new net.Socket();
s.on('connect', () => log('unexpected connect'));
s.on('error', (e) => log('error', e.code));
s.on('close', (hadError) => log('close', hadError, s.destroyed, s.readyState));
log('before', s.destroyed, s.pending, s.connecting, s.readyState);
const r = s.destroy();
log('destroy returns socket', r === s, s.destroyed, s.readyState);
s.destroy();
log('write', s.write('x', (err) => log('write cb', err && err.code)));
