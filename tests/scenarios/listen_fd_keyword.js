// listen({fd, backlog}, cb) on an inherited listening descriptor: the
// adopted listener serves several connections; 'listening' fires before the
// callback. (Node side: the body runs in a child that inherits the socket as
// fd 3; the Python twin makes the descriptor with the socket module.)
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log } = require('./_common');

function body(fd, port) {
  const net = require('net');
  const fmt = (v) => (v === true ? 'true' : v === false ? 'false' : v == null ? 'null' : String(v));
  const log = (...a) => process.stdout.write(a.map(fmt).join(' ') + '\n');
  let n = 0;
  const server = net.createServer((sock) => {
    n += 1;
    sock.end(String(n));
  });
  server.on('listening', () => log('listening event'));
  server.listen({ fd, backlog: 5 }, () => {
    log('callback', server.address().port === port);
    let done = 0;
    const got = [];
    for (let i = 0; i < 2; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.setEncoding('utf8');
      c.on('data', (d) => got.push(d));
      c.on('close', () => {
        done += 1;
        if (done === 2) {
          log('got', got.sort().join(','));
          server.close(() => log('closed'));
        }
      });
    }
  });
}

const holder = net.createServer();
holder.listen(0, '127.0.0.1', () => {
  const port = holder.address().port;
  spawn(process.execPath, ['-e', `(${body})(3, ${port})`],
    { stdio: ['ignore', 'inherit', 'inherit', { fd: holder._handle.fd }] });
  holder.close();
});
