// readableAll / writableAll make the unix socket file readable / writable
// for everyone (checked on the file's permission bits for group/other,
// under umask 077).
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
process.umask(0o077);

const cases = [
  ['both', { readableAll: true, writableAll: true }],
  ['readable', { readableAll: true }],
  ['writable', { writableAll: true }],
];
function next(i) {
  if (i === cases.length) return;
  const [name, opts] = cases[i];
  const p = path.join(dir, name + '.sock');
  const s = net.createServer();
  s.listen({ path: p, ...opts }, () => {
    const mode = fs.statSync(p).mode;
    log(name, 'other read', (mode & 0o004) !== 0, 'other write', (mode & 0o002) !== 0,
      'group read', (mode & 0o040) !== 0, 'group write', (mode & 0o020) !== 0);
    s.close(() => next(i + 1));
  });
}
next(0);
