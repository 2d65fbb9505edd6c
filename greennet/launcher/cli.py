"""The ``greennet`` command (also ``python -m greennet``).

``greennet run TARGET --listen ADDR``, ``greennet run --mount NAME=ADDR ...``,
``greennet run --config FILE``; ``greennet handlers``; ``greennet check``.
Problems are reported in one line on stderr, with exit status 2 for a usage
problem (unknown handler, unimportable target, malformed flag, address or
config) and 1 for a runtime one (a port in use), and no traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from .endpoints import EndpointError, parse_endpoint
from .errors import USAGE, LaunchError
from .settings import Config, ConfigError, Mount, add_arguments, build_config

__all__ = ['main', 'build_parser']

PROG = 'greennet'
#: The hidden command a master starts its workers with (see :mod:`.protocol`).
WORKER = '_worker'


class _Parser(argparse.ArgumentParser):
    """argparse, reporting a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f'{PROG}: error: {message}\n')


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Run greennet apps: Node's net servers on gevent.")
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', parser_class=_Parser)
    commands.required = True

    run = commands.add_parser('run', help='serve a handler or an app',
                              description='Serve TARGET (a registered handler name or '
                              'module:attribute) on the --listen addresses, or the --mount '
                              'pairs, or the mounts of --config FILE.')
    _add_mount_arguments(run)
    add_arguments(run)

    check = commands.add_parser('check', help='import and validate without serving',
                                description='Import the targets and check the settings and '
                                'addresses as run would (socket activation included), '
                                'without serving.')
    _add_mount_arguments(check)
    add_arguments(check)

    commands.add_parser('handlers', help='list every registered handler')
    return parser


def _add_mount_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('target', nargs='?', metavar='TARGET',
                        help='a handler name (greennet handlers lists them) or module:attribute '
                        '(a connection listener, a Server, or a factory returning either)')
    parser.add_argument('--listen', '-l', action='append', default=[], metavar='ADDR',
                        help='where TARGET listens: PORT, HOST:PORT, [IPv6]:PORT, unix:/path, '
                        'fd:N or systemd:NAME (repeatable)')
    parser.add_argument('--mount', '-m', action='append', default=[], metavar='NAME=ADDR',
                        help='serve a target on an address (repeatable; several mounts run in '
                        'one process)')
    parser.add_argument('--config', '-c', metavar='FILE',
                        help='a TOML file of settings and [[mount]] tables; flags override it')


def _cli_mounts(args: argparse.Namespace) -> list[Mount]:
    mounts: list[Mount] = []
    if args.target:
        mounts.append(Mount(args.target, [parse_endpoint(a) for a in args.listen]))
    elif args.listen:
        raise LaunchError('--listen needs a TARGET to serve')
    by_name: dict[str, Mount] = {}
    for pair in args.mount:
        name, equals, address = pair.partition('=')
        if not equals or not name or not address:
            raise LaunchError(f'bad --mount {pair!r}: expected NAME=ADDR')
        mount = by_name.get(name)
        if mount is None:
            mount = by_name[name] = Mount(name, [])
            mounts.append(mount)
        mount.endpoints.append(parse_endpoint(address))
    return mounts


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [WORKER]:
        from .worker import leave, worker_main
        leave(worker_main())
    args = build_parser().parse_args(argv)
    try:
        if args.command == 'handlers':
            return _handlers()
        config = build_config(args, _cli_mounts(args))
        from .worker import configure_logging
        configure_logging(config.log_level)
        if not config.mounts:
            raise LaunchError('nothing to serve: give TARGET --listen ADDR, --mount NAME=ADDR '
                              'or --config FILE')
        from .sockets import check_reuse_port
        check_reuse_port(config)
        if args.command == 'check':
            return _check(config)
        return _run(config)
    except (ConfigError, EndpointError) as err:
        return _fail(str(err), USAGE)
    except LaunchError as err:
        return _fail(str(err), err.status)
    except KeyboardInterrupt:
        return 130


def _fail(message: str, status: int) -> int:
    sys.stderr.write(f'{PROG}: error: {message}\n')
    return status


def _run(config: Config) -> int:
    if config.workers:
        from .master import Master
        return Master(config).run()
    return _serve_here(config)


def _serve_here(config: Config) -> int:
    """``--workers 0``: bind and serve in this process."""
    from .sockets import Listeners
    from .targets import add_import_path
    from .worker import Worker, leave, monkey_patch
    add_import_path()
    monkey_patch(config)
    from . import systemd
    listeners = Listeners(config)
    try:
        worker = Worker(config, listeners.bind(), reload_supported=False)
        worker.start()
        systemd.notify('READY=1')
        status = worker.serve()
    finally:
        listeners.close()
    leave(status)
    return status


def _handlers() -> int:
    from ..registry import entry_point_errors, handlers
    rows = [(h.name, h.origin, h.description) for h in handlers()]
    width = max((len(name) for name, _, _ in rows), default=4)
    for name, origin, description in rows:
        print(f"{name:<{width}}  {description or '-'}")
        print(f"{'':<{width}}  from {origin}")
    for problem in entry_point_errors():
        sys.stderr.write(f'{PROG}: warning: handler not loaded: {problem}\n')
    return 0


def _check(config: Config) -> int:
    from .sockets import Listeners
    from .targets import add_import_path, load_target
    from .worker import monkey_patch
    add_import_path()
    monkey_patch(config)
    targets = [load_target(mount.target) for mount in config.mounts]
    planned = Listeners(config).plan()
    for mount, target in zip(config.mounts, targets):
        where = ', '.join(str(e) for m, e in planned if m is mount)
        print(f'ok: {mount.target} ({target.kind}) on {where}')
    return 0
