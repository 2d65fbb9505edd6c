"""The launcher's settings, each declared once: its name (the config-file
key), its command-line flag, how a value is checked, its default and what it
does. The argument parser, the TOML loader and the docs' table are all made
from :data:`SETTINGS`, as gunicorn's ``config.py`` does.

Durations are seconds here (operators' units); the server options take the
values Node's would, converted where Node counts milliseconds.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, Callable

from .endpoints import Endpoint, EndpointError, parse_endpoint

__all__ = ['Setting', 'SETTINGS', 'Mount', 'Config', 'ConfigError', 'add_arguments',
           'load_file', 'build_config', 'settings_table']


class ConfigError(ValueError):
    """A setting or config file that is not valid; the message says which."""


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f'expected true or false, got {value!r}')


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f'expected a whole number >= 0, got {value!r}')
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f'expected a number of seconds >= 0, got {value!r}')
    return float(value)


_LEVELS = ('debug', 'info', 'warning', 'error', 'critical')


def _level(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in _LEVELS:
        raise ConfigError('expected one of {}, got {!r}'.format(', '.join(_LEVELS), value))
    return value.lower()


@dataclass(frozen=True)
class Setting:
    """One setting of the launcher."""

    name: str
    validate: Callable[[Any], Any]
    default: Any
    help: str
    #: Passed to ``create_server`` (or ``listen``) rather than used by the launcher.
    server_option: bool = False

    @property
    def flag(self) -> str:
        """The command-line flag (``--no-...`` for a switch that is on by default)."""
        flag = '--' + self.name.replace('_', '-')
        return '--no-' + flag[2:] if self.default is True else flag


SETTINGS: tuple[Setting, ...] = (
    Setting('workers', _count, 1,
            'worker processes sharing the listening sockets; 0 serves in the launcher '
            'itself (no reload on SIGHUP)'),
    Setting('graceful_timeout', _seconds, 30.0,
            'seconds open connections get to finish on SIGTERM/SIGINT/SIGHUP before they '
            'are destroyed'),
    Setting('idle_timeout', _seconds, 0.0,
            'destroy a connection idle for this many seconds (0: never)'),
    Setting('max_connections', _count, 0,
            "refuse connections beyond this many per worker and mount (Node's "
            'maxConnections; 0: no limit)', server_option=True),
    Setting('allow_half_open', _boolean, False,
            'keep the writable side open after the peer ends', server_option=True),
    Setting('pause_on_connect', _boolean, False,
            'start connections paused (the handler calls resume())', server_option=True),
    Setting('no_delay', _boolean, False, "disable Nagle's algorithm on connections",
            server_option=True),
    Setting('keep_alive', _boolean, False, 'enable TCP keep-alive on connections',
            server_option=True),
    Setting('keep_alive_initial_delay', _seconds, 0.0,
            'seconds of idleness before the first keep-alive probe', server_option=True),
    Setting('backlog', _count, 511, 'length of the queue of pending connections'),
    Setting('log_level', _level, 'info', 'logging level: ' + ', '.join(_LEVELS)),
    Setting('access_log', _boolean, False,
            'log a line per connection: peer, bytes in/out, duration, how it ended'),
    Setting('monkey_patch', _boolean, True,
            "monkey-patch the standard library with gevent's before importing the app"),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass
class Mount:
    """A target (handler name or ``module:attribute``) and its addresses."""

    target: str
    endpoints: list[Endpoint]

    def __str__(self) -> str:
        return '{}={}'.format(self.target, ','.join(map(str, self.endpoints)))


@dataclass
class Config:
    """Every setting's value, and the mounts."""

    values: dict[str, Any]
    mounts: list[Mount] = field(default_factory=list)
    source: str | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def server_options(self) -> dict[str, Any]:
        """``create_server`` keyword arguments (Node's units)."""
        options = {}
        for setting in SETTINGS:
            if setting.server_option and setting.name != 'max_connections':
                value = self.values[setting.name]
                if setting.name == 'keep_alive_initial_delay':
                    value = int(value * 1000)
                options[setting.name] = value
        return options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The settings as command-line flags (unset flags stay ``None``)."""
    for setting in SETTINGS:
        if setting.validate is _boolean:
            group = parser.add_mutually_exclusive_group()
            on, off = '--' + setting.name.replace('_', '-'), '--no-' + setting.name.replace('_', '-')
            group.add_argument(on, dest=setting.name, action='store_const', const=True,
                               default=None,
                               help=argparse.SUPPRESS if setting.default else setting.help)
            group.add_argument(off, dest=setting.name, action='store_const', const=False,
                               help=("don't " + setting.help) if setting.default else argparse.SUPPRESS)
        else:
            kind = float if setting.validate is _seconds else int if setting.validate is _count else str
            parser.add_argument(setting.flag, dest=setting.name, type=kind, default=None,
                                metavar=setting.name.upper(), help=setting.help + f' (default: {setting.default})')


def load_file(path: str) -> tuple[dict[str, Any], list[Mount]]:
    """Settings and mounts from a TOML file (``[[mount]]`` tables with
    ``target`` and ``listen``)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        raise ConfigError(f'reading {path} needs Python 3.11 (tomllib)') from None
    try:
        with open(path, 'rb') as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f'cannot read config {path}: {err.strerror or err}') from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f'config {path} is not valid TOML: {err}') from None
    mounts = [_mount_from_table(table, path, i) for i, table in enumerate(_mount_tables(data, path))]
    values = {}
    for key, value in data.items():
        if key == 'mount':
            continue
        setting = _BY_NAME.get(key.replace('-', '_'))
        if setting is None:
            raise ConfigError('config {}: unknown setting {!r} (known: {}, [[mount]])'.format(path, key, ', '.join(_BY_NAME)))
        values[setting.name] = _checked(setting, value, f'config {path}')
    return values, mounts


def _mount_tables(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    tables = data.get('mount', [])
    if isinstance(tables, dict):
        tables = [tables]
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f'config {path}: mount must be [[mount]] tables')
    return tables


def _mount_from_table(table: dict[str, Any], path: str, index: int) -> Mount:
    where = 'config %s, mount %d' % (path, index + 1)
    target = table.get('target', table.get('handler'))
    if not isinstance(target, str) or not target:
        raise ConfigError(f'{where}: needs target = "handler name or module:attribute"')
    listen = table.get('listen')
    if isinstance(listen, (str, int)):
        listen = [listen]
    if not listen or not isinstance(listen, list):
        raise ConfigError(f'{where}: needs listen = ["ADDR", ...]')
    unknown = set(table) - {'target', 'handler', 'listen'}
    if unknown:
        raise ConfigError(f'{where}: unknown key {sorted(unknown)[0]!r}')
    return Mount(target, [_endpoint(str(addr), where) for addr in listen])


def _endpoint(text: str, where: str) -> Endpoint:
    try:
        return parse_endpoint(text)
    except EndpointError as err:
        raise ConfigError(f'{where}: {err}') from None


def _checked(setting: Setting, value: Any, where: str) -> Any:
    try:
        return setting.validate(value)
    except ConfigError as err:
        raise ConfigError(f'{where}: {setting.name}: {err}') from None


def build_config(args: argparse.Namespace, cli_mounts: list[Mount]) -> Config:
    """The file's settings overridden by the command line's, then defaults."""
    values: dict[str, Any] = {}
    mounts: list[Mount] = []
    source = getattr(args, 'config', None)
    if source:
        values, mounts = load_file(source)
    for setting in SETTINGS:
        given = getattr(args, setting.name, None)
        if given is not None:
            values[setting.name] = _checked(setting, given, setting.flag)
        values.setdefault(setting.name, setting.default)
    if cli_mounts:
        mounts = cli_mounts
    return Config(values, mounts, source)


def settings_table() -> str:
    """The settings as a Markdown table, for the docs."""
    rows = ['| config key | flag | default | what it does |', '|---|---|---|---|']
    for setting in SETTINGS:
        rows.append(f'| `{setting.name}` | `{setting.flag}` | `{setting.default}` | {setting.help} |')
    return '\n'.join(rows)
