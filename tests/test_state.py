"""The socket's state machines: the tables in greennet/state.py's docstring
are the tables in its code, and no module changes a state but through them."""
import os
import re

import pytest

from greennet import state

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROW = re.compile(r'^    ([A-Z_]+(?:, [A-Z_]+)*)\s+([a-z]+)\s+([A-Z_]+)\s')
#: A row whose sources fill the first line: its event and target follow.
SOURCES = re.compile(r'^    ([A-Z_]+(?:, [A-Z_]+)+)$')
CONTINUED = re.compile(r'^ {17}([a-z]+)\s+([A-Z_]+)\s')


def _documented():
    rows = {'CONNECTION': set(), 'READABLE': set(), 'WRITABLE': set()}
    pending = None
    for line in state.__doc__.splitlines():
        match = ROW.match(line)
        if pending is not None:
            continued = CONTINUED.match(line)
            match_groups = (pending,) + continued.groups() if continued else None
            pending = None
        else:
            opening = SOURCES.match(line)
            if opening:
                pending = opening.group(1)
                continue
            match_groups = match.groups() if match else None
        if not match_groups:
            continue
        sources, event, target = match_groups
        for source in sources.split(', '):
            value = getattr(state, source)
            table = ('READABLE' if source.startswith('R_') else
                     'WRITABLE' if source.startswith('W_') else 'CONNECTION')
            rows[table].add((value, event, getattr(state, target)))
    return rows


@pytest.mark.parametrize('name', ['CONNECTION', 'READABLE', 'WRITABLE'])
def test_the_docstring_table_is_the_code_table(name):
    code = {(source, event, target) for (source, event), target in getattr(state, name).items()}
    assert _documented()[name] == code


def test_a_move_not_in_the_table_is_refused():
    with pytest.raises(state.StateError):
        state.advance(state.CONNECTION, state.CLOSED, 'connected')


def test_states_change_only_through_the_tables():
    assigned = re.compile(r'\._(conn|rstate|wstate)\s*=(?!=)')
    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, 'greennet')):
        for name in files:
            if not name.endswith('.py') or name == 'state.py':
                continue
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as fh:
                for number, line in enumerate(fh, 1):
                    if assigned.search(line):
                        offenders.append(f'{os.path.relpath(path, ROOT)}:{number}: {line.strip()}')
    assert offenders == []
