// Invalid listen() arguments are thrown at the call with Node's codes.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

const s = net.createServer();
s.on('listening', () => log('unexpected listening'));
s.on('error', (e) => log('unexpected error', e.code));
thrown('listen({})', () => s.listen({}));
thrown('listen(true)', () => s.listen(true));
thrown('listen(false)', () => s.listen(false));
thrown("listen({port: 'abc'})", () => s.listen({ port: 'abc' }));
thrown('listen({port: 1.5})', () => s.listen({ port: 1.5 }));
thrown('listen({host: "127.0.0.1"})', () => s.listen({ host: '127.0.0.1' }));
thrown('listen({path: 5})', () => s.listen({ path: 5 }));
thrown('listen({fd: "x"})', () => s.listen({ fd: 'x' }));
log('listening', s.listening);
thrown('getConnections() no callback', () => s.getConnections());
