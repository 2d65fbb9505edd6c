// Switching modes as Node's stream.Readable: a 'data' listener makes the
// stream flow ('resume'); a 'readable' listener pauses it (flowing false,
// read() emits 'data' too); resume() with 'readable' on keeps it paused;
// removing the 'readable' listener lets the 'data' listener flow again.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('resume', () => log('resume event flowing', sock.readableFlowing));
  sock.on('pause', () => log('pause event flowing', sock.readableFlowing));
  let n = 0;
  const onReadable = () => {
    log('readable length', sock.readableLength, 'flowing', sock.readableFlowing);
    const chunk = sock.read();
    log('read() returned', chunk === null ? null : String(chunk));
    if (chunk === null) return;
    sock.resume();
    log('after resume() flowing', sock.readableFlowing, 'paused', sock.isPaused());
    sock.removeListener('readable', onReadable);
    log('readable removed, flowing', sock.readableFlowing);
    sock.write('ack');
  };
  sock.on('data', (d) => {
    n += 1;
    log('data', String(d), 'flowing', sock.readableFlowing);
    if (n === 1) {
      sock.on('readable', onReadable);
      log('readable added, flowing', sock.readableFlowing, 'paused', sock.isPaused());
      sock.write('ack');
    } else if (n === 3) {
      sock.pause();
      log('paused', sock.isPaused(), 'flowing', sock.readableFlowing);
      sock.resume();
      sock.write('ack');
    }
  });
  log('flowing', sock.readableFlowing);
  sock.on('end', () => log('end'));
  sock.on('close', () => { log('close'); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.write('a'));
  let acks = 0;
  client.on('data', () => {
    acks += 1;
    if (acks === 1) client.write('b');
    else if (acks === 2) client.write('c');
    else client.end();
  });
});
