"""``python -m simulate run|exit-times|exit-study`` (see simulate/cli.py)."""

import sys

from .cli import main

sys.exit(main())
