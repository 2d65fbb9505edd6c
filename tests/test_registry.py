"""The handler registry: ``register``, ``@handler``, duplicates, descriptions,
and handlers from installed packages' entry points (group
``greennet.handlers``), loaded lazily, a broken one reported without hiding
the others.

The in-process tests work on a copy of the registry, restored afterwards;
the entry-point tests run the launcher in a subprocess whose ``PYTHONPATH``
holds a hand-made ``*.dist-info`` (what ``pip install`` would leave), so
this process's registry is untouched.
"""
from __future__ import annotations

import os
import textwrap

import pytest
from launcher_util import (
    Launcher,
    assert_one_line_error,
    base_env,
    connect,
    exchange,
    recv_exactly,
    run_greennet,
)

import greennet
from greennet import registry
from greennet.registry import HandlerError, handler, register

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def private_registry(monkeypatch):
    """This test's registry: the built-ins, and whatever it registers."""
    registry.get('echo')        # the built-ins are in
    monkeypatch.setattr(registry, '_handlers', dict(registry._handlers))
    yield registry._handlers


def first(sock):
    """Say hi.

    More about it, not part of the description."""


def second(sock):
    """Another one."""


def test_handler_is_exported():
    assert greennet.handler is handler
    assert greennet.register is register


def test_register_and_get():
    entry = register('gn-test-first', first)
    assert registry.get('gn-test-first') is entry
    assert entry.listener is first
    assert entry.name == 'gn-test-first'
    assert 'test_registry:first' in entry.origin
    assert os.path.basename(__file__) in entry.origin
    assert entry in registry.handlers()


def test_decorator_registers_and_returns_the_listener():
    @handler('gn-test-decorated')
    def decorated(sock):
        """Decorated handler."""
    assert callable(decorated) and decorated.__name__ == 'decorated'
    assert registry.get('gn-test-decorated').listener is decorated
    assert registry.get('gn-test-decorated').description == 'Decorated handler.'


def test_registering_the_same_listener_again_is_harmless():
    one = register('gn-test-again', first)
    assert register('gn-test-again', first) == one


def test_duplicate_name_names_both_places():
    register('gn-test-dup', first)
    with pytest.raises(HandlerError) as info:
        register('gn-test-dup', second)
    message = str(info.value)
    assert 'gn-test-dup' in message
    assert 'test_registry:first' in message and 'test_registry:second' in message
    lines = {first.__code__.co_firstlineno, second.__code__.co_firstlineno}
    for line in lines:
        assert f'{os.path.basename(__file__)}:{line}' in message, message
    assert registry.get('gn-test-dup').listener is first     # the first one stays


def test_duplicate_of_a_builtin_names_it():
    with pytest.raises(HandlerError) as info:
        @handler('echo')
        def my_echo(sock):
            pass
    assert 'built-in' in str(info.value) and 'my_echo' in str(info.value)


def test_description_is_first_paragraph_of_docstring():
    def multi(sock):
        """Line one
        continues here.

        Second paragraph."""

    def bare(sock):
        pass
    assert register('gn-test-multi', multi).description == 'Line one continues here.'
    assert register('gn-test-bare', bare).description == ''
    assert register('gn-test-given', bare, description='Given.').description == 'Given.'
    assert register('gn-test-first-para', first).description == 'Say hi.'


@pytest.mark.parametrize('name', ['', 'two words', 'a=b', None, 3, 'tab\there'])
def test_bad_names(name):
    with pytest.raises(HandlerError):
        register(name, first)


def test_not_callable():
    with pytest.raises(HandlerError, match='gn-test-nc'):
        register('gn-test-nc', 42)


def test_unknown_name_lists_known():
    with pytest.raises(HandlerError) as info:
        registry.get('gn-test-nosuch')
    assert 'gn-test-nosuch' in str(info.value) and 'echo' in str(info.value)


def test_builtins_registered():
    names = {h.name for h in registry.handlers()}
    assert {'echo', 'discard', 'daytime', 'chargen'} <= names
    assert registry.get('chargen').origin == 'greennet (built-in)'
    assert 'RFC 864' in registry.get('chargen').description


# -- entry points -----------------------------------------------------------------


def _dist(root, name, version, points, modules):
    """A distribution as pip leaves it: ``NAME-VERSION.dist-info`` with
    METADATA and entry_points.txt, and its modules, in ``root``."""
    info = root / ('{}-{}.dist-info'.format(name.replace('-', '_'), version))
    info.mkdir()
    (info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    (info / 'entry_points.txt').write_text(
        '[greennet.handlers]\n' + ''.join('{} = {}\n'.format(*pair) for pair in points))
    for module, source in modules.items():
        (root / (module + '.py')).write_text(textwrap.dedent(source))


@pytest.fixture
def plugins(tmp_path):
    """Three installed packages: a good one, one whose module fails to
    import (and leaves a marker file when imported), and one whose handler
    takes a built-in's name; the env that has them on sys.path."""
    site = tmp_path / 'site'
    site.mkdir()
    marker = tmp_path / 'imported'
    _dist(site, 'gn-good-plugin', '1.2.3', [('hello', 'gngood:hello'), ('shout', 'gngood:shout')], {
        'gngood': '''
            def hello(sock):
                """Say hello (from a plugin).

                Then close."""
                sock.on('error', lambda err: None)
                sock.end(b'hello from plugin\\n')


            def shout(sock):
                """Echo in capitals."""
                sock.on('error', lambda err: None)
                sock.on('data', lambda data: sock.write(data.upper()))
            '''})
    _dist(site, 'gn-bad-plugin', '0.1', [('broken', 'gnbad:handler')], {
        'gnbad': f'''
            open({str(marker)!r}, 'w').close()
            raise ImportError('gnbad cannot be imported on purpose')
            '''})
    _dist(site, 'gn-dup-plugin', '2.0', [('echo', 'gndup:echo')], {
        'gndup': '''
            def echo(sock):
                """Not the real echo."""
            '''})
    env = base_env(pythonpath=[site])
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    return env, marker


def test_handlers_lists_entry_points_and_reports_broken(plugins):
    env, marker = plugins
    result = run_greennet(['handlers'], env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    hello = next(i for i, line in enumerate(out) if line.split()[:1] == ['hello'])
    assert 'Say hello (from a plugin).' in out[hello] and 'Then close' not in out[hello]
    assert 'gn-good-plugin 1.2.3' in out[hello + 1], out[hello + 1]
    assert 'gngood:hello' in out[hello + 1]
    assert any(line.split()[:1] == ['shout'] for line in out)
    # the built-ins and the good package are all there
    for name in ('echo', 'discard', 'daytime', 'chargen', 'hello', 'shout'):
        assert any(line.split()[:1] == [name] for line in out), name
    assert 'broken' not in result.stdout
    # the broken package: its package and its error, on stderr
    assert 'Traceback' not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if 'warning' in line]
    bad = [line for line in warnings if 'broken' in line]
    assert len(bad) == 1, result.stderr
    assert 'gn-bad-plugin 0.1' in bad[0] and 'gnbad cannot be imported on purpose' in bad[0]
    assert 'ImportError' in bad[0]
    assert marker.exists()
    # the duplicate: named, with both places
    dup = [line for line in warnings if 'gn-dup-plugin' in line]
    assert len(dup) == 1, result.stderr
    assert 'built-in' in dup[0] and 'echo' in dup[0]


def test_entry_point_handler_served(plugins):
    env, _ = plugins
    with Launcher(['run', 'hello', '--listen', '127.0.0.1:0'], env=env) as launcher:
        address = launcher.listening()['hello'][0]
        assert exchange(address) == b'hello from plugin\n'
    with Launcher(['run', '--mount', 'shout=127.0.0.1:0', '--mount', 'echo=127.0.0.1:0',
                   '--workers', '0'], env=env) as launcher:
        found = launcher.listening(2)
        with connect(found['shout'][0]) as sock:
            sock.sendall(b'quiet')
            assert recv_exactly(sock, 5) == b'QUIET'
        # 'echo' is still the built-in, not the duplicate
        assert exchange(found['echo'][0], b'same') == b'same'


def test_entry_points_are_loaded_lazily(plugins):
    env, marker = plugins
    result = run_greennet(['check', 'echo', '--listen', '127.0.0.1:0'], env=env)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), 'a built-in name should not load the entry points'
    result = run_greennet(['check', 'hello', '--listen', '127.0.0.1:0'], env=env)
    assert result.returncode == 0, result.stderr
    assert 'ok: hello (listener)' in result.stdout
    assert marker.exists()


def test_broken_entry_point_run_fails_in_one_line(plugins):
    env, _ = plugins
    result = run_greennet(['run', 'broken', '--listen', '127.0.0.1:0'], env=env)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, ['broken'])


def test_broken_entry_point_run_says_why(plugins):
    env, _ = plugins
    result = run_greennet(['check', 'broken', '--listen', '127.0.0.1:0'], env=env)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, ['gnbad cannot be imported on purpose'])


def test_decorated_listener_served_as_module_attribute(tmp_path):
    """``@handler`` returns the listener itself, so a decorated function is
    still a ``module:attribute`` target."""
    (tmp_path / 'gnreg.py').write_text(textwrap.dedent('''
        from greennet.registry import handler

        @handler('gn-app-hi')
        def hi(sock):
            """Hi from the app."""
            sock.on('error', lambda err: None)
            sock.end(b'hi')
        '''))
    env = base_env(pythonpath=[tmp_path])
    with Launcher(['run', '--mount', 'gnreg:hi=127.0.0.1:0', '--workers', '0'],
                  env=env) as launcher:
        assert exchange(launcher.listening()['gnreg:hi'][0]) == b'hi'
