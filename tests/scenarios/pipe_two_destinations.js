// One source piped into two destinations: both receive every byte and are
// ended when the source ends; each pipe() returns its destination.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('sink');
const got = [];
let sinkClosed = 0;
const sink = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let all = '';
  sock.on('data', (d) => { all += d; });
  sock.on('end', () => got.push(all));
  sock.on('close', () => {
    sinkClosed += 1;
    if (sinkClosed === 2) {
      slog('both got', got.join(' | '));
      sink.close();
      relay.close();
    }
  });
});
const relay = net.createServer((sock) => {
  const a = net.connect(sink.address().port, '127.0.0.1');
  const b = net.connect(sink.address().port, '127.0.0.1');
  log('pipe returns destinations', sock.pipe(a) === a, sock.pipe(b) === b);
});
sink.listen(0, '127.0.0.1', () => {
  relay.listen(0, '127.0.0.1', () => {
    const c = net.connect(relay.address().port, '127.0.0.1', () => {
      c.write('alpha,');
      setTimeout(() => c.end('beta'), 50);
    });
    c.on('close', () => log('client close'));
  });
});
