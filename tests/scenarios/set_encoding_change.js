// setEncoding() without an argument and with null means utf8; it returns
// the socket; the encoding can be changed between 'data' events; an unknown
// encoding throws ERR_UNKNOWN_ENCODING; names are case-insensitive.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

const chunks = ['h\u00e9', 'h\u00e9', 'h\u00e9', 'h\u00e9'];
const server = net.createServer((sock) => {
  let i = 0;
  sock.on('data', () => {
    if (i === chunks.length) { sock.end(); return; }
    sock.write(chunks[i]);
    i += 1;
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  thrown('setEncoding bogus', () => c.setEncoding('bogus'));
  log('setEncoding() returns socket', c.setEncoding() === c);
  const plan = [null, 'HEX', 'Latin1', 'UTF-8'];
  let n = 0;
  c.on('data', (d) => {
    log('data', n, typeof d, d);
    n += 1;
    if (n < plan.length) c.setEncoding(plan[n]);
    c.write('next');
  });
  c.on('connect', () => { c.setEncoding(plan[0]); c.write('go'); });
  c.on('end', () => log('end'));
  c.on('close', () => server.close());
});
