# set_encoding('utf8') never splits a multi-byte character, even when its
# bytes arrive in separate writes (one byte per write here).
import greennet
from _common import log, run

text = 'a\u00e9\u20ac\U0001F600z'


def on_connection(sock):
    data = text.encode('utf8')
    pos = {'i': 0}

    def next_byte(*a):
        i = pos['i']
        if i == len(data):
            sock.end()
            return
        pos['i'] = i + 1
        sock.write(data[i:i + 1], next_byte)
    next_byte()


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    client.set_encoding('utf8')
    parts = []
    state = {'whole': True}

    def on_data(d):
        if not isinstance(d, str) or '\ufffd' in d:
            state['whole'] = False
        parts.append(d)
    client.on('data', on_data)

    def on_end():
        got = ''.join(parts)
        log('end', got, got == text, 'whole chars', state['whole'])
    client.on('end', on_end)
    client.on('close', lambda had_error: server.close())


server.listen(0, '127.0.0.1', on_listening)
run()
