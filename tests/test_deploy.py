"""deploy/: systemd accepts every unit, and the example config is valid."""
import os
import shutil
import socket
import subprocess
import sys

import pytest
from launcher_util import assert_one_line_error, base_env, run_greennet

from greennet.launcher.settings import load_file

pytestmark = pytest.mark.timeout(60)

DEPLOY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'deploy')
UNITS = sorted(name for name in os.listdir(DEPLOY) if name.endswith(('.service', '.socket')))


def _greennet_command() -> str:
    found = shutil.which('greennet', path=os.path.dirname(sys.executable)) or shutil.which('greennet')
    if found is None:
        pytest.skip('the greennet command is not installed')
    return found


@pytest.mark.skipif(shutil.which('systemd-analyze') is None, reason='systemd-analyze is absent')
def test_systemd_analyze_verify_accepts_every_unit(tmp_path):
    # The units name `greennet` as systemd finds it on its own search path
    # (/usr/local/bin, /usr/bin); here it is wherever the test's Python has it.
    command = _greennet_command()
    for name in UNITS:
        with open(os.path.join(DEPLOY, name)) as unit:
            text = unit.read().replace('ExecStart=greennet ', f'ExecStart={command} ')
        # An instance of each template, as systemctl would make it.
        (tmp_path / name.replace('@.', '@echo.')).write_text(text)
    paths = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(['systemd-analyze', 'verify', '--man=no'] + paths,
                            capture_output=True, text=True, timeout=50)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == '', result.stderr


def test_units_carry_what_the_deploy_guide_promises():
    with open(os.path.join(DEPLOY, 'greennet@.service')) as unit:
        service = unit.read()
    for line in ('Type=notify', 'ExecStart=greennet run --config /etc/greennet/%i.toml',
                 'ExecReload=/bin/kill -HUP $MAINPID', 'KillMode=mixed', 'WatchdogSec=',
                 'DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict',
                 'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes',
                 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'CapabilityBoundingSet=\n',
                 'SystemCallFilter=@system-service'):
        assert line in service, line
    stop = int(service.split('TimeoutStopSec=')[1].split()[0])
    values, mounts = load_file(os.path.join(DEPLOY, 'echo.toml'))
    assert stop > values['graceful_timeout']
    assert [m.target for m in mounts] == ['echo']


def test_example_config_checks():
    """``check`` resolves the config's ``systemd:echo`` as ``run`` would: with
    the socket passed (FileDescriptorName=echo) it is fine; without socket
    activation it is the one-line error ``run`` would give."""
    config = os.path.join(DEPLOY, 'echo.toml')
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    try:
        result = run_greennet(['check', '--config', config], activate=[listener],
                              env=base_env({'LISTEN_FDNAMES': 'echo'}))
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    assert 'ok: echo (listener) on systemd:echo' in result.stdout
    result = run_greennet(['check', '--config', config])
    assert result.returncode == 2
    assert_one_line_error(result.stderr, ['systemd:echo', 'not socket-activated'])
