// A line chat: what one client says, every other client hears.
//
//   node chat.js [port]
//
// Commands: /nick NAME, /who, /quit. A client is "guestN" until it picks a name.
'use strict';
const net = require('net');

const port = Number(process.argv[2] ?? 7001);
const clients = new Set();
let nextId = 1;

function broadcast(text, except) {
  for (const client of clients) {
    if (client !== except && client.writable) client.write(text);
  }
}

function handle(socket, line) {
  if (line.startsWith('/nick ')) {
    const name = line.slice(6).trim();
    if (name) {
      broadcast(`* ${socket.name} is now ${name}\n`);
      socket.name = name;
    }
  } else if (line === '/who') {
    socket.write(`* here: ${[...clients].map((c) => c.name).join(' ')}\n`);
  } else if (line === '/quit') {
    clients.delete(socket);
    socket.end('* bye\n');
  } else if (line !== '') {
    broadcast(`${socket.name}: ${line}\n`, socket);
  }
}

const server = net.createServer((socket) => {
  socket.name = `guest${nextId++}`;
  socket.setEncoding('utf8');
  socket.write(`* welcome ${socket.name}\n`);
  broadcast(`* ${socket.name} joined\n`);
  clients.add(socket);

  let pending = '';
  socket.on('data', (text) => {
    pending += text;
    let nl;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      handle(socket, line);
    }
  });
  socket.on('error', (err) => console.log(`! ${socket.name} ${err.code}`));
  socket.on('close', () => {
    clients.delete(socket);
    broadcast(`* ${socket.name} left\n`);
  });
});

server.on('error', (err) => {
  console.error(`cannot listen: ${err.code}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
