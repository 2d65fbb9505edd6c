// Node line-protocol KV server: 'data' with a manual '\n' splitter (no readline),
// one write per response.  SET k v -> OK   GET k -> value or NIL   else -> ERR
// Usage: node node_lines.js PORT [HOST]
'use strict';
const net = require('net');
const port = Number(process.argv[2]);
const host = process.argv[3] || '127.0.0.1';
const store = new Map();

function answer(line) {
  line = line.trim();
  const sp = line.indexOf(' ');
  const cmd = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  const sp2 = rest.indexOf(' ');
  const key = sp2 < 0 ? rest : rest.slice(0, sp2);
  const value = sp2 < 0 ? '' : rest.slice(sp2 + 1);
  if (cmd === 'GET' && key) return (store.has(key) ? store.get(key) : 'NIL') + '\n';
  if (cmd === 'SET' && key) { store.set(key, value); return 'OK\n'; }
  return 'ERR\n';
}

net.createServer((c) => {
  c.on('error', () => {}); // a peer's reset must not crash the server
  c.setEncoding('latin1');
  let pending = '';
  c.on('data', (data) => {
    if (pending) data = pending + data;
    let start = 0;
    let nl;
    while ((nl = data.indexOf('\n', start)) >= 0) {
      c.write(answer(data.slice(start, nl)), 'latin1');
      start = nl + 1;
    }
    pending = data.slice(start);
  });
}).listen({ port, host, backlog: 1024 });
