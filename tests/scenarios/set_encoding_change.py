# set_encoding() without an argument and with None means utf8; it returns
# the socket; the encoding can be changed between 'data' events; an unknown
# encoding throws ERR_UNKNOWN_ENCODING; names are case-insensitive.
import greennet
from _common import log, run, thrown

chunks = ['h\u00e9', 'h\u00e9', 'h\u00e9', 'h\u00e9']


def on_connection(sock):
    state = {'i': 0}

    def on_data(d):
        if state['i'] == len(chunks):
            sock.end()
            return
        sock.write(chunks[state['i']])
        state['i'] += 1
    sock.on('data', on_data)


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    thrown('setEncoding bogus', lambda: c.set_encoding('bogus'))
    log('setEncoding() returns socket', c.set_encoding() is c)
    plan = [None, 'HEX', 'Latin1', 'UTF-8']
    state = {'n': 0}

    def on_data(d):
        log('data', state['n'], 'string' if isinstance(d, str) else type(d).__name__, d)
        state['n'] += 1
        if state['n'] < len(plan):
            c.set_encoding(plan[state['n']])
        c.write('next')
    c.on('data', on_data)

    def on_connect():
        c.set_encoding(plan[0])
        c.write('go')
    c.on('connect', on_connect)
    c.on('end', lambda: log('end'))
    c.on('close', lambda had_error: server.close())


server.listen(0, '127.0.0.1', on_listening)
run()
