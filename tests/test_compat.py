"""What greennet assumes of its dependencies' private names (greennet/compat.py):
each assumption holds for the installed versions, and a dependency that
changed is caught with a message naming what changed."""
import pytest
from pyee import EventEmitter

from greennet import compat


def test_the_installed_dependencies_have_what_greennet_assumes():
    compat.check_pyee()
    compat.check_gevent()
    compat.check_socket()


def test_a_pyee_that_stores_listeners_elsewhere_is_caught(monkeypatch):
    class Elsewhere(EventEmitter):
        def _add_event_handler(self, event, k, v):
            self._elsewhere = getattr(self, '_elsewhere', [])
            self._elsewhere.append((event, v))
    monkeypatch.setattr(compat, 'EventEmitter', Elsewhere)
    with pytest.raises(compat.DependencyChanged, match='_events'):
        compat.check_pyee()


def test_a_gevent_without_an_override_point_is_caught(monkeypatch):
    class Bare:
        pass
    monkeypatch.setattr(compat, 'StreamServer', Bare)
    with pytest.raises(compat.DependencyChanged, match='do_read'):
        compat.check_gevent()


def test_greennet_emitters_store_listeners_as_pyee_does():
    import greennet
    sock = greennet.Socket()

    def listener(data):
        pass
    sock.on('data', listener)
    assert sock._events['data'] == {listener: listener}
    assert sock.listeners('data') == [listener]
    sock.remove_listener('data', listener)
    assert sock.listeners('data') == []
    sock.destroy()
