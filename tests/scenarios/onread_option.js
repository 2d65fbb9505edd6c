// The onread option: incoming data goes into the given buffer and to the
// callback (nread, buf), not to 'data'; returning false pauses the socket.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    if (d === 'first') sock.write('hello');
    else if (d === 'second') sock.end('world');
  });
});
server.listen(0, '127.0.0.1', () => {
  const buffer = Buffer.alloc(16);
  let calls = 0;
  const c = net.connect({
    port: server.address().port,
    host: '127.0.0.1',
    onread: {
      buffer,
      callback: (nread, buf) => {
        calls += 1;
        log('onread', nread, buf === buffer, buf.toString('utf8', 0, nread));
        if (calls === 1) {
          setTimeout(() => {
            log('resume after pause', c.isPaused());
            c.resume();
            c.write('second');
          }, 100);
          return false;
        }
        return true;
      },
    },
  }, () => c.write('first'));
  c.on('data', () => log('unexpected data event'));
  c.on('end', () => log('end'));
  c.on('close', (hadError) => {
    log('close', hadError, c.bytesRead);
    server.close();
  });
});
