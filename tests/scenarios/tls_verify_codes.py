# Certificate verification, one client at a time: success, each failure
# code ('error' then 'close'), and reject_unauthorized=False (authorized
# false, authorization_error set, 'secureConnect' all the same).
from _common import log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


def custom_check(host, cert):
    log('  check', host, cert['subject']['CN'])
    return Exception('no thanks')


cases = [
    ('ok', 'server', {'ca': pem('ca-cert'), 'servername': 'localhost'}),
    ('ip', 'server', {'ca': pem('ca-cert')}),
    ('self-signed', 'self', {'ca': pem('ca-cert')}),
    ('self-signed-trusted', 'self', {'ca': pem('self-cert')}),
    ('expired', 'expired', {'ca': pem('ca-cert')}),
    ('unknown-ca', 'server', {'ca': pem('self-cert')}),
    ('altname', 'server', {'ca': pem('ca-cert'), 'servername': 'wrong.example'}),
    ('altname-ip', 'other', {'ca': pem('ca-cert')}),
    ('unauthorized-ok', 'self', {'ca': pem('ca-cert'), 'rejectUnauthorized': False}),
    ('unauthorized-altname', 'server', {'ca': pem('ca-cert'), 'servername': 'nope.example',
                                        'rejectUnauthorized': False}),
    ('custom-check', 'server', {'ca': pem('ca-cert'), 'servername': 'localhost',
                                'checkServerIdentity': custom_check}),
]


def next_case(i):
    if i >= len(cases):
        return
    label, name, opts = cases[i]

    def on_secure(s):
        s.on('error', lambda e: None)
        s.end()
    server = tls.create_server({'key': pem(f'{name}-key'), 'cert': pem(f'{name}-cert')}, on_secure)
    server.on('tlsClientError', lambda e, s: None)

    def on_listening():
        def on_secure_connect():
            log(label, 'secureConnect', c.authorized, c.authorization_error)
            c.end()
        c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', **opts}, on_secure_connect)
        c.on('error', lambda e: log(label, 'error', getattr(e, 'code', None), str(e)))
        c.resume()

        def on_close(*_):
            log(label, 'close')
            server.close()
            next_case(i + 1)
        c.on('close', on_close)
    server.listen(0, '127.0.0.1', on_listening)


next_case(0)
run()
