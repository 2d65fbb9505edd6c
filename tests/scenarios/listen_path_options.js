// listen({path}) and listen(path, backlog, cb) create an IPC server at the
// path; the socket file exists while listening and is unlinked on close.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const p1 = path.join(dir, 'a.sock');
const p2 = path.join(dir, 'b.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const s1 = net.createServer((sock) => sock.end('from a'));
s1.listen({ path: p1 }, () => {
  log('a listening', s1.address() === p1, fs.existsSync(p1), fs.statSync(p1).isSocket());
  const c = net.connect({ path: p1 });
  c.setEncoding('utf8');
  c.on('data', (d) => log('client data', d));
  c.on('close', () => {
    s1.close(() => {
      log('a closed, file exists', fs.existsSync(p1));
      const s2 = net.createServer();
      s2.listen(p2, 5, () => {
        log('b listening', s2.address() === p2);
        s2.close(() => log('b closed, file exists', fs.existsSync(p2)));
      });
    });
  });
});
