// write() on a socket that is still connecting is queued: it returns true,
// pending/connecting are true and writableLength counts it; the data is
// sent after 'connect' and the write callback runs then. Writing to a
// Socket that was never connected fails with ERR_SOCKET_CLOSED.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('got', got);
    sock.end();
  });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const lone = new net.Socket();
  lone.on('error', (e) => log('lone error', e.code));
  lone.on('close', (hadError) => log('lone close', hadError));
  log('lone write', lone.write('x', (err) => log('lone write cb', err && err.code)));

  const c = net.connect(server.address().port, '127.0.0.1');
  log('state', c.pending, c.connecting, c.readyState);
  const r1 = c.write('hello ', () => log('write cb 1', c.pending));
  const r2 = c.write(Buffer.from('world'), () => log('write cb 2'));
  log('write returns', r1, r2, 'writableLength', c.writableLength, 'bytesWritten', c.bytesWritten);
  c.on('connect', () => {
    log('connect', c.pending, c.readyState);
    c.end();
  });
  c.resume();
  c.on('close', (hadError) => log('close', hadError, c.bytesWritten));
});
