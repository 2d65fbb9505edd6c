"""House rules that a reader of the tree relies on: one module per concern,
none over 600 lines (greennet/ and the benchmark's bench/)."""
import glob
import os

from conftest import ROOT

MAX_LINES = 600


def test_no_module_over_600_lines():
    paths = glob.glob(os.path.join(ROOT, 'greennet', '**', '*.py'), recursive=True)
    paths += glob.glob(os.path.join(ROOT, 'bench', '*.py'))
    assert paths
    long = {}
    for path in paths:
        with open(path, encoding='utf-8') as fh:
            count = sum(1 for _ in fh)
        if count > MAX_LINES:
            long[os.path.relpath(path, ROOT)] = count
    assert not long, f'over {MAX_LINES} lines: {long}'
