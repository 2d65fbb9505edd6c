// Paused mode: a 'readable' listener switches to paused mode (readableFlowing
// false); read(n) returns n bytes, read(n > buffered) null, read() the rest,
// then null; at the end 'readable' comes once more, read() is null, 'end'.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  log('connection flowing', sock.readableFlowing, 'length', sock.readableLength, 'paused', sock.isPaused());
  sock.on('readable', () => {
    log('readable length', sock.readableLength, 'ended', sock.readableEnded);
    if (sock.readableLength >= 3) {
      log('read(3)', String(sock.read(3)));
      log('read(100)', sock.read(100));
      log('length', sock.readableLength);
    }
    let chunk;
    while ((chunk = sock.read()) !== null) log('read()', String(chunk));
    log('read() null, length', sock.readableLength);
    if (!sock.readableEnded && sock.writable) sock.write('ack');
  });
  log('flowing', sock.readableFlowing, 'paused', sock.isPaused());
  sock.on('end', () => log('end'));
  sock.on('close', () => { log('close'); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.write('hello'));
  let acks = 0;
  client.on('data', () => {
    acks += 1;
    if (acks === 1) client.write('world');
    else client.end();
  });
});
