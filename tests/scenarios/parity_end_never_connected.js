// end() on a Socket that never connected. end() and end(cb): the socket
// turns 'readOnly' (writableEnded true), nothing is emitted, the callback
// is never called, and it holds nothing open. end(data, cb): the write
// fails first (ERR_SOCKET_CLOSED to the callback, then 'error' and a
// 'close' without argument) and writableEnded stays false.
'use strict';
const net = require('net');
const { log, channel } = require('./_common');

const cases = {
  bare(s) { return s.end(); },
  with_cb(s, cb) { return s.end(cb('end')); },
  with_data(s, cb) { return s.end('x', cb('end')); },
};
for (const [name, fn] of Object.entries(cases)) {
  const slog = channel(name);
  const s = new net.Socket();
  for (const ev of ['finish', 'end', 'connect']) s.on(ev, () => slog(ev));
  s.on('error', (e) => slog('error', e.code));
  s.on('close', (hadError) => slog('close', hadError));
  const r = fn(s, (label) => (err) => slog(label, 'cb', err === undefined ? 'undefined' : err && err.code));
  log(name, 'returns socket', r === s, s.writableEnded, s.destroyed, s.readyState);
}
