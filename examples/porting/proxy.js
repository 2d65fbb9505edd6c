// A TCP proxy: each client gets its own connection to the upstream server,
// and bytes flow both ways, with back-pressure and half-close.
//
//   node proxy.js PORT UPSTREAM_PORT [UPSTREAM_HOST]
'use strict';
const net = require('net');

const [port, upstreamPort, upstreamHost = '127.0.0.1'] = process.argv.slice(2);
if (upstreamPort === undefined) {
  console.error('usage: node proxy.js PORT UPSTREAM_PORT [UPSTREAM_HOST]');
  process.exit(2);
}

const server = net.createServer({ allowHalfOpen: true }, (client) => {
  const upstream = net.connect({
    port: Number(upstreamPort),
    host: upstreamHost,
    allowHalfOpen: true,
  });
  // Written before the upstream connection is up: the socket holds it until then.
  client.pipe(upstream);
  upstream.pipe(client);

  // pipe() carries data and the end, not errors: one failing side takes the other down.
  client.on('error', (err) => {
    console.log(`! client ${err.code}`);
    upstream.destroy();
  });
  upstream.on('error', (err) => {
    console.log(`! upstream ${err.code}`);
    client.destroy();
  });
  upstream.on('connect', () => {
    console.log(`${client.remotePort} -> ${upstream.localPort} -> ${upstream.remotePort}`);
  });
});

server.on('error', (err) => {
  console.error(`cannot listen: ${err.code}`);
  process.exit(1);
});

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
