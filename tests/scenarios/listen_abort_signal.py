# listen(signal=...): aborting closes the server ('close' follows); a signal
# already aborted makes listen() close it right away (no 'listening').
import greennet
from _common import log, run

ac = greennet.AbortController()
s = greennet.create_server()


def s_close():
    log('s close', s.listening)
    ac2 = greennet.AbortController()
    ac2.abort()
    s2 = greennet.create_server()
    s2.on('listening', lambda: log('s2 listening'))
    s2.on('error', lambda e: log('s2 error', e.code))
    s2.on('close', lambda: log('s2 close', s2.listening))
    s2.listen(port=0, host='127.0.0.1', signal=ac2.signal)
    log('s2 listen returned', s2.listening)


s.on('close', s_close)


def on_listening():
    log('s listening')
    ac.abort()
    log('after abort', s.listening)


s.listen(on_listening, port=0, host='127.0.0.1', signal=ac.signal)
run()
