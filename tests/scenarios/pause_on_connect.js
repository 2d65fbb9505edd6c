// pauseOnConnect: the accepted socket starts paused and delivers nothing,
// even with a 'data' listener, until resume().
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer({ pauseOnConnect: true }, (sock) => {
  log('connection isPaused', sock.isPaused());
  sock.setEncoding('utf8');
  let resumed = false;
  sock.on('data', (d) => {
    log('server data', d, 'resumed', resumed);
    sock.end('ok');
  });
  sock.write('go');
  setTimeout(() => {
    log('resuming', sock.isPaused());
    resumed = true;
    sock.resume();
    log('after resume', sock.isPaused());
  }, 150);
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.setEncoding('utf8');
  client.on('data', (d) => {
    log('client data', d);
    if (d === 'go') client.write('hello');
  });
  client.on('close', (hadError) => {
    log('client close', hadError);
    server.close();
  });
});
