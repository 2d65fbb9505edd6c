// ipv6Only: a server on '::' with ipv6Only does not take IPv4 connections
// (and leaves the IPv4 port free); without it, '::' is dual-stack.
'use strict';
const net = require('net');
const { log } = require('./_common');

const s = net.createServer((sock) => sock.end('v6'));
// A port free for IPv4 as well: port 0 on '::' with ipv6Only may pick one an
// IPv4 socket of another test still holds, and the IPv4 listen below would fail.
const probe = net.createServer();
probe.listen(0, '0.0.0.0', () => {
  const free = probe.address().port;
  probe.close(() => s.listen({ port: free, host: '::', ipv6Only: true }, onListening));
});

function onListening() {
  const port = s.address().port;
  log('listening', s.address().address, s.address().family);
  const c4 = net.connect(port, '127.0.0.1');
  c4.on('connect', () => log('unexpected v4 connect'));
  c4.on('error', (e) => {
    log('v4 error', e.code);
    const v4 = net.createServer();
    v4.listen(port, '0.0.0.0', () => {
      log('v4 server on same port', v4.address().port === port);
      v4.close(() => {
        const c6 = net.connect(port, '::1');
        c6.setEncoding('utf8');
        c6.on('data', (d) => log('v6 data', d));
        c6.on('close', () => s.close(() => {
          const dual = net.createServer((sock) => sock.end('dual'));
          dual.listen(0, '::', () => {
            const c = net.connect(dual.address().port, '127.0.0.1');
            c.setEncoding('utf8');
            c.on('data', (d) => log('dual data', d));
            c.on('close', () => dual.close());
          });
        }));
      });
    });
  });
}
