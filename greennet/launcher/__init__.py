"""The ``greennet`` launcher: runs apps as pre-forked workers sharing their
listening sockets, reloads them on SIGHUP, stops them gracefully, speaks
systemd. The core package (``import greennet``) does not depend on it.

Modules: :mod:`.cli` (the command line), :mod:`.settings` (every setting,
declared once), :mod:`.endpoints` (listen addresses), :mod:`.sockets`
(binding them), :mod:`.targets` (loading apps), :mod:`.master` (the master
process), :mod:`.worker` (serving, and the stop sequence), :mod:`.protocol`
(how master and workers talk), :mod:`.systemd`, :mod:`.alerts`.

What an app uses is the drain hook (:mod:`.drain`)::

    from greennet.launcher import on_drain, draining
"""
from .drain import Drain, draining, on_drain, remove_drain_listener

__all__ = ['Drain', 'draining', 'on_drain', 'remove_drain_listener']
