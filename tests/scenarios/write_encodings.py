# write(string, encoding) encodes the string with Node's encodings before
# sending; the peer sees the bytes (printed as hex).
import greennet
from _common import log, run


def on_connection(sock):
    chunks = []
    sock.on('data', lambda d: chunks.append(d))

    def on_end():
        data = b''.join(chunks)
        log('server got', len(data), 'bytes')
        log('hex', data.hex())
    sock.on('end', on_end)
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        log('hex', client.write('deadbeef', 'hex'))
        log('base64', client.write('aGk=', 'base64'))
        log('base64url', client.write('-_8', 'base64url'))
        log('latin1', client.write('\u00e9\u00ff', 'latin1'))
        log('binary', client.write('\u00fe', 'binary'))
        log('ascii', client.write('ok', 'ascii'))
        log('utf16le', client.write('A', 'utf16le'))
        log('ucs2', client.write('B', 'ucs2'))
        log('utf8', client.write('\u20ac', 'utf8'))
        log('default', client.write('\u00e9'))
        client.end('ff', 'hex')
    client = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    client.on('close', lambda had_error: log('client close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
