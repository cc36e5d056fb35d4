"""Generated Python modules of compiled gradients and kernels: write, import, source.

The lowest layer under ``simulate.gradient`` (f' as a numba cfunc) and
``simulate.specialise`` (kernels specialised for one f'): both write a module
of generated text to the cache folder and import it by name here.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile


def function_source(g, name: str = "grad_py") -> str:
    """``def name(x): ...`` -- the Python source of f' both kernel paths compile.

    ``g`` is a ``simulate.gradient.Gradient`` (its ``code``: assignments, then ``return``).
    """
    return f"def {name}(x):\n" + "".join(f"    {line}\n" for line in g.code.splitlines())


def write_generated(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, unless the file already holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def load_generated(path, text: str, name: str, on_error=None):
    """Write ``text`` to ``path`` (atomically, only if it changed) and import it
    as module ``name`` (kept in ``sys.modules``: numba's cache resolves a
    module by name). If the import raises, ``on_error(module, exc)`` may
    repair the half-executed module and return it; without it (or if it
    raises) the module is dropped and the exception propagates."""
    write_generated(path, text)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:  # noqa: BLE001 - numba errors of any kind go to on_error
        try:
            if on_error is None:
                raise
            return on_error(mod, exc)
        except BaseException:
            del sys.modules[name]
            raise
    return mod
