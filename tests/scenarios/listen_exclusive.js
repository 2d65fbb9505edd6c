// The exclusive option is accepted by listen() (true and false) on TCP
// and on a unix socket; the servers listen and serve.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 'x.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const a = net.createServer((s) => s.end('a'));
const b = net.createServer((s) => s.end('b'));
const u = net.createServer((s) => s.end('u'));
function fetch(opts, cb) {
  const c = net.connect(opts);
  c.setEncoding('utf8');
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('close', () => cb(got));
}
a.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
  log('a listening', a.address().family);
  b.listen({ port: 0, host: '127.0.0.1', exclusive: false }, () => {
    log('b listening', b.address().family);
    u.listen({ path: sockPath, exclusive: true }, () => {
      log('u listening', u.address() === sockPath);
      fetch({ port: a.address().port, host: '127.0.0.1' }, (ga) => {
        fetch({ port: b.address().port, host: '127.0.0.1' }, (gb) => {
          fetch({ path: sockPath }, (gu) => {
            log('got', ga, gb, gu);
            a.close(); b.close(); u.close(() => log('all closed'));
          });
        });
      });
    });
  });
});
