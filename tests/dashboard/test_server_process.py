"""dashboard.server_process: what the server process sets up once (F18: ast.parse serialised)."""

from __future__ import annotations

import pytest


def test_ast_parse_is_serialised_in_the_server_process(monkeypatch):
    """F18: ast.parse from two threads at once can fail on CPython 3.11 (shared recursion
    depth); the server lets one thread at a time parse."""
    import ast
    import sys
    import threading

    from dashboard import server_process

    if sys.version_info >= (3, 13):
        pytest.skip("the recursion depth is per call since CPython 3.13")
    monkeypatch.setattr(ast, "parse", ast.parse)  # undone after the test
    server_process.serialise_ast_parse()
    server_process.serialise_ast_parse()  # idempotent: one wrapper
    assert ast.parse._serialised and not getattr(ast.parse.__wrapped__, "_serialised", False)
    done = threading.Event()
    with server_process._AST_LOCK:  # another thread is parsing
        t = threading.Thread(target=lambda: (ast.parse("x + 1"), done.set()))
        t.start()
        assert not done.wait(0.3)  # waits for it
    assert done.wait(5)
    t.join()
    assert isinstance(ast.parse("x**2", mode="eval"), ast.Expression)
