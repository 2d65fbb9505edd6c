// end(data, cb) and end(cb): the callback runs after 'finish' and before
// 'close'; end() returns the socket.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const a = net.connect(port, '127.0.0.1', () => {
    const r = a.end('bye', (err) => log('a end cb', err));
    log('a end returns socket', r === a, a.writableEnded, a.writableFinished);
  });
  a.resume();
  a.on('finish', () => log('a finish'));
  a.on('close', (hadError) => {
    log('a close', hadError);
    const b = net.connect(port, '127.0.0.1', () => {
      b.end(() => log('b end cb'));
    });
    b.resume();
    b.on('finish', () => log('b finish'));
    b.on('close', (hadError2) => {
      log('b close', hadError2);
      server.close();
    });
  });
});
