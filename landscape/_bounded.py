"""Run a function under a time bound in a forked worker process.

``signal.alarm`` only works in the main thread, and Streamlit runs page
scripts in other threads, so SymPy work that might not terminate (exact
roots, building and differentiating a hostile formula) runs in a forked child
that is killed when the time is up. Forking copies the already-imported
SymPy, so a call costs milliseconds, not the seconds of a fresh interpreter.

The worker's CPU time is bounded (RLIMIT_CPU, whole seconds) and, looser, its
wall-clock time (``config.WORKER_WALL_FACTOR * timeout``, 1.75 s for the 1 s
parse bound, so an answer still comes within 2 s). A wall-clock bound alone
refused valid formulas whenever other sessions kept the 2 cores busy
(RELIABILITY.md finding F8); the slack absorbs most of that.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import pickle

from . import config


class WorkerUnavailable(RuntimeError):
    """No worker process could be started (no fork on this platform, daemon, ...)."""


def _limit_cpu(seconds: float) -> None:
    """Let the kernel stop this (forked) process after ``seconds`` of CPU time."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = max(1, math.ceil(seconds))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))     # SIGXCPU: no core file
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))


def _worker_main(sender, function, arguments, cpu_seconds=None) -> None:
    if cpu_seconds is not None:
        _limit_cpu(cpu_seconds)
    try:
        sender.send(("ok", function(*arguments)))
    except BaseException as error:  # noqa: BLE001 - report anything to the parent
        try:
            pickle.dumps(error)
            payload = error
        except Exception:  # noqa: BLE001 - unpicklable: send its text
            payload = RuntimeError(repr(error))
        with contextlib.suppress(BaseException):  # the parent then sees a failed worker
            sender.send(("error", payload))
    finally:
        sender.close()


def run_bounded(function, arguments: tuple, timeout: float):
    """Run ``function(*arguments)`` in a forked process for at most ``timeout`` s of CPU.

    ``timeout`` is rounded up to whole CPU seconds; the wall-clock limit is
    ``config.WORKER_WALL_FACTOR * timeout``.

    Returns
    -------
    (status, value)
        ``("ok", result)``, ``("error", exception raised by the function)`` or
        ``("timeout", None)``; a dead worker also gives ``"timeout"``.

    Raises
    ------
    WorkerUnavailable
        If no process can be forked here; callers then run in-process.
    """
    try:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker_main,
                                  args=(sender, function, arguments, timeout), daemon=True)
        process.start()
    except (ValueError, OSError, AssertionError) as error:
        raise WorkerUnavailable(str(error)) from None
    sender.close()
    try:
        if receiver.poll(config.WORKER_WALL_FACTOR * timeout):
            return receiver.recv()
        return "timeout", None
    except (EOFError, OSError, pickle.UnpicklingError):
        return "timeout", None
    finally:
        if process.is_alive():
            process.kill()
        process.join(1.0)
        receiver.close()
