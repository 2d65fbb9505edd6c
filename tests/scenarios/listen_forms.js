// listen() forms: listen(), listen(cb), listen(port, cb), listen({port,
// host}, cb), listen(port, host, cb); each returns the server and binds.
'use strict';
const net = require('net');
const { log } = require('./_common');

const show = (label, s) => {
  const a = s.address();
  log(label, a.address, a.family, a.port > 0);
};
const s1 = net.createServer();
log('listen() returns server', s1.listen() === s1);
s1.on('listening', () => {
  show('listen()', s1);
  s1.close(() => {
    const s2 = net.createServer();
    s2.listen(() => {
      show('listen(cb)', s2);
      s2.close(() => {
        const s3 = net.createServer();
        s3.listen(0, () => {
          show('listen(0, cb)', s3);
          s3.close(() => {
            const s4 = net.createServer();
            s4.listen({ port: 0, host: '127.0.0.1' }, () => {
              show('listen({port, host}, cb)', s4);
              s4.close(() => {
                const s5 = net.createServer();
                s5.listen('0', '::1', () => {
                  show("listen('0', '::1', cb)", s5);
                  s5.close(() => log('done'));
                });
              });
            });
          });
        });
      });
    });
  });
});
