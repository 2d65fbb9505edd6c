const net = require('net');
const {run} = require('./probe.js');
const V = require('./vals.js');
const only = process.argv[2] ? process.argv[2].split(',') : null;
const OPTS = ['port','host','localAddress','localPort','family','hints','lookup','timeout','noDelay','keepAlive',
  'keepAliveInitialDelay','blockList','autoSelectFamily','autoSelectFamilyAttemptTimeout','onread','allowHalfOpen','signal','path','fd','readable','writable'];
(async () => {
  const srv = net.createServer(c => c.destroy()).listen(0, '127.0.0.1');
  await new Promise(r => srv.on('listening', r));
  const P = srv.address().port;
  const out = {};
  for (const opt of OPTS) {
    if (only && !only.includes(opt)) continue;
    out[opt] = {};
    for (const [name, mk] of Object.entries(V)) {
      const o = {port: P, host: opt === 'lookup' || opt === 'hints' ? 'localhost' : '127.0.0.1'};
      if (opt === 'path' || opt === 'fd') { delete o.port; delete o.host; }
      o[opt] = mk();
      if (opt === 'fd') o.port = P;
      out[opt][name] = await run(opt, () => net.connect(o));
    }
  }
  console.log(JSON.stringify(out, null, 1));
  srv.close();
})();
