// Right after listen() returns: with a host the address is looked up first,
// so the server is not bound yet (listening false, address() null); with
// only a port, or a path, it is bound at once.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const p = path.join(dir, 'x.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const a = net.createServer();
a.listen(0, '127.0.0.1');
log('with host', a.listening, a.address());
const b = net.createServer();
b.listen(0);
log('port only', b.listening, b.address() !== null);
const c = net.createServer();
c.listen(p);
log('path', c.listening, c.address() === p);
let n = 0;
const done = () => { n += 1; if (n === 3) { a.close(); b.close(); c.close(); } };
a.on('listening', () => { log('a listening', a.listening); done(); });
b.on('listening', () => { log('b listening'); done(); });
c.on('listening', () => { log('c listening'); done(); });
