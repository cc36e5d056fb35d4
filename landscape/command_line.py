"""What every command line of the project shares: number arguments and the bad-input exit.

Used by ``python -m landscape`` and ``python -m networks`` (this module imports
nothing of either). Bad input: exit code 2, one line ``error: ...`` on stderr,
and ``{"error": ...}`` on stdout under ``--json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

EXIT_BAD_INPUT = 2


def number_argument(text: str) -> float:
    """An argparse ``type``: a float, ``inf`` allowed, ``nan`` refused."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if math.isnan(value):
        raise argparse.ArgumentTypeError("nan is not allowed")
    return value


def exit_bad_input(error: BaseException, as_json: bool) -> int:
    """Report ``error`` as one line (stderr; stdout JSON too if ``as_json``); the exit code."""
    message = " ".join(str(error).split()) or type(error).__name__
    if as_json:
        print(json.dumps({"error": message}))
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
