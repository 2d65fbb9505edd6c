"""``python -m greennet``: the launcher's command line (:mod:`greennet.launcher.cli`)."""
import sys

from .launcher.cli import main

sys.exit(main())
