// unpipe(dst) stops forwarding and pauses the source; data written after
// that stays with the source until it is read directly.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('sink');
const sink = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => slog('sink got', got));
  sock.on('close', () => sink.close());
});
const relay = net.createServer((sock) => {
  const out = net.connect(sink.address().port, '127.0.0.1');
  sock.pipe(out);
  sock.once('data', (d) => {
    const r = sock.unpipe(out);
    log('unpipe returns source', r === sock, 'isPaused', sock.isPaused());
    out.end();
    sock.setEncoding('utf8');
    sock.on('data', (d2) => log('read directly', d2));
    sock.resume();
    sock.write('go');
  });
  sock.on('end', () => log('source end'));
  sock.on('close', () => relay.close());
});
sink.listen(0, '127.0.0.1', () => {
  relay.listen(0, '127.0.0.1', () => {
    const c = net.connect(relay.address().port, '127.0.0.1', () => c.write('piped'));
    c.setEncoding('utf8');
    c.on('data', (d) => {
      if (d === 'go') c.end('direct');
    });
  });
});
