// pause() / resume() / isPaused(): while paused no 'data' is emitted, the
// data is held and delivered in full on resume(); both return the socket.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
  sock.once('data', () => sock.end('held data'));
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  log('isPaused new', client.isPaused());
  client.setEncoding('utf8');
  let paused = false;
  client.on('data', (d) => log('data', d, 'while paused', paused));
  log('isPaused with listener', client.isPaused());
  const r = client.pause();
  paused = true;
  log('pause returns socket', r === client, client.isPaused());
  client.on('connect', () => client.write('x'));
  client.on('end', () => log('end'));
  setTimeout(() => {
    paused = false;
    const r2 = client.resume();
    log('resume returns socket', r2 === client, client.isPaused());
  }, 200);
  client.on('close', (hadError) => {
    log('close', hadError);
    server.close();
  });
});
