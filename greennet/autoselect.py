"""Node 20's ``autoSelectFamily`` (happy eyeballs): the module-level defaults."""
from __future__ import annotations

__all__ = ['get_default_auto_select_family', 'set_default_auto_select_family',
           'get_default_auto_select_family_attempt_timeout',
           'set_default_auto_select_family_attempt_timeout']

_default = {'family': True, 'timeout': 250}


def get_default_auto_select_family() -> bool:
    """Node's ``net.getDefaultAutoSelectFamily()``."""
    return bool(_default['family'])


def set_default_auto_select_family(value: bool) -> None:
    """Node's ``net.setDefaultAutoSelectFamily(value)``."""
    _default['family'] = value


def get_default_auto_select_family_attempt_timeout() -> int:
    """Node's ``net.getDefaultAutoSelectFamilyAttemptTimeout()``."""
    return int(_default['timeout'])


def set_default_auto_select_family_attempt_timeout(value: int) -> None:
    """Node's ``net.setDefaultAutoSelectFamilyAttemptTimeout(value)``."""
    _default['timeout'] = value
