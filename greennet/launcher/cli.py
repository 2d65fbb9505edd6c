"""The ``greennet`` command (also ``python -m greennet``).

``greennet run TARGET --listen ADDR``, ``greennet run --mount NAME=ADDR ...``,
``greennet run --config FILE``; ``greennet handlers``; ``greennet check``.
Problems are reported in one line on stderr, with exit status 2 for a usage
problem (unknown handler, unimportable target, malformed address or config)
and 1 for a runtime one (a port in use), and no traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import NoReturn

from .config import Config, ConfigError, Mount, add_arguments, build_config
from .endpoints import EndpointError, parse_endpoint
from .worker import USAGE, LaunchError

__all__ = ['main']

PROG = 'greennet'


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

    check = commands.add_parser('check', help='import and validate without serving')
    _add_mount_arguments(check)
    add_arguments(check)

    commands.add_parser('handlers', help='list every registered handler')
    commands.add_parser('_worker', help=argparse.SUPPRESS)
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


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper()), stream=sys.stderr,
                        format='%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s')


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == 'handlers':
            return _handlers()
        if args.command == '_worker':
            return _worker()
        config = build_config(args, _cli_mounts(args))
        _configure_logging(config.log_level)
        if not config.mounts:
            raise LaunchError('nothing to serve: give TARGET --listen ADDR, --mount NAME=ADDR '
                              'or --config FILE')
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


def _monkey_patch(config: Config) -> None:
    """Make the standard library cooperative before any app code is imported."""
    if config.monkey_patch:
        from gevent import monkey
        monkey.patch_all()


def _run(config: Config) -> int:
    if config.workers:
        from .arbiter import Arbiter
        return Arbiter(config).run()
    return _serve_here(config)


def _serve_here(config: Config) -> int:
    """``--workers 0``: bind and serve in this process."""
    _monkey_patch(config)
    from . import systemd
    from .arbiter import Listeners
    from .worker import Worker
    listeners = Listeners(config)
    try:
        worker = Worker(config, listeners.bind(), reload_supported=False)
        worker.start()
        systemd.notify('READY=1')
        worker.watch_systemd()
        return worker.serve()
    finally:
        listeners.close()


def _worker() -> int:
    """A worker of the master (``python -m greennet _worker``)."""
    from .arbiter import WORKER_SPEC_ENV
    spec = json.loads(os.environ.pop(WORKER_SPEC_ENV))
    status_fd = spec['status_fd']

    def status(line: str) -> None:
        try:
            os.write(status_fd, (line + '\n').encode())
        except OSError:
            pass
    config = Config(spec['config'], [], spec.get('source'))
    _configure_logging(config.log_level)
    _monkey_patch(config)
    import socket

    from .worker import Worker
    mounts: dict[str, Mount] = {}
    sockets = []
    for item in spec['sockets']:
        mount = mounts.setdefault(item['target'], Mount(item['target'], []))
        endpoint = parse_endpoint(item['endpoint'])
        sockets.append((mount, endpoint, socket.socket(fileno=item['fd'])))
    try:
        worker = Worker(config, sockets, status=status, beat=spec.get('beat', 1.0))
        worker.start()
    except LaunchError as err:
        status('fail %d %s' % (err.status, err))
        return err.status
    return worker.serve()


def _handlers() -> int:
    from .registry import entry_point_errors, handlers
    rows = [(h.name, h.origin, h.description) for h in handlers()]
    width = max((len(name) for name, _, _ in rows), default=4)
    for name, origin, description in rows:
        print('%-*s  %s' % (width, name, description or '-'))
        print('%-*s  from %s' % (width, '', origin))
    for problem in entry_point_errors():
        sys.stderr.write(f'{PROG}: warning: handler not loaded: {problem}\n')
    return 0


def _check(config: Config) -> int:
    _monkey_patch(config)
    from .worker import load_target
    for mount in config.mounts:
        target = load_target(mount.target)
        where = ', '.join(map(str, mount.endpoints)) or '(socket activation)'
        print(f'ok: {mount.target} ({target.kind}) on {where}')
    return 0
