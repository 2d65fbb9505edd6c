// Invalid connect() arguments are thrown at the call with Node's codes.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

thrown('connect()', () => net.connect());
thrown('connect({})', () => net.connect({}));
thrown('Socket().connect()', () => new net.Socket().connect());
thrown('createConnection({})', () => net.createConnection({}));
thrown('connect({port: 80, host: 123})', () => net.connect({ port: 80, host: 123 }));
thrown("connect({port: 'x'})", () => net.connect({ port: 'x', host: '127.0.0.1' }));
thrown('connect({port: true})', () => net.connect({ port: true, host: '127.0.0.1' }));
thrown('connect({path: 123})', () => net.connect({ path: 123 }));
thrown('connect({port: 80, family: 5})', () => net.connect({ port: 80, host: 'localhost', family: 5 }));
thrown("connect({port: 80, localAddress: 'nope'})", () => net.connect({ port: 80, host: '127.0.0.1', localAddress: 'nope' }));
thrown("connect({port: 80, localPort: 'x'})", () => net.connect({ port: 80, host: '127.0.0.1', localPort: 'x' }));
thrown("connect({port: 80, lookup: 'x'})", () => net.connect({ port: 80, host: 'localhost', lookup: 'x' }));
thrown("connect({port: 80, timeout: -1})", () => net.connect({ port: 80, host: '127.0.0.1', timeout: -1 }));
log('done');
