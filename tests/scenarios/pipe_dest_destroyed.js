// src.pipe(dst) where dst is destroyed mid-way: the pipe is undone when dst
// closes, src stops flowing (paused); src can still be read by hand.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

let client;
const sink = net.createServer((sock) => {
  sock.setEncoding('utf8');
  sock.on('data', (d) => log('sink data', d));
  sock.on('error', () => {});
  sock.on('close', () => sink.close());
});
const relay = net.createServer((sock) => {
  const out = net.connect(sink.address().port, '127.0.0.1');
  sock.pipe(out);
  sock.once('data', () => {
    out.destroy();
    log('out destroyed', out.destroyed);
  });
  out.on('close', (hadError) => {
    log('out close', hadError, 'source paused', sock.isPaused(), sock.readableFlowing);
    sock.setEncoding('utf8');
    sock.on('data', (d) => log('by hand', d));
    sock.on('end', () => log('source end'));
    sock.on('close', () => relay.close());
    sock.resume();
    client.end('second');
  });
});
sink.listen(0, '127.0.0.1', () => {
  relay.listen(0, '127.0.0.1', () => {
    client = net.connect(relay.address().port, '127.0.0.1', () => client.write('first'));
    client.resume();
    client.on('close', () => log('client close'));
  });
});
