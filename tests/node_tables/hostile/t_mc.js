const net=require('net');
const vals = {str:'abc', num_str:'1', arr:[], obj:{}, t:true, nan:NaN, neg:-1, zero:0, float:0.5, inf:Infinity, fn: ()=>{}};
(async()=>{
for (const [k,v] of Object.entries(vals)) {
  await new Promise(res=>{
    let conns=0, drops=0;
    const s=net.createServer(c=>{conns++; c.destroy();}); s.maxConnections=v;
    s.on('drop',()=>drops++);
    s.listen(0,'127.0.0.1',()=>{
      let n=0; const P=s.address().port;
      const go=()=>{ const c=net.connect(P,'127.0.0.1'); c.on('error',()=>{}); c.on('close',()=>{ if(++n<2) go(); else setTimeout(()=>{console.log(k,'conns',conns,'drops',drops); s.close(); res();},50);});};
      go();
    });
  });
}
const BL = new net.BlockList(); BL.addAddress('127.0.0.1');
const s=net.createServer({blockList: BL},c=>{console.log('bl conn (not blocked)'); c.destroy(); s.close();});
s.on('drop', d=>{console.log('bl drop'); s.close();});
s.listen(0,'127.0.0.1',()=>{const c=net.connect(s.address().port,'127.0.0.1'); c.on('error',()=>{}); c.on('close',()=>{})});
const c2 = net.connect({port: 1, host:'127.0.0.1', blockList: BL}); c2.on('error', e=>console.log('connect blockList err', e.code)); 
})();
