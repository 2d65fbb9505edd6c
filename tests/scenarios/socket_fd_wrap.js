// new Socket({fd}) wrapping an already connected TCP descriptor: it is
// open at once (not pending, not connecting), knows its peer, reads and
// writes; end() and the peer's end close it. (Node side: the body runs in a
// child that inherits the connected socket as fd 3; the Python twin makes
// the descriptor with the socket module.)
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log, channel } = require('./_common');

function body(fd, port) {
  const net = require('net');
  const fmt = (v) => (v === true ? 'true' : v === false ? 'false' : v == null ? 'null' : String(v));
  const log = (...a) => process.stdout.write(a.map(fmt).join(' ') + '\n');
  const s = new net.Socket({ fd });
  log('state', s.pending, s.connecting, s.readyState, s.readable, s.writable);
  log('peer', s.remoteAddress, s.remotePort === port, s.remoteFamily, s.localAddress);
  s.on('connect', () => log('unexpected connect'));
  s.setEncoding('utf8');
  s.on('data', (d) => {
    log('data', d);
    s.end('bye');
  });
  s.on('end', () => log('end'));
  s.on('finish', () => log('finish'));
  s.on('close', (hadError) => log('close', hadError, s.bytesRead, s.bytesWritten));
  log('write', s.write('ping'));
}

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  sock.on('data', (d) => { slog('data', d); if (d === 'ping') sock.write('pong'); });
  sock.on('end', () => { slog('end'); sock.end(); });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = net.connect(port, '127.0.0.1');
  c.pause();
  c.on('connect', () => {
    spawn(process.execPath, ['-e', `(${body})(3, ${port})`],
      { stdio: ['ignore', 'inherit', 'inherit', { fd: c._handle.fd }] });
    c.destroy();
  });
});
