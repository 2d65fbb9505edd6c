"""The client of Node's ``net.createConnection()`` example, ported.

It connects to the echo server of ``examples/echo_server.py`` (or the
reference's server on port 8124), says ``world!``, prints what comes back
and ends the connection::

    python examples/client.py               # port 8124
    python examples/client.py 7000          # or PORT=7000
"""
import os
import sys

import greennet

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get('PORT', 8124))


def on_connect():
    # 'connect' listener.
    print('connected to server!', flush=True)
    client.write('world!\r\n')


client = greennet.create_connection({'port': PORT}, on_connect)


@client.on('data')
def on_data(data):
    print(data.decode(), flush=True)
    client.end()


@client.on('end')
def on_end():
    print('disconnected from server', flush=True)


greennet.run()
