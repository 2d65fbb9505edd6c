"""listen(reuse_port=True): Node 22's reusePort (SO_REUSEPORT).

Several servers bind the same port, each with its own queue, and the kernel
spreads new connections across them; without the option the second bind is
EADDRINUSE; where the system cannot balance, 'error' ENOTSUP after the call.
Real loopback sockets; every wait is on an event with a timeout.
"""
from __future__ import annotations

import gevent
import pytest
from conftest import close_server, get, listen, wait_event
from gevent import socket as gsocket

import greennet
import greennet.binding

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(greennet.binding.reuse_port_option() is None,
                                 reason='this system has no balancing SO_REUSEPORT')]


def _servers(count: int, **options):
    servers, counts = [], [0] * count
    port = 0
    for index in range(count):
        server = greennet.create_server()

        def on_connection(sock, index=index):
            counts[index] += 1
            sock.end(b'%d' % index)
        server.on('connection', on_connection)
        address = listen(server, port=port, host='127.0.0.1', **options)
        port = address['port']
        servers.append(server)
    return servers, counts, port


def _connect_many(port: int, total: int, sources=('127.0.0.1',)) -> list[bytes]:
    def one(n):
        conn = gsocket.socket()
        conn.bind((sources[n % len(sources)], 0))
        conn.connect(('127.0.0.1', port))
        try:
            data = b''
            while True:
                chunk = conn.recv(16)
                if not chunk:
                    return data
                data += chunk
        finally:
            conn.close()
    jobs = [gevent.spawn(one, n) for n in range(total)]
    gevent.joinall(jobs, timeout=20, raise_error=True)
    return [job.value for job in jobs]


@pytest.mark.parametrize('count', [2, 4])
def test_connections_spread_across_listeners(count):
    servers, counts, port = _servers(count, reuse_port=True)
    try:
        total = 100 * count
        answers = _connect_many(port, total, sources=[f'127.0.0.{n}' for n in range(1, 21)])
        assert sorted(answers) == sorted(b'%d' % i for i, c in enumerate(counts) for _ in range(c))
        assert sum(counts) == total
        assert min(counts) > 0, counts
        print(f'{count} listeners, {total} connections: {counts}, '
              f'busiest/idlest {max(counts) / min(counts):.2f}')
    finally:
        for server in servers:
            close_server(server)


def test_without_reuse_port_the_second_bind_is_eaddrinuse():
    first = greennet.create_server()
    port = listen(first, port=0, host='127.0.0.1')['port']
    try:
        for options in ({}, {'reuse_port': True}):
            second = greennet.create_server()
            with pytest.raises(OSError) as info:
                listen(second, port=port, host='127.0.0.1', **options)
            assert info.value.code == 'EADDRINUSE'
            assert info.value.syscall == 'listen'
    finally:
        close_server(first)


def test_reuse_port_in_an_options_dict_camel_case():
    servers = []
    try:
        port = 0
        for _ in range(2):
            server = greennet.create_server()
            port = listen(server, {'port': port, 'host': '127.0.0.1', 'reusePort': True})['port']
            servers.append(server)
        assert servers[0].address() == servers[1].address()
    finally:
        for server in servers:
            close_server(server)


def test_only_true_turns_it_on():
    """As Node's ``options.reusePort === true``."""
    first = greennet.create_server()
    port = listen(first, port=0, host='127.0.0.1', reuse_port=True)['port']
    try:
        second = greennet.create_server()
        with pytest.raises(OSError) as info:
            listen(second, port=port, host='127.0.0.1', reuse_port=1)
        assert info.value.code == 'EADDRINUSE'
    finally:
        close_server(first)


def test_unsupported_system_is_enotsup_after_the_call(monkeypatch):
    monkeypatch.setattr(greennet.binding, 'reuse_port_option', lambda: None)
    server = greennet.create_server()
    failed = wait_event(server, 'error')
    server.listen(port=0, host='127.0.0.1', reuse_port=True)
    assert not failed.ready()   # nothing inside the call
    (error,) = get(failed)
    assert error.code == 'ENOTSUP'
    assert error.syscall == 'listen'
    assert error.address == '127.0.0.1'
    assert not server.listening


def test_a_pipe_ignores_it(tmp_sock_path):
    server = greennet.create_server()
    assert listen(server, path=tmp_sock_path, reuse_port=True) == tmp_sock_path
    close_server(server)
