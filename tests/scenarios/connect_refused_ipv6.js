// Connecting to a closed port on ::1 fails with ECONNREFUSED carrying
// address ::1, the port and syscall connect; then 'close' with hadError true.
'use strict';
const net = require('net');
const { log } = require('./_common');

const probe = net.createServer();
probe.listen(0, '::1', () => {
  const port = probe.address().port;
  probe.close(() => {
    const c = net.connect({ port, host: '::1' });
    c.on('lookup', () => log('unexpected lookup'));
    c.on('connect', () => log('unexpected connect'));
    c.on('error', (e) => log('error', e.code, e.syscall, e.address, e.port === port));
    c.on('close', (hadError) => log('close', hadError, c.remoteAddress, c.connecting));
  });
});
