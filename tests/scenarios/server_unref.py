# server.unref() lets the process end although the server still listens;
# 'listening' is still delivered; ref()/unref() return the server.
import greennet
from _common import log, run

server = greennet.create_server()
r = server.listen(0, '127.0.0.1', lambda: log('listening', server.listening))
log('listen returns server', r is server)
log('unref returns server', server.unref() is server)
log('unref twice', server.unref() is server)
other = greennet.create_server()
log('ref on idle server', other.ref() is other, other.unref() is other)
run()
