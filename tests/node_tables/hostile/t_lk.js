const net = require('net');
const {run} = require('./probe.js');
(async () => {
  const srv = net.createServer(c => c.destroy()).listen(0, '127.0.0.1');
  await new Promise(r => srv.on('listening', r));
  const P = srv.address().port;
  const out = {};
  const L = {
    throws: () => { throw new Error('boom'); },
    throws_typeerror: () => { throw new TypeError('bad'); },
    cb_nonip: (h,o,cb) => cb(null, 'not-an-ip', 4),
    cb_nonip_all: (h,o,cb) => cb(null, [{address: 'nope', family: 4}]),
    cb_empty_all: (h,o,cb) => cb(null, []),
    cb_err_plain: (h,o,cb) => cb(new Error('x')),
    cb_err_string: (h,o,cb) => cb('str-err'),
    cb_twice: (h,o,cb) => { cb(null, [{address:'127.0.0.1', family:4}]); cb(null, [{address:'127.0.0.1', family:4}]); },
    cb_ok_all: (h,o,cb) => cb(null, [{address:'127.0.0.1', family:4}]),
    cb_number: (h,o,cb) => cb(null, 5, 4),
    throws_after_cb: (h,o,cb) => { cb(null, [{address:'127.0.0.1', family:4}]); throw new Error('late'); },
  };
  for (const [k, lk] of Object.entries(L)) {
    out[k] = await run('', () => net.connect({port: P, host: 'example.invalid', lookup: lk}));
    out[k + '_noautoselect'] = await run('', () => net.connect({port: P, host: 'example.invalid', lookup: lk, autoSelectFamily: false}));
  }
  console.log(JSON.stringify(out, null, 1));
  srv.close();
})();
