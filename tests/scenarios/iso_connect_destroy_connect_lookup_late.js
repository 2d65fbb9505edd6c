// s.connect(); s.destroy(); s.connect() in one tick with a host name whose
// (custom) lookup answers the first call on the next turn of the loop and
// the second call only once the connection has been served: the first
// answer connects the socket (the destroyed attempt's answer is not
// discarded), the second answer is reported by 'lookup' and otherwise
// ignored. The first handle's 'close' (false, socket not destroyed) comes
// in between. Node quirk pinned here: that stale 'close' marks the new
// connection's readable side closed, so the peer's FIN never gives 'end'
// (the scenario destroys the socket itself).
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.on('data', () => sock.end('pong'));
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let calls = 0;
  let held = null;
  const lookup = (hostname, options, cb) => {
    const k = ++calls;
    log('lookup called', k, hostname);
    if (k === 1) {
      setImmediate(() => {
        log('lookup answers', k);
        cb(null, '127.0.0.1', 4);
      });
    } else {
      held = () => {
        log('lookup answers', k);
        cb(null, '127.0.0.1', 4);
        log('after answer', s.connecting, s.destroyed, s.readyState);
        setImmediate(() => {
          log('still', s.connecting, s.destroyed, s.readyState);
          s.destroy();
        });
      };
    }
  };
  const s = new net.Socket();
  s.setEncoding('utf8');
  s.on('lookup', (err, address, family, host) => log('lookup', err && err.code, address, family, host));
  s.on('connect', () => { log('connect'); s.write('ping'); });
  s.on('ready', () => log('ready'));
  s.on('data', (d) => {
    log('data', d);
    setImmediate(held);
  });
  s.on('end', () => log('end'));
  s.on('error', (e) => log('error', e.code, e.syscall, e.address, e.port === port));
  let open = true;
  s.on('close', (hadError) => {
    log('close', hadError, s.destroyed);
    if (s.destroyed && open) { open = false; server.close(); }
  });
  s.connect({ port, host: 'svc.test', family: 4, lookup });
  s.destroy();
  log('destroyed', s.destroyed, s.connecting, s.readyState);
  const r = s.connect({ port, host: 'svc.test', family: 4, lookup });
  log('second connect', r === s, s.connecting, s.destroyed, s.readyState);
});
