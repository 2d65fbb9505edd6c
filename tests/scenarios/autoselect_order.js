// autoSelectFamily (the default) with a lookup answering several addresses:
// 'lookup' for each answer (invalid ones and duplicates too), then one
// attempt at a time, each valid address once, the families alternating from
// the first's: refused ones report 'connectionAttemptFailed' and the next is
// tried, until 'connect'. autoSelectFamilyAttemptedAddresses lists them.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => sock.end());
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const answers = [
    { address: '127.0.0.2', family: 4 },
    { address: 'not-an-ip', family: 4 },
    { address: '127.0.0.3', family: 4 },
    { address: '127.0.0.2', family: 4 },
    { address: '::1', family: 6 },
    { address: '127.0.0.4', family: 5 },
    { address: '127.0.0.1', family: 4 },
  ];
  const lookup = (hostname, options, cb) => {
    log('lookup called', hostname, options.all, options.family, options.hints);
    setImmediate(cb, null, answers);
  };
  const s = net.connect({ port, host: 'multi.test', lookup });
  log('attempted before lookup', s.autoSelectFamilyAttemptedAddresses);
  s.on('lookup', (err, address, family, host) => log('lookup', err, address, family, host));
  s.on('connectionAttempt', (ip, p, family) => log('attempt', ip, p === port, family, s.connecting));
  s.on('connectionAttemptFailed', (ip, p, family, e) =>
    log('attempt failed', ip, p === port, family, e.code, e.syscall, e.address, e.port === port));
  s.on('connectionAttemptTimeout', (ip) => log('attempt timeout', ip));
  s.on('connect', () => log('connect', s.remoteAddress, s.remotePort === port, s.connecting));
  s.on('ready', () => log('ready'));
  s.on('error', (e) => log('error', e.code));
  s.resume();
  s.on('close', (hadError) => {
    log('close', hadError);
    log('attempted', s.autoSelectFamilyAttemptedAddresses.map((a) => a.replace(':' + port, ':PORT')).join(' '));
    server.close();
  });
});
