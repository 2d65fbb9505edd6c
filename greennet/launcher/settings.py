"""The launcher's settings, each declared once: its name (the config-file
key), its type (which converts command-line text and checks config-file
values), its default, what it does and, for a server setting, how its value
becomes the ``Server`` attribute of the same name. The argument parser, the
TOML loader and the docs' table are all made from :data:`SETTINGS`, as
gunicorn's ``config.py`` does.

Durations are seconds here (operators' units); a ``Server`` takes Node's,
milliseconds where Node counts them. Numbers are finite and ASCII: NaN,
infinities and out-of-range values are refused wherever they are read.
"""
from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .endpoints import Endpoint, EndpointError, parse_endpoint

__all__ = ['Setting', 'SETTINGS', 'Mount', 'Config', 'ConfigError', 'Switch', 'Count', 'Seconds',
           'Milliseconds', 'Choice', 'PemFile', 'AddressList', 'tls_options', 'add_arguments',
           'load_file', 'build_config', 'settings_table']


class ConfigError(ValueError):
    """A setting or config file that is not valid; the message says which."""


# -- types --------------------------------------------------------------------


class Kind:
    """A setting's type: reads command-line text, checks a config-file value."""

    metavar = 'VALUE'

    def parse(self, text: str) -> Any:
        """The value of a command-line argument."""
        raise NotImplementedError

    def check(self, value: Any) -> Any:
        """The value of a config-file entry (a TOML value)."""
        raise NotImplementedError

    def describe(self) -> str:
        """The values it takes, for the docs."""
        raise NotImplementedError


class Switch(Kind):
    """On or off: ``--name`` / ``--no-name`` on the command line."""

    def parse(self, text: str) -> bool:
        """``'on'`` or ``'off'``: which of the two flags was given."""
        return self.check({'on': True, 'off': False}.get(text, text))

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f'expected true or false, got {value!r}')

    def describe(self) -> str:
        return 'true or false'


@dataclass(frozen=True)
class Count(Kind):
    """A whole number from ``lowest`` to ``highest``."""

    lowest: int = 0
    highest: int = 2 ** 31 - 1
    metavar = 'N'

    def parse(self, text: str) -> int:
        if not re.fullmatch(r'[0-9]{1,19}', text.strip()):
            raise ConfigError(self._expected(text))
        return self.check(int(text))

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or \
                not self.lowest <= value <= self.highest:
            raise ConfigError(self._expected(value))
        return value

    def _expected(self, value: Any) -> str:
        return f'expected a whole number from {self.lowest} to {self.highest}, got {value!r}'

    def describe(self) -> str:
        return f'whole number, {self.lowest} to {self.highest}'


@dataclass(frozen=True)
class Seconds(Kind):
    """A finite number of seconds from 0 to ``highest``."""

    highest: float = 2147483.0
    metavar = 'SECONDS'

    def parse(self, text: str) -> float:
        if not re.fullmatch(r'([0-9]{1,12}(\.[0-9]{0,9})?|\.[0-9]{1,9})', text.strip()):
            raise ConfigError(self._expected(text))
        return self.check(float(text))

    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value) or not 0 <= value <= self.highest:
            raise ConfigError(self._expected(value))
        return float(value)

    def _expected(self, value: Any) -> str:
        return f'expected a number of seconds from 0 to {self.highest:.0f}, got {value!r}'

    def describe(self) -> str:
        return f'seconds, 0 to {self.highest:.0f}'


@dataclass(frozen=True)
class Choice(Kind):
    """One word of ``choices`` (any case)."""

    choices: tuple[str, ...] = ()
    metavar = 'WORD'

    def parse(self, text: str) -> str:
        return self.check(text)

    def check(self, value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in self.choices:
            raise ConfigError('expected one of {}, got {!r}'.format(', '.join(self.choices), value))
        return value.lower()

    def describe(self) -> str:
        return ', '.join(self.choices)


@dataclass(frozen=True)
class PemFile(Kind):
    """A PEM file (certificate, key or CAs), read when each worker starts: a
    reload (``SIGHUP``) serves what is on disk then."""

    metavar = 'FILE'

    def parse(self, text: str) -> str:
        return self.check(text)

    def check(self, value: Any) -> str:
        if not isinstance(value, str) or not value or '\0' in value:
            raise ConfigError(f'expected the path of a PEM file, got {value!r}')
        return value

    def describe(self) -> str:
        return 'path of a PEM file'


@dataclass(frozen=True)
class Milliseconds(Count):
    """A whole number of milliseconds from ``lowest`` to ``highest`` (where
    the value is Node's, as ``proxy_protocol_timeout``)."""

    metavar = 'MS'

    def _expected(self, value: Any) -> str:
        return f'expected a whole number of milliseconds from {self.lowest} to {self.highest}, got {value!r}'

    def describe(self) -> str:
        return f'milliseconds, {self.lowest} to {self.highest}'


class AddressList(Kind):
    """IP addresses and ``net/prefix`` subnets: comma-separated on the command
    line, a list of strings in the config file; checked by
    :func:`greennet.proxy_protocol.trusted_proxies_list`."""

    metavar = 'ADDR,...'

    def parse(self, text: str) -> list[str]:
        return self.check([part.strip() for part in text.split(',')])

    def check(self, value: Any) -> list[str]:
        from ..proxy_protocol import trusted_proxies_list
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise ConfigError(f'expected a list of IP addresses or net/prefix subnets, got {value!r}')
        for entry in value:
            try:
                trusted_proxies_list([entry])
            except (TypeError, ValueError):
                raise ConfigError(f'expected an IP address or a net/prefix subnet, got {entry!r}') from None
        return list(value)

    def describe(self) -> str:
        return 'IP addresses and net/prefix subnets'


def _same(value: Any) -> Any:
    return value


def _milliseconds(seconds: float) -> int:
    return int(seconds * 1000)


def _limit(count: int) -> int | None:
    return count or None


# -- the settings ---------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One setting of the launcher."""

    name: str
    kind: Kind
    default: Any
    help: str
    #: For a server setting: its value as the ``Server`` attribute of the
    #: same name takes it (``None`` for a setting of the launcher itself).
    server: Callable[[Any], Any] | None = None
    #: For a setting a ``Server`` takes only when it is made (an option of
    #: ``create_server``): its value as that option.
    option: Callable[[Any], Any] | None = None

    @property
    def flag(self) -> str:
        """The command-line flag (``--no-...`` for a switch that is on by default)."""
        flag = '--' + self.name.replace('_', '-')
        return '--no-' + flag[2:] if self.default is True else flag


_LEVELS = ('debug', 'info', 'warning', 'error', 'critical')

SETTINGS: tuple[Setting, ...] = (
    Setting('workers', Count(0, 1024), 1,
            'worker processes sharing the listening sockets; 0 serves in the launcher '
            'itself (no reload on SIGHUP)'),
    Setting('graceful_timeout', Seconds(), 30.0,
            'seconds open connections get to finish on SIGTERM/SIGINT/SIGHUP before every '
            'socket is destroyed'),
    Setting('idle_timeout', Seconds(), 0.0,
            'destroy a connection idle for this many seconds (0: never)'),
    Setting('max_connections', Count(), 0,
            "refuse connections beyond this many per worker and mount (Node's "
            'maxConnections; 0: no limit)', server=_limit),
    Setting('allow_half_open', Switch(), False,
            'keep the writable side open after the peer ends', server=_same),
    Setting('pause_on_connect', Switch(), False,
            'start connections paused (the handler calls resume())', server=_same),
    Setting('no_delay', Switch(), False, "disable Nagle's algorithm on connections", server=_same),
    Setting('keep_alive', Switch(), False, 'enable TCP keep-alive on connections', server=_same),
    Setting('keep_alive_initial_delay', Seconds(32767.0), 0.0,
            'seconds of idleness before the first keep-alive probe', server=_milliseconds),
    Setting('proxy_protocol', Switch(), False,
            'every connection starts with a PROXY protocol header (v1 or v2, as HAProxy sends): '
            'the app, block_list, max_connections and the access log see the client; read before TLS',
            option=_same),
    Setting('trusted_proxies', AddressList(), None,
            'comma-separated addresses and net/prefix subnets whose PROXY headers are believed '
            '(not given: loopback only, 127.0.0.0/8 and ::1); a connection from elsewhere is dropped',
            option=_same),
    Setting('proxy_protocol_timeout', Milliseconds(0, 2 ** 31 - 1), 3000,
            'milliseconds the whole PROXY header may take, then the connection is dropped (0: no '
            'limit; the specification asks for at least 3000)', option=_same),
    Setting('tls_cert', PemFile(), None,
            'serve every mount over TLS with this certificate (chain) file; re-read on SIGHUP'),
    Setting('tls_key', PemFile(), None, "the certificate's private key file (default: in tls_cert)"),
    Setting('tls_ca', PemFile(), None, 'CA certificates file trusted for client certificates'),
    Setting('tls_client_certs', Switch(), False,
            'require client certificates signed by tls_ca (mutual TLS)'),
    Setting('backlog', Count(0, 65535), 511, 'length of the queue of pending connections'),
    Setting('reuse_port', Switch(), False,
            'one listening socket per worker (SO_REUSEPORT) for each TCP address, so that the kernel '
            "spreads connections evenly; the master keeps each worker slot's socket across restarts "
            'and reloads (Linux, FreeBSD 12+)'),
    Setting('log_level', Choice(_LEVELS), 'info', 'logging level: ' + ', '.join(_LEVELS)),
    Setting('access_log', Switch(), False,
            'log a line per connection: peer, bytes in/out, duration, how it ended'),
    Setting('monkey_patch', Switch(), True,
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
    """Every setting's value, the mounts, and which settings were given
    (by a flag or the file) rather than left at their defaults."""

    values: dict[str, Any]
    mounts: list[Mount] = field(default_factory=list)
    source: str | None = None
    given: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def server_settings(self, given_only: bool = False) -> dict[str, Any]:
        """The server settings as ``Server`` attributes (Node's units):
        all of them, or only those given (for a ``Server`` the app made)."""
        return {s.name: s.server(self.values[s.name]) for s in SETTINGS
                if s.server is not None and (not given_only or s.name in self.given)}

    def server_options(self, given_only: bool = False) -> dict[str, Any]:
        """The settings a ``Server`` takes when it is made, as
        ``create_server`` options: all of them, or only those given."""
        return {s.name: s.option(self.values[s.name]) for s in SETTINGS
                if s.option is not None and (not given_only or s.name in self.given)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The settings as command-line flags; values stay text (``None`` when
    not given) until :func:`build_config` converts them."""
    for setting in SETTINGS:
        dashed = setting.name.replace('_', '-')
        if isinstance(setting.kind, Switch):
            group = parser.add_mutually_exclusive_group()
            on = setting.default is not True
            group.add_argument('--' + dashed, dest=setting.name, action='store_const', const='on',
                               default=None, help=setting.help if on else argparse.SUPPRESS)
            group.add_argument('--no-' + dashed, dest=setting.name, action='store_const', const='off',
                               help=argparse.SUPPRESS if on else "don't " + setting.help)
        else:
            parser.add_argument(setting.flag, dest=setting.name, default=None,
                                metavar=setting.kind.metavar,
                                help=f'{setting.help} (default: {setting.default})')


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
    except (OSError, ValueError) as err:
        if isinstance(err, tomllib.TOMLDecodeError):
            raise ConfigError(f'config {path} is not valid TOML: {err}') from None
        raise ConfigError(f'cannot read config {path}: {getattr(err, "strerror", None) or err}') from None
    mounts = [_mount_from_table(table, path, i) for i, table in enumerate(_mount_tables(data, path))]
    values = {}
    for key, value in data.items():
        if key == 'mount':
            continue
        setting = _BY_NAME.get(key.replace('-', '_'))
        if setting is None:
            raise ConfigError('config {}: unknown setting {!r} (known: {}, [[mount]])'.format(
                path, key, ', '.join(_BY_NAME)))
        values[setting.name] = _converted(setting.kind.check, value, f'config {path}: {setting.name}')
    return values, mounts


def _mount_tables(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    tables = data.get('mount', [])
    if isinstance(tables, dict):
        tables = [tables]
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f'config {path}: mount must be [[mount]] tables')
    return tables


def _mount_from_table(table: dict[str, Any], path: str, index: int) -> Mount:
    where = f'config {path}, mount {index + 1}'
    target = table.get('target', table.get('handler'))
    if not isinstance(target, str) or not target or '\0' in target:
        raise ConfigError(f'{where}: needs target = "handler name or module:attribute"')
    listen = table.get('listen')
    if isinstance(listen, (str, int)) and not isinstance(listen, bool):
        listen = [listen]
    if not listen or not isinstance(listen, list) or \
            not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in listen):
        raise ConfigError(f'{where}: needs listen = ["ADDR", ...]')
    unknown = set(table) - {'target', 'handler', 'listen'}
    if unknown:
        raise ConfigError(f'{where}: unknown key {sorted(unknown)[0]!r}')
    return Mount(target, [_converted(parse_endpoint, str(addr), where) for addr in listen])


def _converted(convert: Callable[[Any], Any], value: Any, where: str) -> Any:
    try:
        return convert(value)
    except (ConfigError, EndpointError) as err:
        raise ConfigError(f'{where}: {err}') from None


def build_config(args: argparse.Namespace, cli_mounts: list[Mount]) -> Config:
    """The file's settings overridden by the command line's, then defaults."""
    values: dict[str, Any] = {}
    mounts: list[Mount] = []
    source = getattr(args, 'config', None)
    if source:
        values, mounts = load_file(source)
    given = set(values)
    for setting in SETTINGS:
        text = getattr(args, setting.name, None)
        if text is not None:
            values[setting.name] = _converted(setting.kind.parse, text, setting.flag)
            given.add(setting.name)
        values.setdefault(setting.name, setting.default)
    return Config(values, cli_mounts or mounts, source, frozenset(given))


def settings_table() -> str:
    """The settings as a Markdown table, for the docs."""
    rows = ['| config key | flag | values | default | what it does |', '|---|---|---|---|---|']
    for setting in SETTINGS:
        rows.append(f'| `{setting.name}` | `{setting.flag}` | {setting.kind.describe()} '
                    f'| `{setting.default}` | {setting.help} |')
    return '\n'.join(rows)


def tls_options(config: Config) -> dict[str, Any] | None:
    """``greennet.tls.create_server()``'s options from the TLS settings (the
    files read now), or ``None`` when ``tls_cert`` is not set."""
    if not config.values.get('tls_cert'):
        return None

    def read(name: str) -> bytes:
        try:
            with open(config.values[name], 'rb') as handle:
                return handle.read()
        except OSError as err:
            raise ConfigError(f'{name}: cannot read {config.values[name]}: {err.strerror}') from None
    cert = read('tls_cert')
    options: dict[str, Any] = {'cert': cert, 'key': read('tls_key') if config.values.get('tls_key') else cert}
    if config.values.get('tls_ca'):
        options['ca'] = read('tls_ca')
    if config.values.get('tls_client_certs'):
        if 'ca' not in options:
            raise ConfigError('tls_client_certs needs tls_ca')
        options['request_cert'] = True
    return options
