"""An app mounted by name: install it, then ``greennet run shout --listen 7000``.

The entry point in ``pyproject.toml`` registers :func:`shout` as the
``shout`` handler; ``greennet handlers`` lists it.
"""
import greennet


@greennet.handler('shout')
def shout(socket):
    """Shout: send back everything received, in capitals."""
    socket.set_encoding('utf8')
    socket.on('error', lambda err: None)
    socket.on('data', lambda text: socket.write(text.upper()))
