// The options a custom lookup receives for family 0, 4 and 6, with and
// without a hints option (Node 20 asks for all addresses when family is 0).
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => sock.resume());
const cases = [
  { family: 0 },
  { family: 4 },
  { family: 6 },
  { family: 4, hints: 32 },
  { family: 0, hints: 1024 },
];
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  let i = 0;
  const next = () => {
    if (i === cases.length) { server.close(); return; }
    const opts = cases[i];
    i += 1;
    const lookup = (hostname, options, cb) => {
      log('lookup', JSON.stringify(opts), 'got', Object.keys(options).sort()
        .map((k) => `${k}=${options[k]}`).join(','));
      if (options.all) setImmediate(cb, null, [{ address: '127.0.0.1', family: 4 }]);
      else setImmediate(cb, null, '127.0.0.1', 4);
    };
    const c = net.connect({ port, host: 'svc.test', lookup, ...opts });
    c.on('connect', () => { log('connect', c.remoteAddress); c.end(); });
    c.on('error', (e) => log('error', e.code));
    c.on('close', next);
  };
  next();
});
