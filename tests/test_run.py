"""greennet.run(): returns when nothing referenced is left, as a Node process
exits when its event loop has no referenced handle.

Most tests run a small script in a fresh interpreter, so what other tests
left behind cannot keep run() waiting, and "returns" means the process ends.
"""
import socket as std
import subprocess
import textwrap
import time

import gevent
import pytest
from conftest import PYTHON, Recorder, listen, python_env

import greennet

pytestmark = pytest.mark.timeout(60)

#: Seconds a script may take to finish once it should.
FINISH = 15


def run_script(source, timeout=FINISH):
    """Run ``source`` in a fresh interpreter; return its stdout lines."""
    proc = subprocess.run([PYTHON, '-c', textwrap.dedent(source)], env=python_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    assert 'Traceback' not in proc.stderr, proc.stderr
    return proc.stdout.split('\n')[:-1]


def start_script(source):
    return subprocess.Popen([PYTHON, '-c', textwrap.dedent(source)], env=python_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_line(proc, timeout=FINISH):
    line = [None]

    def reader():
        line[0] = proc.stdout.readline()
    # readline blocks the thread; run it in gevent's threadpool, bounded.
    try:
        gevent.get_hub().threadpool.apply_async(reader).get(timeout=timeout)
    except gevent.Timeout:
        proc.kill()
        pytest.fail(f'no line from the script within {timeout}s')
    return line[0].rstrip('\n')


def test_returns_when_nothing_was_opened():
    assert run_script('''
        import greennet
        greennet.run()
        print('returned')
    ''') == ['returned']


def test_waits_while_a_server_listens_and_returns_after_close():
    proc = start_script('''
        import greennet

        def on_connection(conn):
            def on_data(data):
                if data == b'quit':
                    conn.end(b'bye')
                    server.close()
                else:
                    conn.write(data)
            conn.on('data', on_data)

        server = greennet.create_server(on_connection)
        server.listen(0, '127.0.0.1', lambda: print(server.address()['port'], flush=True))
        greennet.run()
        print('returned', server.listening, flush=True)
    ''')
    try:
        port = int(read_line(proc))
        with std.create_connection(('127.0.0.1', port), timeout=10) as client:
            client.sendall(b'hello')
            assert client.recv(100) == b'hello'
            # A round trip later, run() is still waiting: the server listens.
            assert proc.poll() is None
            client.sendall(b'quit')
            assert client.recv(100) == b'bye'
        assert read_line(proc) == 'returned False'
        assert proc.wait(timeout=FINISH) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_returns_with_an_unrefed_server():
    assert run_script('''
        import greennet
        server = greennet.create_server()
        server.listen(0, '127.0.0.1')
        server.unref()
        greennet.run()
        print('returned', server.listening)
    ''') == ['returned True']


def test_unref_before_listen_also_counts():
    assert run_script('''
        import greennet
        server = greennet.create_server().unref()
        server.listen(0, '127.0.0.1')
        greennet.run()
        print('returned', server.listening)
    ''') == ['returned True']


def test_ref_after_unref_keeps_run_waiting():
    lines = run_script('''
        import greennet
        events = []
        server = greennet.create_server()
        server.on('listening', lambda: (events.append('listening'), server.close()))
        server.on('close', lambda: events.append('close'))
        server.listen(0, '127.0.0.1')
        server.unref()
        server.ref()
        greennet.run()
        print(events)
    ''')
    # run() waited for the server, whose 'listening' closed it.
    assert lines == ["['listening', 'close']"]


def test_returns_with_an_unrefed_connected_socket():
    assert run_script('''
        import greennet
        server = greennet.create_server()
        def on_listening():
            client = greennet.connect(server.address()['port'], '127.0.0.1')
            client.unref()
            client.on('connect', lambda: print('connected', flush=True))
        server.on('listening', on_listening)
        server.on('connection', lambda conn: conn.unref())
        server.listen(0, '127.0.0.1')
        server.unref()
        greennet.run()
        print('returned')
    ''')[-1] == 'returned'


def test_waits_for_a_connected_socket_until_it_closes():
    lines = run_script('''
        import greennet
        def on_connection(conn):
            server.close()      # the open connections keep run() waiting
            conn.end(b'goodbye')
        server = greennet.create_server(on_connection)
        def on_listening():
            client = greennet.connect(server.address()['port'], '127.0.0.1')
            client.on('data', lambda data: print('data', data.decode(), flush=True))
            client.on('close', lambda had_error: print('client close', had_error, flush=True))
        server.listen(0, '127.0.0.1', on_listening)
        greennet.run()
        print('returned')
    ''')
    assert lines == ['data goodbye', 'client close False', 'returned']


def test_delivers_due_close_events_before_returning():
    lines = run_script('''
        import greennet
        sock = greennet.Socket()
        sock.on('close', lambda *args: print('socket close', *args, flush=True))
        sock.destroy()
        server = greennet.create_server()
        server.on('close', lambda: print('server close', flush=True))
        server.listen(0, '127.0.0.1', lambda: (print('listening', flush=True), server.close()))
        greennet.run()
        print('returned')
    ''')
    assert lines[-1] == 'returned'
    assert 'listening' in lines and 'server close' in lines
    assert lines.index('listening') < lines.index('server close')
    assert any(line.startswith('socket close') for line in lines)


def test_refused_connection_delivers_error_and_close_before_returning():
    probe = std.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    lines = run_script('''
        import greennet
        client = greennet.connect(PORT, '127.0.0.1')
        client.on('error', lambda err: print('error', err.code, flush=True))
        client.on('close', lambda had_error: print('close', had_error, flush=True))
        greennet.run()
        print('returned')
    '''.replace('PORT', str(port)))
    assert lines == ['error ECONNREFUSED', 'close True', 'returned']


def test_a_connect_that_raised_holds_nothing_open():
    assert run_script('''
        import greennet
        try:
            greennet.connect(-1, '127.0.0.1')
        except ValueError as err:
            print(err.code)
        greennet.run()
        print('returned')
    ''') == ['ERR_SOCKET_BAD_PORT', 'returned']


def test_run_in_process_returns_once_the_server_closed():
    # In this process other tests may hold handles only if they leaked;
    # the conftest guard closes leftovers after each test.
    server = greennet.create_server()
    listen(server, 0, '127.0.0.1')
    closed = Recorder(server, 'close')
    server.close()
    start = time.monotonic()
    with gevent.Timeout(5, False):
        greennet.run()
        assert closed.seen('close')
        return
    pytest.fail('run() did not return within 5 s (elapsed %.1f)' % (time.monotonic() - start))
