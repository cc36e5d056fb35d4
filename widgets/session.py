"""The one owner of the browser session's state (``st.session_state``).

Every key the app keeps in a session is named here, once, and no other module touches
``st.session_state``: pages and glue call the accessors below with these constants.

- **View parameters** (what a link reproduces): the plain dict under ``PARAMS``, changed only
  through :func:`write` / :func:`adjust` / the bound widgets' callbacks, all of which call
  ``dashboard.state`` (Streamlit-free: parsing, limits, the URL, the notices). Its layout in
  the session (``PARAMS``, ``URL_NOTICES``, ``CHANGE_NOTICES``) is that module's.
- **Runs**: the live run (``RUN``, 1-D; ``PLANE_RUN``, 2-D), kept by
  ``dashboard.simrun.ensure_run`` / ``dashboard.simrun_plane.ensure_run`` under their own
  keys; the 2-D exit studies (``PLANE_EXITS``).
- **Per-page memory**: the keys below, each with what it holds; a widget whose state a
  page reads (``*_WIDGET``) is drawn with ``key=`` its constant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import simrun, simrun_plane
from dashboard import state as S

# ---------------------------------------------------------------- the keys

PARAMS = S.PARAMS_KEY  # {name: value}: the view parameters (dashboard.state.PARAMS)
URL_NOTICES = S.NOTICES_KEY  # what the first run could not use from the URL
CHANGE_NOTICES = S.CHANGE_NOTICES_KEY  # values changed by another one, said once
LAST_GOOD = "last_good_landscape"  # {mode, preset, formula, sketch} of the last accepted landscape

RUN = simrun.SESSION_KEY  # the 1-D live run (dashboard.simrun.LiveRun)
PLANE_RUN = simrun_plane.SESSION_KEY  # the 2-D live run (dashboard.simrun_plane.PlaneLiveRun)
PLANE_EXITS = "plane_exit"  # {ExitConfig: ExitResult}: the 2-D exit studies of this session
EXIT_STOPPED = "exit_stopped"  # True after Stop interrupted a 1-D exit study (said once)
RUN_TOKEN_READ = "run_token_read"  # True once this session looked up the URL's run (a reload)

LESSON_APPLIED = "lesson_applied"  # (step number, dimension) whose settings are on screen
LESSON_CHOSEN = "lesson_chosen"  # {(step key, dimension): index of the class's choice}
LESSON_2D_WIDGET = "lesson_2d"  # the lesson's "2-D" toggle
LESSON_REPLAY_WIDGET = "lesson_replay"  # the lesson's "replay the run" toggle

SWEEP_PICK_WIDGET = "sweep_pick"  # the b tuner's choice of an interval of the sweep
KEEP_PICK_WIDGET = "keep_pick"  # the b tuner's minima to keep

SKETCH_TABLE_WIDGET = "sketch_table"  # the sketch's point table (edits)
SKETCH_BASE = "sketch_base"  # the table's points when it was (re)drawn

STUDY_PATH_WIDGET = "study_path"  # the Studies page's results folder

NETWORKS_METHODS_WIDGET = "networks_methods"  # the Networks page's methods
NETWORKS_SLICE_METHOD_WIDGET = "networks_slice_method"  # the method whose slice or plane opens
NETWORKS_PARTIAL = "networks_partial"  # {key, records, runs, thetas}: a training in progress
NETWORKS_OPEN_LANDSCAPE = "networks_open_landscape"  # True: go to the Landscape page now
NETWORKS_PLANE_ERROR = "networks_plane_error"  # why a plane could not be opened (said once)
NETWORKS_PLANE_FIT = "networks_plane_fit"  # {expr, method, fit}: the plane formula's fit error

KEYS = frozenset(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))
"""Every session key of the app (the view parameters' widgets use the parameters' names)."""

_FORGET_ON_NEW_LANDSCAPE = (RUN, PLANE_RUN, PLANE_EXITS)


def _known(key: str) -> str:
    if key not in KEYS:
        raise KeyError(f"{key!r} is not a session key of widgets.session")
    return key


# ---------------------------------------------------------------- any key


def get(key: str, default: Any = None) -> Any:
    """The session's value under ``key`` (one of the constants above), or ``default``."""
    return st.session_state.get(_known(key), default)


def put(key: str, value: Any) -> Any:
    """Keep ``value`` under ``key`` for this session; returns it."""
    st.session_state[_known(key)] = value
    return value


def pop(key: str, default: Any = None) -> Any:
    """Remove ``key`` and return its value (``default`` if absent)."""
    return st.session_state.pop(_known(key), default)


def has(key: str) -> bool:
    return _known(key) in st.session_state


def chart_points(chart_key: str) -> list:
    """The points selected on the chart drawn with ``key=chart_key`` (its widget state)."""
    state = st.session_state.get(chart_key)
    try:
        return list(state.selection.points)
    except AttributeError:
        return []


# ---------------------------------------------------------------- view parameters


def init(query: dict[str, Any]) -> list[str]:
    """On a session's first run: the view parameters from the URL (``dashboard.state``);
    the notices of what could not be used."""
    return S.init_session(st.session_state, query)


def params() -> dict[str, Any]:
    """The view parameters (canonical values; read-only by convention: change them with
    :func:`write`)."""
    return st.session_state[PARAMS]


def write(name: str, value: Any) -> None:
    """Set the view parameter ``name`` (``dashboard.state.write``)."""
    S.write(st.session_state, name, value)


def adjust(name: str, value: Any, reason: str) -> None:
    """Change ``name`` because another value made it invalid, with a notice
    (``dashboard.state.adjust``)."""
    S.adjust(st.session_state, name, value, reason)


def pop_change_notices() -> list[str]:
    return S.pop_change_notices(st.session_state)


def bound_widget_callbacks(name: str, label: str, number_range: tuple | None) -> Callable[[], None]:
    """Seed the widget key ``name`` from its parameter (just before the widget is drawn) and
    return its ``on_change``: the edit becomes canonical (``dashboard.state``); a number box
    (``number_range`` = (lo, hi)) brings it into the range with a notice."""
    S.seed_widget(st.session_state, name)

    def changed() -> None:
        if number_range is not None:
            S.number_box_changed(st.session_state, name, label, *number_range)
        else:
            S.widget_changed(st.session_state, name)

    return changed


# ---------------------------------------------------------------- runs


def ensure_run(ensure: Callable, cfg, *args, token: str):
    """``simrun.ensure_run`` or ``simrun_plane.ensure_run`` on this session.

    The URL's run ``token`` names the run of a tab before its reload: only the session's
    first live page looks it up. Later the token is this session's own old run (of another
    landscape, or of the other dimension's page), which is not a reload to resume or lose.
    """
    if st.session_state.get(RUN_TOKEN_READ):
        token = ""
    st.session_state[RUN_TOKEN_READ] = True
    return ensure(st.session_state, cfg, *args, token=token)


def forget_runs() -> None:
    """Forget simulations and studies of this session (the landscape changed)."""
    for key in _FORGET_ON_NEW_LANDSCAPE:
        st.session_state.pop(key, None)
