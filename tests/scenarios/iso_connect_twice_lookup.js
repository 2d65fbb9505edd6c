// connect() again, in the same tick, on a socket that is still connecting,
// to a host name (custom lookup answering on the next turn of the loop):
// two lookups, two answers, the second attempt fails with EALREADY:
// 'error' then 'close' true, no 'connect'.
// connect() neither throws nor returns anything but the socket.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const MODE = 'lookup';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-'));
const sockPath = path.join(dir, 'twice.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const peers = new Set();
const server = net.createServer((sock) => {
  peers.add(sock);
  sock.on('error', () => {});
  sock.on('data', () => sock.end('pong'));
});
const where = MODE === 'unix' ? [sockPath] : [0, '127.0.0.1'];
server.listen(...where, () => {
  const port = server.address().port;
  const lookup = (hostname, options, cb) => {
    log('lookup called', hostname);
    setImmediate(cb, null, '127.0.0.1', 4);
  };
  const target = MODE === 'unix' ? () => [sockPath]
    : MODE === 'ip' ? () => [port, '127.0.0.1']
      : () => [{ port, host: 'svc.test', family: 4, lookup }];
  const s = new net.Socket();
  s.setEncoding('utf8');
  s.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
  s.on('connect', () => { log('connect'); s.write('ping'); });
  s.on('ready', () => log('ready'));
  s.on('data', (d) => log('data', d));
  s.on('end', () => log('end'));
  s.on('error', (e) => log('error', e.code, e.syscall,
                          e.address === (MODE === 'unix' ? sockPath : '127.0.0.1'),
                          MODE === 'unix' ? e.port : e.port === port));
  s.on('close', (hadError) => {
    log('close', hadError, s.destroyed);
    for (const p of peers) p.destroy();
    server.close();
  });
  s.connect(...target());
  log('first connect', s.connecting, s.readyState);
  try {
    const r = s.connect(...target());
    log('second connect returns socket', r === s, s.connecting, s.destroyed, s.readyState);
  } catch (e) {
    log('second connect throws', e.code);
  }
});
