// Connecting to a unix path that does not exist: 'error' ENOENT (syscall
// connect, address = the path), then 'close' with hadError true.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 'missing.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const c = net.connect(sockPath);
log('connecting', c.connecting);
c.on('connect', () => log('unexpected connect'));
c.on('error', (e) => log('error', e.code, e.syscall, e.address === sockPath, e.port, typeof e.errno));
c.on('close', (hadError) => log('close', hadError));
