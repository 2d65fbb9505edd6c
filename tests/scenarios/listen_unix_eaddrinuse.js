// Listening on a unix path that is in use (by another server, or by a
// plain file) fails with EADDRINUSE emitted as 'error'; the existing file
// is left alone.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const p = path.join(dir, 'busy.sock');
const f = path.join(dir, 'file.sock');
fs.writeFileSync(f, 'x');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const s1 = net.createServer();
s1.listen(p, () => {
  const s2 = net.createServer();
  s2.on('listening', () => log('unexpected listening'));
  s2.on('error', (e) => {
    log('s2 error', e.code, e.syscall, e.address === p, s2.listening);
    const s3 = net.createServer();
    s3.listen(f);
    s3.on('error', (e3) => {
      log('s3 error', e3.code, e3.syscall, fs.readFileSync(f, 'utf8'));
      s1.close(() => log('s1 closed', fs.existsSync(p)));
    });
  });
  s2.listen(p);
});
