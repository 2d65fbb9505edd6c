// connect() forms: (port, host, cb), ({port, host}, cb), (port-as-string,
// host), createConnection alias, new Socket().connect(...), and connect
// with no host (defaults to localhost).
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.end('ok');
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const forms = [
    ['(port, host, cb)', (cb) => net.connect(port, '127.0.0.1', cb)],
    ['({port, host}, cb)', (cb) => net.connect({ port, host: '127.0.0.1' }, cb)],
    ["('port', host)", (cb) => net.connect(String(port), '127.0.0.1').once('connect', cb)],
    ['createConnection', (cb) => net.createConnection(port, '127.0.0.1', cb)],
    ['Socket().connect', (cb) => new net.Socket().connect({ port, host: '127.0.0.1' }, cb)],
    ['(port) only', (cb) => net.connect(port, cb)],
  ];
  const next = (i) => {
    if (i === forms.length) { server.close(); return; }
    const [label, make] = forms[i];
    const s = make(() => log(label, 'connect', s.remoteAddress, s.remotePort === port));
    log(label, 'is Socket', s instanceof net.Socket);
    s.resume();
    s.on('close', () => next(i + 1));
  };
  next(0);
});
