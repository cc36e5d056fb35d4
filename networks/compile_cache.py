"""JAX's persistent compilation cache for ``networks``: compiled programs kept on disk.

The training steps and measures compile in a few seconds each; with the cache
a second process (the command line again, the tests, the dashboard after a
restart) loads them instead. The folder is ``.cache/jax`` in the project, or
the one named by JAX's own ``JAX_COMPILATION_CACHE_DIR`` variable; the cache
is only a speed-up (a missing or read-only folder leaves it off, nothing fails).
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".cache" / "jax"
#: Programs that compile faster than this are not written (eager single operations).
MIN_COMPILE_SECONDS = 0.2


def enable(folder: str | os.PathLike | None = None) -> Path | None:
    """Keep compiled programs in ``folder`` (default: see the module); the folder used, or None."""
    folder = Path(folder or os.environ.get("JAX_COMPILATION_CACHE_DIR") or DEFAULT_DIR)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
