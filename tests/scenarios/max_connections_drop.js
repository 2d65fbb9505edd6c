// maxConnections: a connection beyond the limit is closed at once and the
// server emits 'drop' with its addresses; the dropped client sees end/close.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const slog = channel('server');
const server = net.createServer((sock) => {
  slog('connection');
  sock.resume();
  sock.on('close', () => server.close(() => slog('closed')));
});
server.maxConnections = 1;
log('maxConnections', server.maxConnections);
server.on('drop', (data) => {
  slog('drop', data.localAddress, data.localPort === server.address().port, data.localFamily,
    data.remoteAddress, typeof data.remotePort, data.remoteFamily);
  first.end();
});
let first;
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  first = net.connect(port, '127.0.0.1', () => {
    log('first connect');
    const second = net.connect(port, '127.0.0.1', () => log('second connect'));
    second.on('error', (e) => log('second error', e.code));
    second.on('data', (d) => log('second data', d.length));
    second.on('end', () => log('second end'));
    second.on('close', (hadError) => log('second close'));
  });
  first.resume();
});
