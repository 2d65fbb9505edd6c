// listen({fd}) on an inherited, already listening descriptor: the server
// adopts it (same address), emits 'listening' and accepts connections.
// Node cannot make a raw listening fd that no handle watches, so the body
// runs in a child process that inherits the listening socket as fd 3 (the
// Python twin makes the descriptor with the socket module instead).
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log } = require('./_common');

function body(fd, port) {
  const net = require('net');
  const fmt = (v) => (v === true ? 'true' : v === false ? 'false' : v == null ? 'null' : String(v));
  const log = (...a) => process.stdout.write(a.map(fmt).join(' ') + '\n');
  const server = net.createServer((sock) => {
    log('server connection', sock.remoteAddress);
    sock.end('hi from fd');
  });
  const r = server.listen({ fd }, () => {
    const a = server.address();
    log('listening', server.listening, a.address, a.family, a.port === port);
    const c = net.connect(a.port, '127.0.0.1');
    c.setEncoding('utf8');
    c.on('data', (d) => log('client data', d));
    c.on('end', () => log('client end'));
    c.on('close', (hadError) => {
      log('client close', hadError);
      server.close(() => log('server closed'));
    });
  });
  log('listen returns server', r === server, 'listening now', server.listening);
}

const holder = net.createServer();
holder.listen(0, '127.0.0.1', () => {
  const port = holder.address().port;
  spawn(process.execPath, ['-e', `(${body})(3, ${port})`],
    { stdio: ['ignore', 'inherit', 'inherit', { fd: holder._handle.fd }] });
  holder.close();
});
