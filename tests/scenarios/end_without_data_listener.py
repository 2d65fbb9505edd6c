# A peer that ends without sending anything: 'end' is emitted even though
# nobody listens for 'data', then 'close'.
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.end())


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    client.on('end', lambda: log('end', client.readable_ended))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
