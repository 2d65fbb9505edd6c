// One address: the attempt is Node's single connect, yet it reports
// 'connectionAttempt' (an IP host, a lookup answering one valid address,
// a path: family undefined, inside connect()) and, when refused, 'connectionAttemptFailed'
// before 'error'; autoSelectFamilyAttemptedAddresses stays undefined.
// A lookup answering one address where autoSelectFamily asked for all of
// them ('::1' is then three answers, none valid), or a list where it did
// not, fails with ERR_INVALID_IP_ADDRESS.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('./_common');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-as-'));
const sockPath = path.join(dir, 'one.sock');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const server = net.createServer((sock) => sock.end());
const pipeServer = net.createServer((sock) => sock.end());
server.listen(0, '127.0.0.1', () => pipeServer.listen(sockPath, () => {
  const port = server.address().port;
  const cases = [
    ['ip', (s) => s.connect(port, '127.0.0.1')],
    ['one answer', (s) => s.connect({ port, host: 'one.test', lookup: (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.1', family: 4 }]) })],
    ['refused', (s) => s.connect(port, '127.0.0.5')],
    ['pipe', (s) => s.connect(sockPath)],
    ['string for all', (s) => s.connect({ port, host: 'str.test', lookup: (h, o, cb) => setImmediate(cb, null, '::1', 6) })],
    ['list for one', (s) => s.connect({ port, host: 'list.test', autoSelectFamily: false, lookup: (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.1', family: 4 }]) })],
  ];
  const next = () => {
    const c = cases.shift();
    if (!c) {
      server.close();
      pipeServer.close();
      return;
    }
    const [name, open] = c;
    const s = new net.Socket();
    s.on('lookup', (err, address, family, host) => log(name, 'lookup', err, Array.isArray(address) ? 'LIST' : address, family, host));
    s.on('connectionAttempt', (ip, p, family) =>
      log(name, 'attempt', ip === sockPath ? 'PATH' : ip, p === port ? 'PORT' : p, family));
    s.on('connectionAttemptFailed', (ip, p, family, e) => log(name, 'attempt failed', ip, p === port, family, e.code));
    s.on('connect', () => log(name, 'connect'));
    s.on('error', (e) => log(name, 'error', e.code));
    s.resume();
    open(s);
    s.on('close', (hadError) => {
      log(name, 'close', hadError, s.autoSelectFamilyAttemptedAddresses);
      next();
    });
  };
  next();
}));
