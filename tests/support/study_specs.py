"""Small TOML study specs shared by the study and Studies-page tests."""

from __future__ import annotations

EXIT_SPEC = """
kind = "exit-times"
expr = "x^4/4 - x^2/2"
L = 2.0
x0 = -1.0
samples = 10
seed = 4
chunk = 3
[noise]
family = "pareto"
alpha = 1.2
scale = 0.1
[grid]
eta = [0.1, 0.03]
b = [0.5, "inf"]
"""


OCC_SPEC = """
kind = "occupancy"
expr = "paper-fig2"
x0 = 0.3
paths = 6
steps = 100000
bins = 40
chunk = 4
[grid]
eta = [0.01]
b = [0.5, "inf"]
"""


def interrupt_after(chunks_wanted: int):
    """A study ``progress`` callback that stops the run (KeyboardInterrupt, as Ctrl+C)
    once ``chunks_wanted`` chunks are done; its ``calls`` list records every report."""
    calls: list[int] = []

    def progress(chunks, total, cells, n_cells, frac):
        calls.append(chunks)
        if chunks == chunks_wanted:
            raise KeyboardInterrupt

    progress.calls = calls
    return progress
