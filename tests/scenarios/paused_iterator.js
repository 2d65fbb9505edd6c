// Node's async iterator (greennet: `for chunk in socket` in the calling
// greenlet, here the connection listener's own strand): each chunk in turn,
// the loop ends at the peer's end and destroys the socket; `break` destroys
// it; a reset by the peer is thrown out of the loop.
'use strict';
const net = require('net');
const { log } = require('./_common');

let n = 0;
const server = net.createServer(async (sock) => {
  const id = ++n;
  sock.on('end', () => log(id, 'end'));
  sock.on('close', (hadError) => log(id, 'close', hadError));
  try {
    for await (const chunk of sock) {
      log(id, 'chunk', String(chunk), 'flowing', sock.readableFlowing, 'readable listeners', sock.listenerCount('readable'));
      if (id === 2) break;
      sock.write('ack');
    }
    log(id, 'loop done, destroyed', sock.destroyed);
  } catch (err) {
    log(id, 'loop threw', err.code, 'destroyed', sock.destroyed);
  }
});

function client(id, then) {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.write('a'));
  let acks = 0;
  c.on('data', () => {
    acks += 1;
    if (acks === 1) c.write('b');
    else if (id === 1) c.end();
    else c.resetAndDestroy();
  });
  c.on('error', (e) => log('client', id, 'error', e.code));
  c.on('close', () => { log('client', id, 'close'); then(); });
  if (id === 3) c.on('data', () => {});
}

server.listen(0, '127.0.0.1', () => {
  client(1, () => client(2, () => client(3, () => server.close())));
});
