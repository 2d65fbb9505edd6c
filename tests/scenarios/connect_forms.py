# connect() forms: (port, host, cb), ({port, host}, cb), (port-as-string,
# host), create_connection alias, Socket().connect(...), and connect with
# no host (defaults to localhost).
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.end('ok'))


def on_listening():
    port = server.address()['port']
    def connect_str_port(cb):
        s = greennet.connect(str(port), '127.0.0.1')
        s.once('connect', cb)
        return s
    forms = [
        ('(port, host, cb)', lambda cb: greennet.connect(port, '127.0.0.1', cb)),
        ('({port, host}, cb)', lambda cb: greennet.connect({'port': port, 'host': '127.0.0.1'}, cb)),
        ("('port', host)", connect_str_port),
        ('createConnection', lambda cb: greennet.create_connection(port, '127.0.0.1', cb)),
        ('Socket().connect',
         lambda cb: greennet.Socket().connect({'port': port, 'host': '127.0.0.1'}, cb)),
        ('(port) only', lambda cb: greennet.connect(port, cb)),
    ]

    def next_form(i):
        if i == len(forms):
            server.close()
            return
        label, make = forms[i]
        holder = {}

        def on_connect():
            s = holder['s']
            log(label, 'connect', s.remote_address, s.remote_port == port)
        s = holder['s'] = make(on_connect)
        log(label, 'is Socket', isinstance(s, greennet.Socket))
        s.resume()
        s.on('close', lambda had_error: next_form(i + 1))
    next_form(0)


server.listen(0, '127.0.0.1', on_listening)
run()
