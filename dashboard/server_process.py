"""Settings of the server process as a whole (``serve.py`` applies them at start)."""

from __future__ import annotations

import ast
import functools
import sys
import threading

_AST_LOCK = threading.Lock()


def serialise_ast_parse() -> None:
    """Let one thread at a time run ``ast.parse`` in this process (CPython < 3.13).

    CPython 3.11 and 3.12 keep the AST constructor's recursion depth in interpreter-wide
    state; when a garbage collection in the middle of one thread's parse lets another
    thread parse, the first one fails with ``SystemError: AST constructor recursion depth
    mismatch`` (python/cpython#106905 and its follow-ups). Ten sessions opening the app at
    once did exactly that: Streamlit parses each page script on first use (magic
    commands) and the formula parser parses each formula (RELIABILITY.md F18). Parses are
    short (milliseconds), so one lock costs nothing noticeable. Idempotent.
    """
    if sys.version_info >= (3, 13) or getattr(ast.parse, "_serialised", False):
        return
    original = ast.parse

    @functools.wraps(original)
    def parse(*args, **kwargs):
        with _AST_LOCK:
            return original(*args, **kwargs)

    parse._serialised = True
    ast.parse = parse
