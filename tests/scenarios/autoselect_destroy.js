// destroy() while an attempt of several is under way (to autoselect_hole's
// address, which never answers): the attempt is canceled: its
// 'connectionAttemptFailed' (ECANCELED) comes after 'error' and before
// 'close', and no other address is tried.
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log } = require('./_common');

const server = net.createServer((sock) => sock.end());
const hole = spawn('python3', ['autoselect_hole.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
hole.stdout.once('data', (ready) => server.listen(Number(String(ready).split(' ')[1]), '127.0.0.1', () => {
  const port = server.address().port;
  {
    const lookup = (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]);
    const trace = (name, s, withError) => {
      s.on('connectionAttempt', (ip) => {
        log(name, 'attempt', ip);
        setImmediate(() => {
          log(name, 'destroying');
          s.destroy(withError ? new Error('stop') : undefined);
          log(name, 'destroyed', s.destroyed, s.connecting);
        });
      });
      s.on('connectionAttemptFailed', (ip, p, family, e) =>
        log(name, 'attempt failed', ip, p === port, family, e.code, e.syscall, e.address));
      s.on('connectionAttemptTimeout', (ip) => log(name, 'attempt timeout', ip));
      s.on('connect', () => log(name, 'connect'));
      s.on('error', (e) => log(name, 'error', e.message));
    };
    const a = net.connect({ port, host: 'slow.test', autoSelectFamilyAttemptTimeout: 5000, lookup });
    trace('a', a, false);
    a.on('close', (hadError) => {
      log('a close', hadError, a.autoSelectFamilyAttemptedAddresses.join(' ').split(':' + port).join(''));
      const b = net.connect({ port, host: 'slow.test', autoSelectFamilyAttemptTimeout: 5000, lookup });
      trace('b', b, true);
      b.on('close', (hadError) => {
        log('b close', hadError);
        hole.stdin.end();
        server.close();
      });
    });
  }
}));
