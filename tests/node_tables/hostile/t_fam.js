const net = require('net');
const {run} = require('./probe.js');
const V = require('./vals.js');
(async () => {
  const srv = net.createServer(c => c.destroy()).listen(0, '127.0.0.1');
  await new Promise(r => srv.on('listening', r));
  const P = srv.address().port;
  const out = {family_localhost: {}, hints_customlookup: {}, family_customlookup: {}, lookup_iphost: {}};
  const lk = (h, o, cb) => { out.seen = o; cb(null, '127.0.0.1', 4); };
  for (const [name, mk] of Object.entries(V)) {
    out.family_localhost[name] = await run('', () => net.connect({port: P, host: 'localhost', family: mk()}));
    out.family_customlookup[name] = await run('', () => net.connect({port: P, host: 'localhost', family: mk(), lookup: lk}));
    out.hints_customlookup[name] = await run('', () => net.connect({port: P, host: 'localhost', hints: mk(), lookup: lk}));
    out.lookup_iphost[name] = await run('', () => net.connect({port: P, host: '127.0.0.1', lookup: mk()}));
  }
  for (const f of ['IPv4', 'IPv6', 4, 6, 0, '4', 'ipv4']) out.family_localhost['v_' + f] = await run('', () => net.connect({port: P, host: 'localhost', family: f}));
  console.log(JSON.stringify(out, null, 1));
  srv.close();
})();
