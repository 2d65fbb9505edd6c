// src.pipe(dst, {end: false}): data flows, but when src ends dst stays
// open and can be written and ended by hand; pipe() returns dst.
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
  const r = sock.pipe(out, { end: false });
  log('pipe returns destination', r === out);
  sock.on('end', () => {
    log('source ended, out writable', out.writable, out.writableEnded);
    out.end('+trailer');
  });
  out.on('close', () => relay.close());
});
sink.listen(0, '127.0.0.1', () => {
  relay.listen(0, '127.0.0.1', () => {
    const c = net.connect(relay.address().port, '127.0.0.1', () => {
      c.write('one,');
      c.end('two');
    });
    c.on('close', () => log('client close'));
  });
});
