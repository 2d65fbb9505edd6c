// connecting / pending / readyState / destroyed / writableLength through a
// socket's life: new, connecting (writes buffered), open, ended, closed.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.resume();
  sock.on('end', () => sock.end());
});
server.listen(0, '127.0.0.1', () => {
  const s = new net.Socket();
  const show = (label) => log(label, s.connecting, s.pending, s.readyState, s.destroyed,
    s.writableLength, s.bufferSize);
  show('new');
  const r = s.connect(server.address().port, '127.0.0.1');
  log('connect returns socket', r === s);
  show('connecting');
  s.write('hello');
  show('buffered');
  s.on('connect', () => {
    show('connect');
    s.end();
    show('ended');
  });
  s.on('ready', () => show('ready'));
  s.on('finish', () => show('finish'));
  s.on('end', () => show('end'));
  s.resume();
  s.on('close', (hadError) => {
    show('close');
    log('hadError', hadError);
    server.close();
  });
});
