const {probe, net} = require('./h.js');
(async () => {
  const long = d => d + '/' + 'x'.repeat(200);
  await probe('connect long path', d => net.connect(long(d)));
  await probe('connect path 108', d => net.connect('/tmp/' + 'y'.repeat(103)));
  await probe('connect path 107', d => net.connect('/tmp/' + 'y'.repeat(102)));
  await probe('connect nul path', d => net.connect(d + '/a\0b'));
  await probe('connect abstract', d => net.connect('\0nonexist' + Math.random()));
  await probe('listen long path', d => net.createServer().listen(long(d)));
  await probe('listen path 108', d => net.createServer().listen('/tmp/' + 'z'.repeat(103)));
  await probe('listen nul path', d => net.createServer().listen(d + '/a\0b'));
  await probe('listen abstract', d => net.createServer().listen('\0gnabs' + Math.random()));
  await probe('connect empty path', d => net.connect({path: ''}));
  await probe('listen empty path', d => net.createServer().listen({path: ''}));
})();
