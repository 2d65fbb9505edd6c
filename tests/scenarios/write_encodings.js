// write(string, encoding) encodes the string with Node's encodings before
// sending; the peer sees the bytes (printed as hex).
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer((sock) => {
  const chunks = [];
  sock.on('data', (d) => chunks.push(d));
  sock.on('end', () => {
    const all = Buffer.concat(chunks);
    log('server got', all.length, 'bytes');
    log('hex', all.toString('hex'));
  });
  sock.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    log('hex', client.write('deadbeef', 'hex'));
    log('base64', client.write('aGk=', 'base64'));
    log('base64url', client.write('-_8', 'base64url'));
    log('latin1', client.write('\u00e9\u00ff', 'latin1'));
    log('binary', client.write('\u00fe', 'binary'));
    log('ascii', client.write('ok', 'ascii'));
    log('utf16le', client.write('A', 'utf16le'));
    log('ucs2', client.write('B', 'ucs2'));
    log('utf8', client.write('\u20ac', 'utf8'));
    log('default', client.write('\u00e9'));
    client.end('ff', 'hex');
  });
  client.on('close', (hadError) => log('client close', hadError));
});
