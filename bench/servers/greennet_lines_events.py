"""greennet line-protocol KV server, event style: 'data' with a line splitter,
one write per response.

    SET k v -> OK     GET k -> the value, or NIL     anything else -> ERR

Usage: python greennet_lines_events.py PORT [HOST]
"""
import sys

import greennet

store = {}


def answer(line):
    cmd, _, rest = line.strip().partition(b' ')
    key, _, value = rest.partition(b' ')
    if cmd == b'GET' and key:
        return store.get(key, b'NIL') + b'\n'
    if cmd == b'SET' and key:
        store[key] = value
        return b'OK\n'
    return b'ERR\n'


def on_connection(c):
    c.on('error', lambda err: None)   # a peer's reset must not crash the server
    pending = b''

    def on_data(data):
        nonlocal pending
        if pending:
            data = pending + data
        *lines, pending = data.split(b'\n')
        for line in lines:
            c.write(answer(line))

    c.on('data', on_data)


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    greennet.create_server(on_connection).listen(port, host)
    greennet.run()


if __name__ == '__main__':
    main()
