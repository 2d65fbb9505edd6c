// Paused mode after setEncoding(): it decodes what is already
// buffered; readableLength and read(n) count characters; a character split
// across chunks waits for its end; the decoder's tail is read at the end.
'use strict';
const net = require('net');
const { log } = require('./_common');

const codes = (s) => [...s].map((c) => c.codePointAt(0).toString(16)).join(' ');

const server = net.createServer((sock) => {
  let step = 0;
  sock.on('readable', () => {
    step += 1;
    log('readable', step, 'length', sock.readableLength);
    if (step === 1) {
      sock.setEncoding('utf8');
      log('setEncoding length', sock.readableLength);
      log('read()', codes(sock.read()));
    } else if (step === 2) {
      log('read(2)', codes(sock.read(2)));
      log('read()', codes(sock.read()));
    } else {
      let chunk;
      while ((chunk = sock.read()) !== null) log('read()', codes(chunk));
      log('read() null');
      return;
    }
    sock.write('ack');
  });
  sock.on('end', () => log('end'));
  sock.on('close', () => { log('close'); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.write(Buffer.from([0x68, 0xc3])));
  let acks = 0;
  client.on('data', () => {
    acks += 1;
    if (acks === 1) client.write(Buffer.from([0xa9, 0x6c, 0x6c, 0x6f]));
    else client.end(Buffer.from([0xe2, 0x82]));
  });
});
