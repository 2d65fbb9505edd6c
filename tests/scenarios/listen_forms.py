# listen() forms: listen(), listen(cb), listen(port, cb), listen({port,
# host}, cb), listen(port, host, cb); each returns the server and binds.
import greennet
from _common import log, run


def show(label, s):
    a = s.address()
    log(label, a['address'], a['family'], a['port'] > 0)


s1 = greennet.create_server()
log('listen() returns server', s1.listen() is s1)


def s1_listening():
    show('listen()', s1)

    def s1_closed(*e):
        s2 = greennet.create_server()

        def s2_listening():
            show('listen(cb)', s2)

            def s2_closed(*e):
                s3 = greennet.create_server()

                def s3_listening():
                    show('listen(0, cb)', s3)

                    def s3_closed(*e):
                        s4 = greennet.create_server()

                        def s4_listening():
                            show('listen({port, host}, cb)', s4)

                            def s4_closed(*e):
                                s5 = greennet.create_server()

                                def s5_listening():
                                    show("listen('0', '::1', cb)", s5)
                                    s5.close(lambda *e: log('done'))
                                s5.listen('0', '::1', s5_listening)
                            s4.close(s4_closed)
                        s4.listen({'port': 0, 'host': '127.0.0.1'}, s4_listening)
                    s3.close(s3_closed)
                s3.listen(0, s3_listening)
            s2.close(s2_closed)
        s2.listen(s2_listening)
    s1.close(s1_closed)


s1.on('listening', s1_listening)
run()
