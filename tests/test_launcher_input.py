"""Issue 11: bad input gives one line and exit status 2 (never a traceback),
NaN and infinities are refused wherever a number is read, imports behave
alike for ``check``, ``--workers 0`` and workers, ``--help`` is clean, and a
``Server`` target gets the server settings.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from launcher_util import PYTHON, ROOT, Launcher, assert_one_line_error, base_env, exchange, run_greennet

from greennet.launcher.endpoints import EndpointError, parse_endpoint
from greennet.launcher.settings import SETTINGS, Config, ConfigError, Count, Seconds, Switch, build_config

pytestmark = pytest.mark.timeout(60)

LOOPBACK = '127.0.0.1:0'


def _bad(args, contains=(), env=None):
    result = run_greennet(args, env=env)
    assert result.returncode == 2, (result.returncode, result.stderr)
    return assert_one_line_error(result.stderr, contains)


@pytest.mark.parametrize('args, reason', [
    (['--idle-timeout', 'nan'], '--idle-timeout'),
    (['--graceful-timeout', 'inf'], '--graceful-timeout'),
    (['--graceful-timeout', '-inf'], '--graceful-timeout'),
    (['--keep-alive-initial-delay', 'nan'], '--keep-alive-initial-delay'),
    (['--keep-alive-initial-delay', '1e400'], '--keep-alive-initial-delay'),
    (['--idle-timeout', '1e9'], '--idle-timeout'),
    (['--backlog', '99999999999999999999'], '--backlog'),
    (['--max-connections', '99999999999999999999'], '--max-connections'),
    (['--workers', '\u0663'], '--workers'),          # ARABIC-INDIC DIGIT THREE
    (['--graceful-timeout', '\u0663'], '--graceful-timeout'),
    (['-l', '127.0.0.1:\u00b2'], '\u00b2'),          # SUPERSCRIPT TWO
    (['-l', 'fd:\u00b2'], 'fd:'),
    (['-l', '\u00b2'], 'address'),
    (['-l', 'unix:/tmp/' + 'a' * 200], 'too long'),
    (['-l', 'unix:@' + 'a' * 200], 'too long'),
    (['-l', 'a' * 300 + ':80'], 'host'),
    (['-l', 'a..b:80'], 'host'),
    (['-l', 'fd:99999999999999'], 'descriptor'),
], ids=lambda value: repr(value)[:40])
def test_bad_flags_one_line_exit_2(args, reason):
    _bad(['run', 'echo', '-l', LOOPBACK] + args if args[0] != '-l' else ['run', 'echo'] + args,
         [reason])


@pytest.mark.parametrize('toml, reason', [
    ('graceful_timeout = nan\n', 'graceful_timeout'),
    ('idle_timeout = inf\n', 'idle_timeout'),
    ('keep_alive_initial_delay = -inf\n', 'keep_alive_initial_delay'),
    ('backlog = 99999999999\n', 'backlog'),
    ('workers = 1.5\n', 'workers'),
    ('[[mount]]\ntarget = "echo"\nlisten = ["unix:/tmp/a\\u0000b"]\n', 'NUL'),
    ('[[mount]]\ntarget = "echo"\nlisten = ["127.0.0.1:\\u00b2"]\n', 'port'),
    ('[[mount]]\ntarget = "echo"\nlisten = [true]\n', 'listen'),
    ('[[mount]]\ntarget = "e\\u0000cho"\nlisten = ["127.0.0.1:0"]\n', 'target'),
])
@pytest.mark.parametrize('command', ['run', 'check'])
def test_bad_config_values_one_line_exit_2(tmp_path, toml, reason, command):
    config = tmp_path / 'bad.toml'
    if 'mount' not in toml:
        toml += '[[mount]]\ntarget = "echo"\nlisten = ["127.0.0.1:0"]\n'
    config.write_text(toml)
    _bad([command, '--config', str(config)], [reason])


def test_help_is_clean():
    for args in (['--help'], ['run', '--help'], ['check', '--help']):
        result = run_greennet(args)
        assert result.returncode == 0, result.stderr
        assert 'SUPPRESS' not in result.stdout and '_worker' not in result.stdout, result.stdout
    assert '--graceful-timeout SECONDS' in run_greennet(['run', '--help']).stdout


# -- the settings, by hypothesis -----------------------------------------------------------------


def _parse(argv):
    """``greennet run echo ARGV``'s Config, or the one-line error."""
    from greennet.launcher.cli import _cli_mounts, build_parser
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            args = build_parser().parse_args(['run', 'echo', '-l', LOOPBACK] + argv)
            return build_config(args, _cli_mounts(args))
        except SystemExit as exit:
            assert exit.code == 2
            lines = stderr.getvalue().splitlines()
            assert len(lines) == 1 and lines[0].startswith('greennet: error: '), lines
            return None
        except (ConfigError, EndpointError) as err:
            assert '\n' not in str(err)
            return None


def _well_typed(config: Config) -> None:
    for setting in SETTINGS:
        value = config.values[setting.name]
        kind = setting.kind
        if isinstance(kind, Switch):
            assert isinstance(value, bool)
        elif isinstance(kind, Count):
            assert isinstance(value, int) and kind.lowest <= value <= kind.highest
        elif isinstance(kind, Seconds):
            assert isinstance(value, float) and math.isfinite(value) and 0 <= value <= kind.highest


_numbers = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from(['nan', 'inf', '-inf', '1e400', '\u0663', '\u00b2', '0x10',
                                      '1_000', ' 5', '5 ', '+1', '-0', '.5', '5.', '']))
_flag_text = st.one_of(_numbers.map(str), st.text(max_size=12))
_toml_value = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                        st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers(), max_size=2))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setting=st.sampled_from([s for s in SETTINGS if not isinstance(s.kind, Switch)]),
       text=_flag_text)
def test_every_flag_value_is_a_typed_value_or_one_line(setting, text):
    config = _parse([setting.flag, text])
    if config is not None:
        _well_typed(config)


@settings(max_examples=300, deadline=None)
@given(setting=st.sampled_from(SETTINGS), value=_toml_value)
def test_every_config_value_is_a_typed_value_or_a_config_error(setting, value):
    try:
        checked = setting.kind.check(value)
    except ConfigError as err:
        assert '\n' not in str(err)
        return
    _well_typed(Config({**{s.name: s.default for s in SETTINGS}, setting.name: checked}))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), st.from_regex(r'(unix|fd|systemd):.{0,40}', fullmatch=True),
                      st.from_regex(r'[a-z.\-]{0,300}:[0-9\u00b2\u0663]{0,6}', fullmatch=True)))
def test_every_address_parses_or_is_an_endpoint_error(text):
    try:
        endpoint = parse_endpoint(text)
    except EndpointError as err:
        assert '\n' not in str(err)
        return
    if endpoint.port is not None:
        assert 0 <= endpoint.port <= 65535
    if endpoint.path is not None:
        assert len(os.fsencode(endpoint.path)) <= 107 and '\0' not in endpoint.path[1:]


def test_the_docs_table_is_the_declaration():
    from greennet.launcher.settings import settings_table
    with open(os.path.join(ROOT, 'docs', 'launcher.md')) as docs:
        assert settings_table() in docs.read()


def test_settings_declared_once():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    parser = argparse.ArgumentParser()
    from greennet.launcher.settings import add_arguments
    add_arguments(parser)
    assert {s.flag for s in SETTINGS} <= set(parser._option_string_actions)


# -- imports -------------------------------------------------------------------------------------

MODULE = '''
import os

def serve(sock):
    sock.on('error', lambda err: None)
    sock.end(b'here ' + str(os.getpid()).encode())

def broken_on_purpose(sock):
    pass
'''


@pytest.fixture
def here(tmp_path):
    """A folder holding ``gnhere.py`` (the current folder of the launcher),
    and a console-script-like wrapper elsewhere: ``sys.path[0]`` is the
    wrapper's folder, as for the installed ``greennet`` command."""
    app = tmp_path / 'app'
    app.mkdir()
    (app / 'gnhere.py').write_text(MODULE)
    (app / 'gnbroken.py').write_text('import os\nraise ImportError("broken on purpose")\n')
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    script = bin_dir / 'greennet'
    script.write_text('import sys\nfrom greennet.launcher.cli import main\nsys.exit(main())\n')
    return app, [PYTHON, str(script)]


def test_imports_from_the_current_folder_alike(here):
    app, command = here
    env = base_env()        # PYTHONPATH has the checkout only, not the app's folder
    result = run_greennet(['check', 'gnhere:serve', '-l', LOOPBACK], env=env, cwd=str(app),
                          command=command)
    assert result.returncode == 0, result.stderr
    assert 'ok: gnhere:serve (listener)' in result.stdout
    for workers in ('0', '1'):
        with Launcher(['run', 'gnhere:serve', '-l', LOOPBACK, '--workers', workers], env=env,
                      cwd=str(app), command=command) as launcher:
            address = launcher.listening()['gnhere:serve'][0]
            assert exchange(address).startswith(b'here '), launcher.stderr
            assert launcher.stop() == 0


@pytest.mark.parametrize('workers', ['0', '1'])
def test_import_failure_traceback_at_debug_only(here, workers):
    app, command = here
    args = ['run', 'gnbroken:serve', '-l', LOOPBACK, '--workers', workers]
    result = run_greennet(args, cwd=str(app), command=command)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, ['broken on purpose'])
    result = run_greennet(args + ['--log-level', 'debug'], cwd=str(app), command=command)
    assert result.returncode == 2
    assert 'Traceback' in result.stderr and 'gnbroken.py' in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1].startswith('greennet: error: importing')


def test_bare_name_suggests_module_attribute(here):
    app, command = here
    line = _bad_in(app, command, ['run', 'gnhere', '-l', LOOPBACK])
    assert 'gnhere:ATTRIBUTE' in line, line
    line = _bad_in(app, command, ['run', 'nosuchthing', '-l', LOOPBACK])
    assert 'module:attribute' in line and 'echo' in line, line


def _bad_in(app, command, args):
    result = run_greennet(args, cwd=str(app), command=command)
    assert result.returncode == 2, result.stderr
    return assert_one_line_error(result.stderr)


# -- a Server target gets the server settings ---------------------------------------------------------

SERVER_APP = '''
import greennet

def _reply(sock):
    sock.on('error', lambda err: None)
    sock.end(('%s %s %s' % (server.max_connections, server.no_delay, server.keep_alive)).encode())

server = greennet.create_server(_reply)
server.keep_alive = True        # the app's own choice, kept unless a flag says otherwise
'''


def test_server_target_gets_the_given_server_settings(tmp_path):
    (tmp_path / 'gnsrv.py').write_text(SERVER_APP)
    env = base_env(pythonpath=[tmp_path])
    with Launcher(['run', 'gnsrv:server', '-l', LOOPBACK, '--workers', '0'], env=env) as launcher:
        assert exchange(launcher.listening()['gnsrv:server'][0]) == b'None False True'
    with Launcher(['run', 'gnsrv:server', '-l', LOOPBACK, '--workers', '0', '--max-connections', '7',
                   '--no-delay'], env=env) as launcher:
        assert exchange(launcher.listening()['gnsrv:server'][0]) == b'7 True True'

