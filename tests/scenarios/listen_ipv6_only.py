# ipv6_only: a server on '::' with ipv6_only does not take IPv4 connections
# (and leaves the IPv4 port free); without it, '::' is dual-stack.
import greennet
from _common import log, run

s = greennet.create_server(lambda sock: sock.end('v6'))


def on_listening():
    port = s.address()['port']
    log('listening', s.address()['address'], s.address()['family'])
    c4 = greennet.connect(port, '127.0.0.1')
    c4.on('connect', lambda: log('unexpected v4 connect'))

    def c4_error(e):
        log('v4 error', e.code)
        v4 = greennet.create_server()

        def v4_listening():
            log('v4 server on same port', v4.address()['port'] == port)

            def v4_closed(*e):
                c6 = greennet.connect(port, '::1')
                c6.set_encoding('utf8')
                c6.on('data', lambda d: log('v6 data', d))

                def c6_close(had_error):
                    def s_closed(*e):
                        dual = greennet.create_server(lambda sock: sock.end('dual'))

                        def dual_listening():
                            c = greennet.connect(dual.address()['port'], '127.0.0.1')
                            c.set_encoding('utf8')
                            c.on('data', lambda d: log('dual data', d))
                            c.on('close', lambda had_error: dual.close())
                        dual.listen(0, '::', dual_listening)
                    s.close(s_closed)
                c6.on('close', c6_close)
            v4.close(v4_closed)
        v4.listen(port, '0.0.0.0', v4_listening)
    c4.on('error', c4_error)


# A port free for IPv4 as well: port 0 on '::' with ipv6_only may pick one an
# IPv4 socket of another test still holds, and the IPv4 listen would fail.
probe = greennet.create_server()


def on_probe():
    free = probe.address()['port']
    probe.close(lambda *e: s.listen(on_listening, port=free, host='::', ipv6_only=True))


probe.listen(0, '0.0.0.0', on_probe)
run()
