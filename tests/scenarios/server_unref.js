// server.unref() lets the process end although the server still listens;
// 'listening' is still delivered; ref()/unref() return the server.
'use strict';
const net = require('net');
const { log } = require('./_common');

const server = net.createServer();
const r = server.listen(0, '127.0.0.1', () => log('listening', server.listening));
log('listen returns server', r === server);
log('unref returns server', server.unref() === server);
log('unref twice', server.unref() === server);
const other = net.createServer();
log('ref on idle server', other.ref() === other, other.unref() === other);
