"""Shared by the bench/ modules: where things are (paths, the loopback host) and log() to stderr."""
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
BUILD = os.path.join(BENCH, 'build')
RESULTS = os.path.join(BENCH, 'results')
LOADGEN_SRC = os.path.join(BENCH, 'loadgen.c')
LOADGEN = os.path.join(BUILD, 'loadgen')
HOST = '127.0.0.1'


def log(msg):
    print(msg, file=sys.stderr, flush=True)
