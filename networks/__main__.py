"""``python -m networks``: see :mod:`networks.cli`."""

import sys

from .cli import main

sys.exit(main())
