// setTimeout argument validation: negative, non-number, non-function
// callback are thrown at the call; the callback becomes a once-listener.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

const s = new net.Socket();
thrown('setTimeout(-1)', () => s.setTimeout(-1));
thrown("setTimeout('x')", () => s.setTimeout('x'));
thrown('setTimeout(null)', () => s.setTimeout(null));
thrown('setTimeout(Infinity)', () => s.setTimeout(Infinity));
thrown("setTimeout(10, 'notfn')", () => s.setTimeout(10, 'notfn'));
thrown('setTimeout(1.5)', () => s.setTimeout(1.5));
log('timeout', s.timeout);
thrown('setTimeout(0)', () => s.setTimeout(0));
log('timeout after 0', s.timeout);
const cb = () => {};
s.setTimeout(100, cb);
log('listeners', s.listenerCount('timeout'));
s.setTimeout(0, cb);
log('listeners after setTimeout(0, cb)', s.listenerCount('timeout'));
s.setTimeout(0);
s.destroy();
