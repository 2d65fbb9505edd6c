// new Socket({fd, readable: true, writable: false}) on a connected
// descriptor: readable but not writable; a write fails
// (ERR_STREAM_WRITE_AFTER_END, which destroys the socket); the peer then
// sees the end. (Node side: the body runs in a child that inherits the
// connected socket as fd 3.)
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const { log, channel } = require('./_common');

function body(fd) {
  const net = require('net');
  const fmt = (v) => (v === true ? 'true' : v === false ? 'false' : v == null ? 'null' : String(v));
  const log = (...a) => process.stdout.write(a.map(fmt).join(' ') + '\n');
  const s = new net.Socket({ fd, readable: true, writable: false });
  log('state', s.readable, s.writable, s.readyState);
  s.on('error', (e) => log('error', e.code));
  log('write', s.write('nope', (err) => log('write cb', err && err.code)));
  s.setEncoding('utf8');
  s.on('data', (d) => log('data', d));
  s.on('end', () => log('end'));
  s.on('close', (hadError) => log('close', hadError));
}

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.on('data', (d) => slog('unexpected data', d.length));
  sock.on('end', () => slog('end'));
  sock.on('close', () => server.close());
  setTimeout(() => sock.end('hello'), 200);
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = net.connect(port, '127.0.0.1');
  c.pause();
  c.on('connect', () => {
    spawn(process.execPath, ['-e', `(${body})(3)`],
      { stdio: ['ignore', 'inherit', 'inherit', { fd: c._handle.fd }] });
    c.destroy();
  });
});
