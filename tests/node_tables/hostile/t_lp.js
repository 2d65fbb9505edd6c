const net=require('net');
const srv=net.createServer(c=>c.destroy()).listen(0,'127.0.0.1',async()=>{
 const P=srv.address().port;
 for (const lp of [process.argv[2]].map(eval)) {
  await new Promise(r=>{const c=net.connect({port:P,host:'127.0.0.1',localPort:lp});
   c.on('connect',()=>{console.log(String(lp),'connect localPort',c.localPort);c.destroy();r();});
   c.on('error',e=>{console.log(String(lp),'error',e.code,e.syscall,e.address,e.port, e.message);r();});});
 }
 srv.close();
});
