const net = require('net');
const fs = require('fs');
const {run} = require('./probe.js');
const V = require('./vals.js');
const which = process.argv[2];
(async () => {
  const srv = net.createServer(c => c.on('error', () => {})).listen(0, '127.0.0.1');
  await new Promise(r => srv.on('listening', r));
  const P = srv.address().port;
  const out = {};
  const connected = () => new Promise(r => { const c = net.connect(P, '127.0.0.1', () => r(c)); });
  for (const [name, mk] of Object.entries(V)) {
    const put = (k, v) => { (out[k] = out[k] || {})[name] = v; };
    if (which === 'socket') {
      for (const o of ['fd', 'allowHalfOpen', 'readable', 'writable', 'signal', 'onread'])
        put('Socket.' + o, await run('', () => { const s = new net.Socket({[o]: mk()}); s.destroy(); return 'ok'; }));
      put('Socket(arg)', await run('', () => { const s = new net.Socket(mk()); s.destroy(); return 'ok'; }));
    }
    if (which === 'server') {
      for (const o of ['blockList', 'highWaterMark', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', 'pauseOnConnect', 'allowHalfOpen'])
        put('createServer.' + o, await run('', () => { net.createServer({[o]: mk()}); return 'ok'; }));
      put('createServer(arg)', await run('', () => { net.createServer(mk()); return 'ok'; }));
      put('maxConnections=', await run('', () => { const s = net.createServer(); s.maxConnections = mk(); return 'ok ' + String(s.maxConnections).slice(0,20); }));
    }
    if (which === 'listen') {
      for (const o of ['port', 'host', 'backlog', 'exclusive', 'ipv6Only', 'readableAll', 'writableAll', 'signal', 'fd', 'path'])
        put('listen.' + o, await run('', () => { const o2 = {[o]: mk()}; if (!['port','fd','path'].includes(o)) o2.port = 0; if (o==='host'||o==='backlog') o2.port=0; return net.createServer().listen(o2); }));
      put('listen(arg)', await run('', () => net.createServer().listen(mk())));
      put('listen(0, arg)', await run('', () => net.createServer().listen(0, mk())));
      put('listen(0, h, arg)', await run('', () => net.createServer().listen(0, '127.0.0.1', mk())));
    }
    if (which === 'methods') {
      for (const state of ['fresh', 'connected']) {
        const get = async () => state === 'fresh' ? new net.Socket() : await connected();
        let s = await get(); s.on('error', () => {});
        put(state + '.setTimeout', await run('', () => { s.setTimeout(mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.setTimeout(0,cb)', await run('', () => { s.setTimeout(0, mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.setNoDelay', await run('', () => { s.setNoDelay(mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.setKeepAlive(x)', await run('', () => { s.setKeepAlive(mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.setKeepAlive(true,x)', await run('', () => { s.setKeepAlive(true, mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.write', await run('', () => { s.write(mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.write(s,enc)', await run('', () => { s.write('ab', mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.end', await run('', () => { s.end(mk()); return 'ok'; })); s.destroy();
        s = await get(); s.on('error', () => {});
        put(state + '.setEncoding', await run('', () => { s.setEncoding(mk()); return 'ok'; })); s.destroy();
      }
    }
  }
  console.log(JSON.stringify(out, null, 1));
  srv.close();
})();
