// An echo server: every byte a client sends comes back.
//
//   node echo.js [port] [idle_ms]     (port 0: any free port; it prints the one it got)
//
// An idle client is told so and let go after idle_ms; SIGTERM stops taking
// connections, ends every open one, and gives them 2 s before they are cut.
'use strict';
const net = require('net');

const port = Number(process.argv[2] ?? 7000);
const idleMs = Number(process.argv[3] ?? 30000);
const sockets = new Set();

const server = net.createServer({ noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  sockets.add(socket);
  console.log(`+ ${peer}`);
  socket.setTimeout(idleMs);
  socket.on('timeout', () => socket.end('idle, bye\n'));
  socket.on('data', (data) => {
    if (!socket.write(data)) {      // the client reads slower than it writes:
      socket.pause();               // stop reading until what we wrote has gone
    }
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', (err) => console.log(`! ${peer} ${err.code}`));
  socket.on('close', () => {
    sockets.delete(socket);
    console.log(`- ${peer}`);
  });
});

server.on('error', (err) => {
  console.error(`cannot listen: ${err.code}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});

process.on('SIGTERM', () => {
  console.log('stopping');
  server.close();
  for (const socket of sockets) socket.end();
  setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, 2000).unref();
});
