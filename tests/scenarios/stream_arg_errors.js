// write() / end() / setEncoding() argument errors: bad chunk types and
// unknown encodings are thrown at the call; the socket stays usable.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => log('server got', got));
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    thrown('write(123)', () => c.write(123));
    thrown('write(null)', () => c.write(null));
    thrown('write({})', () => c.write({}));
    thrown('write(true)', () => c.write(true));
    thrown("write('x', 'bogus')", () => c.write('x', 'bogus'));
    thrown('end(123)', () => c.end(123));
    thrown("setEncoding('bogus')", () => c.setEncoding('bogus'));
    log('still writable', c.writable, c.destroyed);
    c.end('fine');
  });
  c.on('error', (e) => log('error event', e.code));
  c.resume();
  c.on('close', (hadError) => log('close', hadError));
});
