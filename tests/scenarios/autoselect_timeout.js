// An attempt that never answers (autoselect_hole: a full listen queue on
// 127.0.0.2) ends after autoSelectFamilyAttemptTimeout ms (here 1, raised to
// Node's minimum of 10) with 'connectionAttemptTimeout', and the next address
// is tried. When every attempt fails, 'error' is an AggregateError whose code
// is the first attempt's (ETIMEDOUT for one that timed out), with each
// attempt's error in `errors`, and an empty message.
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log } = require('./_common');

const server = net.createServer((sock) => sock.end());
const hole = spawn('python3', ['autoselect_hole.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
hole.stdout.once('data', (ready) => server.listen(Number(String(ready).split(' ')[1]), '127.0.0.1', () => {
  const port = server.address().port;
  {
    const trace = (name, s) => {
      s.on('lookup', (err, address) => log(name, 'lookup', address));
      s.on('connectionAttempt', (ip, p, family) => log(name, 'attempt', ip, p === port, family));
      s.on('connectionAttemptFailed', (ip, p, family, e) => log(name, 'attempt failed', ip, family, e.code));
      s.on('connectionAttemptTimeout', (ip, p, family) => log(name, 'attempt timeout', ip, p === port, family));
      s.on('connect', () => log(name, 'connect', s.remoteAddress));
      s.on('error', (e) => {
        log(name, 'error', e.constructor.name, e.code, e.message === '', e.errors.length);
        for (const x of e.errors) log(name, '  ', x.code, x.syscall, x.address, x.port === port);
      });
      s.resume();
    };
    const a = net.connect({
      port, host: 'slow.test', autoSelectFamilyAttemptTimeout: 1,
      lookup: (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]),
    });
    trace('a', a);
    a.on('close', (hadError) => {
      log('a close', hadError, a.autoSelectFamilyAttemptedAddresses.length);
      const b = net.connect({
        port, host: 'dead.test', autoSelectFamilyAttemptTimeout: 10,
        lookup: (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 4 }]),
      });
      trace('b', b);
      b.on('close', (hadError) => {
        log('b close', hadError, b.autoSelectFamilyAttemptedAddresses.length);
        hole.stdin.end();
        server.close();
      });
    });
  }
}));
