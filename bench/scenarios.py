"""What run.py measures: the SCENARIOS and SERVERS tables, the protocol each speaks, and the
like-for-like PAIRS of the report."""

# name: (loadgen mode, connections, size, metric key, unit, description)
SCENARIOS = {
    'pp1_64':      ('pingpong', 1, 64, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 64 B messages'),
    'pp1_1k':      ('pingpong', 1, 1024, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 1 KiB messages'),
    'pp1_16k':     ('pingpong', 1, 16384, 'ops_per_s', 'req/s', 'ping-pong, 1 connection, 16 KiB messages'),
    'pp50_64':     ('pingpong', 50, 64, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 64 B messages'),
    'pp50_1k':     ('pingpong', 50, 1024, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 1 KiB messages'),
    'pp50_16k':    ('pingpong', 50, 16384, 'ops_per_s', 'req/s', 'ping-pong, 50 connections, 16 KiB messages'),
    'stream8_64k': ('stream', 8, 65536, 'mb_per_s', 'MB/s',
                    'streaming, 8 connections, 64 KiB writes, up to 1 MiB in flight each'),
    'churn20':     ('churn', 20, 64, 'ops_per_s', 'conn/s',
                    '20 parallel loops of connect + 64 B echo + close, from 256 loopback source addresses'),
    'churn20_1src': ('churn', 20, 64, 'ops_per_s', 'conn/s',
                     'churn20 from the kernel\'s single default source address (127.0.0.1)'),
    'idle10k':     ('idle', 10000, 16, 'kib_per_conn', 'KiB/conn',
                    'server RSS growth per idle connection, 10,000 connections (lower is better)'),
    'lines50':     ('lines', 50, 32, 'ops_per_s', 'req/s',
                    'line KV protocol (SET k v / GET k, 32 B values), 50 connections, 1 request in flight each'),
    'churn20_proxy':  ('churn', 20, 64, 'ops_per_s', 'conn/s',
                       'churn20 with a PROXY v1 line first on every connection (256 source addresses)'),
    'churn20_proxy2': ('churn', 20, 64, 'ops_per_s', 'conn/s',
                       'churn20 with a PROXY v2 header first on every connection (256 source addresses)'),
    'tls_stream8_64k': ('stream', 8, 65536, 'mb_per_s', 'MB/s',
                        'TLS 1.3 streaming, 8 connections, 64 KiB writes, up to 1 MiB in flight each'),
    'tls_pp50_1k':  ('pingpong', 50, 1024, 'ops_per_s', 'req/s', 'TLS 1.3 ping-pong, 50 connections, 1 KiB messages'),
    'tls_churn20':  ('churn', 20, 64, 'ops_per_s', 'conn/s',
                     '20 parallel loops of connect + full TLS 1.3 handshake (no resumption) + 64 B echo + '
                     'close_notify + close, 256 source addresses'),
    'tls_idle1k':   ('idle', 1000, 16, 'kib_per_conn', 'KiB/conn',
                     'server RSS growth per idle TLS connection (handshake + one echo done), 1,000 connections '
                     '(lower is better)'),
}
LOWER_IS_BETTER = {'idle10k', 'tls_idle1k'}
# extra loadgen arguments per scenario (-S: source addresses, 0 = the kernel's choice; -t: TLS;
# -X: PROXY header version)
SCENARIO_ARGS = {'churn20': ['-S', '256'], 'churn20_1src': ['-S', '0'],
                 'churn20_proxy': ['-S', '256', '-X', '1'], 'churn20_proxy2': ['-S', '256', '-X', '2'],
                 'tls_stream8_64k': ['-t'], 'tls_pp50_1k': ['-t'], 'tls_churn20': ['-t', '-S', '256'],
                 'tls_idle1k': ['-t']}
TLS_SCENARIOS = ('tls_stream8_64k', 'tls_pp50_1k', 'tls_churn20', 'tls_idle1k')
# scenarios where the server's core is the limit: the ones a regression check looks at
SATURATED = ('pp50_64', 'pp50_1k', 'pp50_16k', 'stream8_64k', 'churn20', 'churn20_1src')

# the protocol a scenario needs (default 'echo'); a scenario runs only against servers speaking it
SCENARIO_PROTOCOL = {'lines50': 'lines', 'churn20_proxy': 'proxy', 'churn20_proxy2': 'proxy'}
SCENARIO_PROTOCOL.update((s, 'tls') for s in TLS_SCENARIOS)

# name: (kind, file, protocol)
SERVERS = {
    'greennet_pipe': ('python', 'greennet_pipe.py', 'echo'),
    'greennet_data': ('python', 'greennet_data.py', 'echo'),
    'gevent_raw':    ('python', 'gevent_raw.py', 'echo'),
    'node_pipe':     ('node', 'node_pipe.js', 'echo'),
    'node_data':     ('node', 'node_data.js', 'echo'),
    'greennet_lines_straight': ('python', 'greennet_lines_straight.py', 'lines'),
    'greennet_lines_events':   ('python', 'greennet_lines_events.py', 'lines'),
    'gevent_lines':            ('python', 'gevent_lines.py', 'lines'),
    'node_lines':              ('node', 'node_lines.js', 'lines'),
    'greennet_tls_pipe':       ('python', 'greennet_tls_pipe.py', 'tls'),
    'node_tls_pipe':           ('node', 'node_tls_pipe.js', 'tls'),
    'greennet_proxy_pipe':     ('python', 'greennet_proxy_pipe.py', 'proxy'),
    'greennet_tls_pipe_nodelay': ('python', 'greennet_tls_pipe.py', 'tls'),
    'node_tls_pipe_nodelay':     ('node', 'node_tls_pipe.js', 'tls'),
}
# extra command-line arguments of a server (after PORT HOST)
SERVER_ARGS = {'greennet_tls_pipe_nodelay': ['nodelay'], 'node_tls_pipe_nodelay': ['nodelay']}
BEFORE = '@before'          # suffix of the --baseline servers
SERVER_ROOTS = {}           # server name -> tree put on PYTHONPATH (default: ROOT)
BASELINE = 'gevent_raw'
# the raw-gevent reference of each protocol ("ratio to raw gevent", the plot)
BASELINES = {'echo': 'gevent_raw', 'lines': 'gevent_lines'}


def protocol(scen):
    return SCENARIO_PROTOCOL.get(scen, 'echo')


def speaks(server, scen):
    """Does this server speak the protocol of this scenario?"""
    return SERVERS[server][2] == protocol(scen)


def baseline_of(scen):
    return BASELINES.get(protocol(scen))


def is_idle(scen):
    return SCENARIOS[scen][0] == 'idle'
# "greennet vs node" table: like for like
PAIRS = [('greennet_pipe', 'node_pipe'), ('greennet_data', 'node_data'),
         ('greennet_pipe' + BEFORE, 'node_pipe'), ('greennet_data' + BEFORE, 'node_data'),
         ('greennet_pipe', 'gevent_raw'), ('greennet_data', 'gevent_raw'), ('gevent_raw', 'node_pipe'),
         ('greennet_lines_straight', 'node_lines'), ('greennet_lines_events', 'node_lines'),
         ('greennet_lines_straight', 'gevent_lines'), ('greennet_lines_events', 'gevent_lines'),
         ('greennet_lines_straight', 'greennet_lines_events'), ('gevent_lines', 'node_lines'),
         ('greennet_tls_pipe', 'node_tls_pipe'), ('greennet_tls_pipe_nodelay', 'node_tls_pipe_nodelay')]
