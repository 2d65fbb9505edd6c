// Node echo server: net.createServer(c => c.pipe(c)).
// Usage: node node_pipe.js PORT [HOST]
'use strict';
const net = require('net');
const port = Number(process.argv[2]);
const host = process.argv[3] || '127.0.0.1';
net.createServer((c) => {
  c.on('error', () => {}); // a peer's reset must not crash the server
  c.pipe(c);
}).listen({ port, host, backlog: 1024 });
