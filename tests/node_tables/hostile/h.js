const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
function desc(e){ if(!e) return null; return {cls: e.constructor.name, code: e.code, syscall: e.syscall, address: e.address, errno: e.errno, message: String(e.message).slice(0,160)}; }
async function probe(label, fn){
  const dir = fs.mkdtempSync('/tmp/nh');
  const before = fs.readdirSync(dir);
  let res = {label};
  let emitter;
  try { emitter = fn(dir); res.sync = 'returned'; }
  catch(e){ res.sync = 'threw'; res.err = desc(e); }
  if (emitter && emitter.on) {
    const ev = [];
    await new Promise(r => {
      const t = setTimeout(()=>{ev.push('timeout-500ms'); r();}, 500);
      emitter.on('error', e => ev.push(['error', desc(e)]));
      emitter.on('close', () => { ev.push('close'); clearTimeout(t); setImmediate(r); });
      emitter.on('connect', () => ev.push('connect'));
      emitter.on('listening', () => { ev.push('listening'); });
      emitter.on('lookup', (e,a,f,h) => ev.push(['lookup', desc(e), a, f, h]));
    });
    res.events = ev;
    try { emitter.destroy ? emitter.destroy() : emitter.close(); } catch(e){}
  }
  res.files = fs.readdirSync(dir).filter(f => !before.includes(f));
  res.filesInTmp = undefined;
  fs.rmSync(dir, {recursive:true, force:true});
  console.log(JSON.stringify(res));
}
module.exports = {probe, net};
