const net = require('net');
const fs = require('fs');
function short(e){ return e.constructor.name + ' ' + e.code + (e.syscall ? ' ' + e.syscall : ''); }
async function run(label, fn, ms=300){
  let emitter, out;
  try { emitter = fn(); out = 'returned'; }
  catch (e) { return 'throw ' + short(e); }
  if (!emitter || !emitter.on) return out;
  const ev = [];
  await new Promise(r => {
    let done = false;
    const fin = () => { if (!done) { done = true; r(); } };
    const t = setTimeout(fin, ms);
    emitter.on('error', e => ev.push('error(' + short(e) + ')'));
    emitter.on('close', () => { ev.push('close'); clearTimeout(t); setImmediate(fin); });
    emitter.on('connect', () => { ev.push('connect'); clearTimeout(t); setImmediate(fin); });
    emitter.on('listening', () => { ev.push('listening'); clearTimeout(t); setImmediate(fin); });
    emitter.on('lookup', (e) => ev.push('lookup' + (e ? '(' + short(e) + ')' : '')));
  });
  try { emitter.destroy ? emitter.destroy() : emitter.close(); } catch (e) {}
  return 'async: ' + ev.join(',');
}
module.exports = {run, short};
