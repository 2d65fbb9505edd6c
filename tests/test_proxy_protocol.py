"""The PROXY protocol (v1, v2) on greennet servers: the parser on its own
(every split point, garbage, over-long lines, never a byte past the header),
then real loopback connections: the client's address on the socket,
``proxy_info``, LOCAL, drops ('untrusted', 'malformed', 'too_long',
'truncated', 'timeout'), block_list and max_connections by the client's
address, TLS behind the header, and close() waiting for headers in flight.
Every wait is on an event with a timeout.
"""
from __future__ import annotations

import os
import socket
import ssl
import struct

import gevent
import pytest
from conftest import close_server, get, listen, wait_event
from gevent import socket as gsocket
from gevent.event import AsyncResult
from hypothesis import given, settings
from hypothesis import strategies as st

import greennet
import greennet.tls as tls
from greennet.proxy_header import V1_MAX, V2_SIGNATURE, HeaderParser, State, crc32c, parse_v1, parse_whole
from greennet.proxy_header import _parse_v1_split as parse_v1_split

pytestmark = pytest.mark.timeout(60)

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')


def v2(command=0x1, fam=0x11, addresses=b'', tlvs=b'') -> bytes:
    body = addresses + tlvs
    return V2_SIGNATURE + bytes([0x20 | command, fam]) + struct.pack('!H', len(body)) + body


def v2_inet(src='9.8.7.6', dst='10.0.0.1', sport=4444, dport=443, tlvs=b'') -> bytes:
    return v2(addresses=socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!HH', sport, dport),
              tlvs=tlvs)


def v2_inet6(src='2001:db8::7', dst='2001:db8::1', sport=5555, dport=443) -> bytes:
    return v2(fam=0x21, addresses=socket.inet_pton(socket.AF_INET6, src)
              + socket.inet_pton(socket.AF_INET6, dst) + struct.pack('!HH', sport, dport))


def tlv(kind: int, value: bytes) -> bytes:
    return bytes([kind]) + struct.pack('!H', len(value)) + value


V1 = b'PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\r\n'
GOOD = [V1, b'PROXY TCP6 2001:db8::9 ::1 65535 0\r\n', b'PROXY UNKNOWN\r\n',
        b'PROXY UNKNOWN ff:: 1.2.3.4 whatever\r\n', v2_inet(), v2_inet6(),
        v2_inet(tlvs=tlv(1, b'h2') + tlv(2, b'example.com')), v2(command=0, fam=0)]


def feed(parser: HeaderParser, stream: bytes, cuts: list[int]) -> int:
    """Deliver ``stream`` as the kernel would, in pieces ending at ``cuts``;
    each time the parser sees what has arrived and is not consumed (a peek,
    at most ``want()`` bytes). Returns the bytes consumed."""
    consumed = 0
    arrived = 0
    for cut in sorted(set(cuts)) + [len(stream)]:
        arrived = max(arrived, cut)
        while parser.state not in (State.DONE, State.FAILED) and consumed < arrived:
            window = stream[consumed:arrived][:parser.want()]
            taken = parser.receive(window)
            consumed += taken
            if taken < len(window):
                assert parser.state in (State.DONE, State.FAILED)
            if not taken:
                break
    return consumed


# -- the parser -------------------------------------------------------------------


@pytest.mark.parametrize('header', GOOD)
def test_parser_whole_headers(header):
    parser = HeaderParser()
    assert feed(parser, header + b'payload', []) == len(header)
    assert parser.state is State.DONE


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(GOOD), st.lists(st.integers(0, 120), max_size=12), st.binary(max_size=40))
def test_parser_any_split_same_header_never_past_it(header, cuts, payload):
    whole = HeaderParser()
    feed(whole, header, [])
    split = HeaderParser()
    assert feed(split, header + payload, [c for c in cuts if c <= len(header) + len(payload)]) == len(header)
    assert split.state is State.DONE
    assert split.header == whole.header


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.lists(st.integers(0, 300), max_size=6))
def test_parser_garbage_never_hangs_nor_overreads(garbage, cuts):
    parser = HeaderParser()
    consumed = feed(parser, garbage, cuts)
    assert consumed <= len(garbage)
    assert parser.state in (State.DONE, State.FAILED, State.V1_LINE, State.V2_FIXED, State.V2_BODY)
    if parser.state is State.V1_LINE:
        assert consumed == len(garbage) < V1_MAX
    if parser.state is State.DONE and garbage[:1] == b'P':
        assert garbage[consumed - 2:consumed] == b'\r\n' and consumed <= V1_MAX


@settings(max_examples=100, deadline=None)
@given(st.integers(V1_MAX - 8, 400))
def test_parser_v1_line_over_107_bytes(length):
    line = b'PROXY UNKNOWN ' + b'x' * (length - 16) + b'\r\n'
    parser = HeaderParser()
    feed(parser, line, list(range(0, len(line), 7)))
    if len(line) <= V1_MAX:
        assert parser.state is State.DONE
    else:
        assert (parser.state, parser.reason) == (State.FAILED, 'too_long')


@pytest.mark.parametrize('bad', [
    b'GET / HTTP/1.1\r\n', b'PROXY TCP4 1.2.3.4 5.6.7.8 1111\r\n', b'PROXY TCP4 ::1 ::1 1 2\r\n',
    b'PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n', b'PROXY TCP4 1.2.3.4 5.6.7.8 01 80\r\n',
    b'PROXY TCP4 1.2.3.4 5.6.7.8 65536 80\r\n', b'PROXY TCP4 1.2.3.04 5.6.7.8 1 80\r\n',
    b'PROXY TCP4 1.2.3.4 5.6.7.8 1 80\n', b'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n',
    b'PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n', b'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n',
    V2_SIGNATURE[:11] + b'X' + b'\x21\x11\x00\x00',
    V2_SIGNATURE + b'\x31\x11\x00\x0c' + b'\0' * 12,          # version 3
    V2_SIGNATURE + b'\x22\x11\x00\x0c' + b'\0' * 12,          # command 2
    V2_SIGNATURE + b'\x21\x41\x00\x0c' + b'\0' * 12,          # family 4
    V2_SIGNATURE + b'\x21\x11\x00\x08' + b'\0' * 8,           # addresses cut short
    v2_inet(tlvs=b'\x01\x00\x09abc'),                          # a TLV past the end
    v2_inet(tlvs=tlv(3, b'\0\0\0\1')),                         # a wrong CRC32C
])
def test_parser_malformed(bad):
    parser = HeaderParser()
    feed(parser, bad, [])
    assert (parser.state, parser.reason) == (State.FAILED, 'malformed')


def test_parser_crc32c_checked():
    assert crc32c(b'123456789') == 0xE3069283
    unsigned = v2_inet(tlvs=tlv(3, b'\0\0\0\0'))
    signed = unsigned[:-4] + struct.pack('!I', crc32c(unsigned))
    parser = HeaderParser()
    feed(parser, signed, [])
    assert parser.state is State.DONE
    assert parser.header["tlvs"][3] == signed[-4:]


def test_parser_info_keys():
    parser = HeaderParser()
    feed(parser, v2_inet(tlvs=tlv(1, b'h2') + tlv(0xE0, b'x')), [])
    assert parser.header == {
        'version': 2, 'command': 'PROXY', 'family': 'IPv4', 'transport': 'stream',
        'source_address': '9.8.7.6', 'source_port': 4444,
        'destination_address': '10.0.0.1', 'destination_port': 443,
        'tlvs': {1: b'h2', 0xE0: b'x'}}


# -- the fast path at accept -------------------------------------------------------

_OCTET = st.one_of(st.integers(0, 255).map(str), st.sampled_from(['00', '01', '256', '999', '1a', '']))
_PORT = st.one_of(st.integers(0, 65535).map(str),
                  st.sampled_from(['00', '080', '65536', '99999', '123456', '']))


@settings(max_examples=500, deadline=None)
@given(st.lists(_OCTET, min_size=4, max_size=4), st.lists(_OCTET, min_size=3, max_size=5),
       _PORT, _PORT, st.sampled_from([b'TCP4', b'TCP6', b'TCP4 ', b'tcp4']))
def test_v1_tcp4_in_one_match_as_word_by_word(src, dst, sport, dport, proto):
    """The usual line's regular expression takes what the general parser
    takes, and gives the same header."""
    line = b' '.join([b'PROXY', proto, '.'.join(src).encode(), '.'.join(dst).encode(),
                      sport.encode(), dport.encode()])
    assert parse_v1(line) == parse_v1_split(line)


def _patient(data: bytes) -> tuple[int, dict] | None:
    parser = HeaderParser()
    consumed = feed(parser, data, [])
    return (consumed, parser.header) if parser.state is State.DONE else None


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.sampled_from(GOOD), st.binary(max_size=120),
                 st.sampled_from(GOOD).flatmap(lambda h: st.integers(0, len(h)).map(lambda n: h[:n]))),
       st.binary(max_size=40))
def test_whole_header_at_accept_as_the_parser_reads_it(start, rest):
    """What a connection's first bytes hold whole, ``parse_whole`` takes as
    the patient parser does (same length, same header); anything else it
    leaves to the parser."""
    data = start + rest
    fast = parse_whole(data)
    assert fast is None or fast == _patient(data)
    if start in GOOD:
        assert fast == _patient(data) and fast[0] == len(start)


# -- servers ------------------------------------------------------------------------


class Peers:
    """A PROXY-protocol server recording what each connection saw."""

    def __init__(self, host='127.0.0.1', server=None, **options):
        self.server = server or greennet.create_server(proxy_protocol=True, **options)
        self.drops = []
        self.dropped = AsyncResult()
        self.server.on('connection', self._on_connection)
        self.server.on('drop', self._on_drop)
        self.port = listen(self.server, port=0, host=host)['port']
        self.host = host

    def _on_connection(self, sock):
        sock.once('data', lambda data: sock.end(repr((
            sock.remote_address, sock.remote_port, sock.remote_family, data)).encode()))

    def _on_drop(self, data):
        self.drops.append(data)
        if not self.dropped.ready():
            self.dropped.set(data)

    def ask(self, *pieces: bytes, source='127.0.0.1', nodelay=False, half_close=False):
        """Send ``pieces`` (a header, then a payload) and read the answer."""
        family = socket.AF_INET6 if ':' in self.host else socket.AF_INET
        conn = gsocket.socket(family)
        try:
            conn.bind((source if family == socket.AF_INET else '::1', 0))
            conn.connect((self.host, self.port))
            if nodelay:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for piece in pieces:
                conn.sendall(piece)
            if half_close:
                conn.shutdown(socket.SHUT_WR)
            answer = b''
            with gevent.Timeout(5):
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            return eval(answer) if answer else None   # noqa: S307 - our own repr
        except ConnectionResetError:
            return None
        finally:
            conn.close()

    def close(self):
        close_server(self.server)


@pytest.fixture
def peers():
    made = []

    def make(*args, **kwargs):
        made.append(Peers(*args, **kwargs))
        return made[-1]
    yield make
    for p in made:
        p.close()


def test_v1_and_v2_give_the_clients_address(peers):
    p = peers()
    assert p.ask(V1, b'hi') == ('1.2.3.4', 1111, 'IPv4', b'hi')
    assert p.ask(v2_inet(), b'yo') == ('9.8.7.6', 4444, 'IPv4', b'yo')
    assert p.drops == []


def test_ipv6_client_over_an_ipv4_connection(peers):
    p = peers()
    assert p.ask(b'PROXY TCP6 2001:db8::9 ::1 65535 0\r\n', b'x') == ('2001:db8::9', 65535, 'IPv6', b'x')


def test_header_and_payload_byte_by_byte(peers):
    p = peers()
    for header in (V1, v2_inet()):
        pieces = [bytes([b]) for b in header + b'data']
        answer = p.ask(*pieces, nodelay=True)
        assert answer[:2] in (('1.2.3.4', 1111), ('9.8.7.6', 4444))
        assert answer[3].startswith(b'd')


def test_proxy_info_on_the_socket(peers):
    p = peers()
    infos = []
    p.server.on('connection', lambda sock: infos.append(sock.proxy_info))
    p.ask(v2_inet(tlvs=tlv(2, b'example.com')), b'.')
    p.ask(V1, b'.')
    assert infos[0]['tlvs'] == {2: b'example.com'} and infos[0]['version'] == 2
    assert infos[1] == {'version': 1, 'command': 'PROXY', 'family': 'IPv4', 'transport': 'stream',
                        'source_address': '1.2.3.4', 'source_port': 1111,
                        'destination_address': '5.6.7.8', 'destination_port': 80, 'tlvs': {}}


def test_local_and_unknown_keep_the_proxys_address(peers):
    p = peers()
    infos = []
    p.server.on('connection', lambda sock: infos.append(sock.proxy_info['command']))
    assert p.ask(v2(command=0, fam=0), b'health')[0::2] == ('127.0.0.1', 'IPv4')
    assert p.ask(b'PROXY UNKNOWN\r\n', b'x')[0] == '127.0.0.1'
    assert infos == ['LOCAL', 'PROXY'] and p.drops == []


def test_ipv4_client_on_an_ipv6_connection_is_mapped(peers):
    p = peers(host='::1')
    assert p.ask(V1, b'm') == ('::ffff:1.2.3.4', 1111, 'IPv6', b'm')
    assert p.ask(v2_inet6(), b'6') == ('2001:db8::7', 5555, 'IPv6', b'6')


@pytest.mark.parametrize('pieces, reason', [
    ((b'GET / HTTP/1.1\r\n\r\n',), 'malformed'),
    ((b'PROXY ' + b'x' * 200,), 'too_long'),
    ((b'PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\n',), 'malformed'),
    ((v2_inet()[:20],), 'truncated'),
])
def test_bad_headers_are_dropped(peers, pieces, reason):
    p = peers()
    connections = []
    p.server.on('connection', connections.append)
    assert p.ask(*pieces, half_close=reason == 'truncated') is None
    data = get(p.dropped, what="'drop'")
    assert data['reason'] == reason and data['remote_address'] == '127.0.0.1'
    assert connections == []


def test_late_header_dropped_after_the_timeout(peers):
    p = peers(proxy_protocol_timeout=150)
    conn = gsocket.create_connection(('127.0.0.1', p.port))
    try:
        conn.sendall(b'PROXY TCP4 1.2.3.4 ')
        data = get(p.dropped, what="'drop'")
        assert data['reason'] == 'timeout'
        assert conn.recv(10) == b''
    finally:
        conn.close()


def test_untrusted_source_dropped_before_reading(peers):
    p = peers(trusted_proxies=['127.0.0.2', '10.0.0.0/8'])
    assert p.ask(V1, b'spoof', source='127.0.0.3') is None
    data = get(p.dropped, what="'drop'")
    assert (data['reason'], data['remote_address']) == ('untrusted', '127.0.0.3')
    assert p.ask(V1, b'ok', source='127.0.0.2') == ('1.2.3.4', 1111, 'IPv4', b'ok')


def test_trusted_proxies_as_a_blocklist_applies_later_rules(peers):
    trusted = greennet.BlockList()
    p = peers(trusted_proxies=trusted)
    assert p.ask(V1, b'x') is None
    trusted.add_subnet('127.0.0.0', 8)
    assert p.ask(V1, b'x')[0] == '1.2.3.4'


def test_closed_before_a_byte_is_quiet(peers):
    p = peers()
    gsocket.create_connection(('127.0.0.1', p.port)).close()
    assert p.ask(V1, b'after')[0] == '1.2.3.4'
    closed = wait_event(p.server, 'close')
    p.server.close()
    get(closed)
    assert p.drops == []


def test_block_list_uses_the_clients_address(peers):
    blocked = greennet.BlockList()
    blocked.add_address('1.2.3.4')
    p = peers(block_list=blocked)
    assert p.ask(V1, b'x') is None
    data = get(p.dropped, what="'drop'")
    assert (data['remote_address'], data['remote_port'], data.get('reason')) == ('1.2.3.4', 1111, None)
    assert p.ask(b'PROXY TCP4 1.2.3.5 5.6.7.8 1 80\r\n', b'y')[0] == '1.2.3.5'


def test_max_connections_drop_reports_the_client(peers):
    p = peers()
    p.server.max_connections = 1
    held = AsyncResult()
    p.server.once('connection', held.set)
    first = gsocket.create_connection(('127.0.0.1', p.port))
    try:
        first.sendall(v2_inet())
        get(held)
        assert p.ask(b'PROXY TCP4 7.7.7.7 5.6.7.8 7 80\r\n', b'x') is None
        data = get(p.dropped, what="'drop'")
        assert (data['remote_address'], data['remote_port']) == ('7.7.7.7', 7)
    finally:
        first.close()


def test_close_waits_for_a_header_in_flight(peers):
    p = peers()
    conn = gsocket.create_connection(('127.0.0.1', p.port))
    try:
        conn.sendall(b'PROXY TCP4 1.2.3.4 ')
        with gevent.Timeout(5):   # accepted (not in the backlog, which close() resets)
            while not p.server._proxy.pending:
                gevent.sleep(0.005)
        connected = wait_event(p.server, 'connection')
        closed = wait_event(p.server, 'close')
        p.server.close()
        conn.sendall(b'5.6.7.8 1111 80\r\nlate')
        (sock,) = get(connected)
        assert sock.remote_address == '1.2.3.4'
        assert conn.recv(100).endswith(b"b'late')")
        conn.close()
        get(closed)
    finally:
        conn.close()


def test_tls_server_behind_the_header():
    def pem(name):
        with open(os.path.join(CERTS, name + '.pem'), 'rb') as fh:
            return fh.read()
    secured = AsyncResult()
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'),
                                'proxy_protocol': True},
                               lambda s: (s.on('error', lambda err: None),   # the client's reset
                                          secured.set((s.remote_address, s.remote_port, s.proxy_info)),
                                          s.end(b'secure')))
    port = listen(server, port=0, host='127.0.0.1')['port']

    def client():
        ctx = ssl.create_default_context(cafile=os.path.join(CERTS, 'ca-cert.pem'))
        with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
            raw.sendall(v2_inet(src='203.0.113.9', sport=40000))
            with ctx.wrap_socket(raw, server_hostname='localhost') as conn:
                return conn.recv(100)
    try:
        answer = gevent.get_hub().threadpool.spawn(client)
        address, port_, info = get(secured)
        assert (address, port_, info['version']) == ('203.0.113.9', 40000, 2)
        assert answer.get(timeout=5) == b'secure'
    finally:
        close_server(server)


@pytest.mark.parametrize('options, code', [
    ({'trusted_proxies': ['not an address']}, 'ERR_INVALID_ARG_VALUE'),
    ({'trusted_proxies': ['10.0.0.0/33']}, 'ERR_INVALID_ARG_VALUE'),
    ({'trusted_proxies': 5}, 'ERR_INVALID_ARG_TYPE'),
    ({'proxy_protocol_timeout': 'x'}, 'ERR_INVALID_ARG_TYPE'),
    ({'proxy_protocol_timeout': -1}, 'ERR_OUT_OF_RANGE'),
])
def test_options_checked_at_the_call(options, code):
    with pytest.raises((TypeError, ValueError)) as info:
        greennet.create_server(proxy_protocol=True, **options)
    assert info.value.code == code


def test_camel_case_options_dict(peers):
    p = peers(server=greennet.create_server({'proxyProtocol': True, 'trustedProxies': ['127.0.0.1'],
                                             'proxyProtocolTimeout': 1000}))
    assert p.ask(V1, b'c')[0] == '1.2.3.4'
