"""``python -m greennet``: the launcher's command line."""
import sys

from .cli import main

sys.exit(main())
