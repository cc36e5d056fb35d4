"""View parameters: their defaults, limits, URL encoding and session binding.

Streamlit-free. Every parameter that changes what a page shows is listed in
``PARAMS``; the app keeps the canonical values in ``session["params"]`` (a
plain dict), mirrors them into widget keys of the same name before each
widget is drawn, and writes them back to the URL at the end of each run, so a
link reproduces the view. Values read from the URL are validated here; a bad
value falls back to its default and produces a message the page can show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from landscape.config import MAX_FORMULA_LENGTH
from landscape.tails import FAMILIES as NOISE_FAMILIES

__all__ = [
    "ETA_CHOICES",
    "MODES",
    "NOISE_FAMILIES",
    "PARAMS",
    "Param",
    "adjust",
    "defaults",
    "effective_b",
    "format_float_list",
    "format_sketch",
    "init_session",
    "number_box_changed",
    "parse_float_list",
    "parse_query",
    "parse_sketch",
    "pop_change_notices",
    "preset_defaults",
    "seed_widget",
    "share_url",
    "snap_eta",
    "to_query",
    "widget_changed",
    "write",
]

PARAMS_KEY = "params"
NOTICES_KEY = "url_notices"
CHANGE_NOTICES_KEY = "change_notices"

MODES = ("preset", "formula", "sketch")


def _eta_choices() -> tuple[float, ...]:
    out: list[float] = []
    for exp in range(-5, 0):
        for mant in (1, 2, 5):
            out.append(float(f"{mant}e{exp}"))
    return tuple(v for v in out if v <= 0.5)


ETA_CHOICES = _eta_choices()


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    kind: str  # "float" | "int" | "str" | "bool" | "choice" | "floats"
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    max_len: int = 2000
    help: str = ""
    shared: bool = True  # False: kept in this tab's URL (for a reload), left out of share links

    def parse(self, raw: str) -> Any:
        """Parse one URL value; raise ValueError with a readable message."""
        raw = raw.strip() if self.kind != "str" else raw
        if self.kind == "float":
            return self._bounded(finite_float(raw, f"{self.name}={raw!r}"))
        if self.kind == "int":
            try:
                v = int(float(raw))
            except ValueError:
                raise ValueError(f"{self.name}={raw!r} is not a whole number") from None
            return int(self._bounded(v))
        if self.kind == "bool":
            low = raw.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.name}={raw!r} should be 1 or 0")
        if self.kind == "choice":
            if raw not in self.choices:
                raise ValueError(f"{self.name}={raw!r} is not one of {', '.join(self.choices)}")
            return raw
        if self.kind == "floats":
            try:
                vals = parse_float_list(raw)
            except ValueError as err:
                raise ValueError(f"{self.name}: {err}") from None
            for v in vals:
                self._bounded(v)
            return format_float_list(vals)
        # plain string
        if len(raw) > self.max_len:
            raise ValueError(f"{self.name} is longer than {self.max_len} characters")
        return raw

    def _bounded(self, v: float) -> float:
        if self.lo is not None and v < self.lo:
            raise ValueError(f"{self.name}={v:g} is below the minimum {self.lo:g}")
        if self.hi is not None and v > self.hi:
            raise ValueError(f"{self.name}={v:g} is above the maximum {self.hi:g}")
        return v

    def format(self, v: Any) -> str:
        if self.kind == "bool":
            return "1" if v else "0"
        if self.kind == "float":
            return f"{float(v):.10g}"
        if self.kind == "int":
            return str(int(v))
        return str(v)


_PARAM_LIST = (
    # landscape
    Param("mode", "preset", "choice", choices=MODES, help="where f comes from"),
    Param("preset", "paper-fig2", "str", max_len=80),
    Param("formula", "", "str", max_len=MAX_FORMULA_LENGTH),  # all the parser accepts
    Param("sketch", "", "str", max_len=4000),
    Param("L", 1.6, "float", 0.05, 50.0),
    # clipping and noise (shared by several pages)
    Param("clip", True, "bool"),
    Param("b", 0.5, "float", 0.001, 100.0),
    Param("noise", "pareto", "choice", choices=NOISE_FAMILIES),
    Param("alpha", 1.2, "float", 1.01, 20.0),
    Param("scale", 0.1, "float", 0.0, 100.0),
    # sweep
    Param("bmin", 0.05, "float", 0.001, 100.0),
    Param("bmax", 3.3, "float", 0.002, 200.0),
    Param("keep", "", "str", max_len=400),  # b tuner: 1-based minima to keep, "2,4"; "": the wide ones
    # live simulation
    Param("eta", 0.001, "float", 1e-6, 1.0),
    Param("paths", 20, "int", 1, 200),
    Param("x0", 0.3, "float", -50.0, 50.0),
    Param("y0", 0.0, "float", -50.0, 50.0),  # the start's y on a 2-D landscape (x0 is its x)
    Param("seed", 0, "int", 0, 2**31 - 1),
    Param("every", 250, "int", 1, 100000),
    Param("compare", False, "bool"),
    Param("run", "", "str", max_len=40, shared=False),  # the live run, found again after a reload
    # exit times
    Param("field", 2, "int", 1, 100),
    Param("etas", "0.1,0.03,0.01,0.003,0.001", "floats", 1e-6, 1.0),
    Param("samples", 20, "int", 2, 500),
    Param("eboth", False, "bool"),  # exit study: also run without clipping (paper Fig. 4)
    Param("ecap", 0, "int", 0, 10_000_000_000),  # exit study: step cap per run; 0 = auto (theory)
    # networks page (tail inflation on a real network)
    Param("ndata", "digits-corrupted", "str", max_len=300),
    Param("nmodel", "lenet", "choice", choices=("lenet", "mlp")),
    Param("nmethods", "LB,SB,SB+Clip,SB+Noise,Our1,Our2", "str", max_len=80),
    Param("nseeds", 1, "int", 1, 5),
    Param("nsteps", 600, "int", 10, 5000),
    Param("nb", 0.2, "float", 0.001, 100.0),
    Param("neta", 0.1, "float", 1e-4, 1.0),
    # lesson (pages/lesson_page.py)
    Param("step", 1, "int", 1, 20),  # the lesson's step, 1-based: a link opens the class on it
    Param("present", False, "bool"),  # presenter mode: no sidebar or settings, larger type
)

PARAMS: dict[str, Param] = {p.name: p for p in _PARAM_LIST}

EMPTY_MEANS = {
    "formula": "the default preset's formula",
    "sketch": "the default sketch",
    "keep": "the wide minima",
    "preset": "the default preset",
}
"""What an empty value of a text parameter shows, for the notices that name it."""


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in _PARAM_LIST}


def preset_defaults(key: str) -> dict[str, Any]:
    """The parameters preset ``key`` sets when it is picked: its L, b (or no clipping),
    eta (on the slider), start, noise and the b sweep's range; {} for an unknown key.

    A link that names a preset and leaves these out means the preset's own values
    (:func:`parse_query`, :func:`to_query`), as picking it on the page does."""
    from landscape.plane_presets import ALL_PRESETS

    preset = ALL_PRESETS.get(key)
    if preset is None:
        return {}
    out: dict[str, Any] = {"L": float(preset.L), "clip": math.isfinite(preset.b)}
    if out["clip"]:
        out["b"] = float(preset.b)
    out["eta"] = snap_eta(float(preset.eta))
    out["x0"] = float(preset.x0)
    y0 = getattr(preset, "y0", None)  # the start's y of a 2-D preset
    out["y0"] = float(y0) if y0 is not None else float(PARAMS["y0"].default)
    if preset.noise.family in NOISE_FAMILIES:
        out["noise"] = preset.noise.family
    if preset.noise.alpha is not None:
        out["alpha"] = float(preset.noise.alpha)
    out["scale"] = float(preset.noise.scale)
    out["bmin"] = float(PARAMS["bmin"].default)
    out["bmax"] = max(out["bmin"] * 2, round(2.0 * out["L"] + 0.1, 10))
    return out


def _link_defaults(mode: str, preset: str) -> dict[str, Any]:
    """What a link leaves out means: the defaults, and on a preset that preset's settings."""
    base = defaults()
    if mode == "preset":
        base.update(preset_defaults(preset))
    return base


def parse_query(query: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Parameters from a URL query mapping; unknown keys are ignored.

    Returns (params, notices); every value that could not be used is replaced
    by its default and named in ``notices``. A link with a formula (or a sketch) and no
    ``mode`` shows that formula (sketch); a link on a preset takes the preset's own
    settings (:func:`preset_defaults`) for those it leaves out.
    """
    given: dict[str, Any] = {}
    notices: list[str] = []
    for name, raw in query.items():
        p = PARAMS.get(name)
        if p is None:
            continue
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        try:
            given[name] = p.parse(str(raw))
        except ValueError as err:
            used = p.format(p.default) or EMPTY_MEANS.get(name, "nothing")
            notices.append(f"Ignored {err}; using {used}.")
    if "mode" not in query:  # a hand-written link: ?formula=... means "show this formula"
        for mode in ("formula", "sketch"):
            if query.get(mode) and given.get(mode):
                given["mode"] = mode
                break
    params = _link_defaults(given.get("mode", PARAMS["mode"].default),
                            given.get("preset", PARAMS["preset"].default))
    params.update(given)
    if params["bmax"] <= params["bmin"]:
        notices.append("Ignored bmax <= bmin; using the default sweep range.")
        params["bmin"], params["bmax"] = PARAMS["bmin"].default, PARAMS["bmax"].default
    return params, notices


def to_query(params: Mapping[str, Any]) -> dict[str, str]:
    """The URL query for ``params``: every parameter that differs from its default.

    Parameters equal to their default (on a preset: to the preset's own setting,
    :func:`preset_defaults`) are left out to keep links short; the defaults are part
    of the app's contract, so the link is still exact.
    Text of the mode not in use (e.g. the formula while a preset is shown) is
    dropped.
    """
    base = _link_defaults(params.get("mode", PARAMS["mode"].default),
                          params.get("preset", PARAMS["preset"].default))
    out: dict[str, str] = {}
    for p in _PARAM_LIST:
        v = params.get(p.name, base[p.name])
        if p.name == "formula" and params.get("mode") != "formula":
            continue
        if p.name == "sketch" and params.get("mode") != "sketch":
            continue
        if p.format(v) == p.format(base[p.name]):
            continue
        out[p.name] = p.format(v)
    return out


def share_url(base: str, params: Mapping[str, Any], page: str = "") -> str:
    """A link to ``page`` with ``params`` (base like 'http://host:8501/')."""
    from urllib.parse import urlencode

    url = base.rstrip("/") + "/" + page if page else base
    q = urlencode({k: v for k, v in to_query(params).items() if PARAMS[k].shared})
    return url + ("?" + q if q else "")


def init_session(session: MutableMapping[str, Any], query: Mapping[str, Any]) -> list[str]:
    """On the first run of a browser session, load params from the URL."""
    if PARAMS_KEY in session:
        return []
    params, notices = parse_query(query)
    session[PARAMS_KEY] = params
    session[NOTICES_KEY] = notices
    return notices


def write(session: MutableMapping[str, Any], name: str, value: Any) -> None:
    """The one way to change a parameter: store ``value`` as its canonical value.

    Widget keys are never written here: :func:`seed_widget` copies the
    canonical value into the widget key each time the widget is drawn, so a
    write from a callback, a button or page code (before or after the widget
    exists in this run) is picked up on the next draw, and a widget that
    Streamlit re-creates (its range changed) keeps the canonical value.
    """
    if name not in PARAMS:
        raise KeyError(f"unknown view parameter {name!r}")
    session[PARAMS_KEY][name] = value


def adjust(session: MutableMapping[str, Any], name: str, value: Any, reason: str) -> None:
    """Change a parameter because another one made its value invalid, and say so.

    The notice names the old and the new value; the app shows it once.
    """
    old = session[PARAMS_KEY][name]
    if old == value:
        return
    p = PARAMS[name]
    write(session, name, value)
    session.setdefault(CHANGE_NOTICES_KEY, []).append(
        f"{name} changed from {p.format(old)} to {p.format(value)}: {reason}.")


def pop_change_notices(session: MutableMapping[str, Any]) -> list[str]:
    """The notices :func:`adjust` queued since the last call (cleared)."""
    return session.pop(CHANGE_NOTICES_KEY, None) or []


def seed_widget(session: MutableMapping[str, Any], name: str) -> None:
    """Put the canonical value into the widget key ``name`` just before the widget is drawn.

    Always, not only when the key is missing: Streamlit gives a widget whose
    options or range changed a new identity and would reset it to its default
    (RELIABILITY.md F15: a new L reset b to the slider's minimum).
    """
    session[name] = session[PARAMS_KEY][name]


def widget_changed(session: MutableMapping[str, Any], name: str) -> None:
    """on_change of a bound widget: the user's new value becomes canonical."""
    if name in session:
        write(session, name, session[name])


def number_box_changed(session: MutableMapping[str, Any], name: str, label: str,
                       lo: float | None, hi: float | None) -> None:
    """on_change of a bound number box: the typed value, brought into [lo, hi], becomes
    canonical; a value outside the range (or an empty box) queues a notice naming the
    typed value and the one used, and the box shows the used value on the next draw."""
    if name not in session:
        return
    typed = session[name]
    used, why = typed, None
    if typed is None:  # an emptied box: keep the value in use
        used, why = session[PARAMS_KEY][name], "is empty"
    elif lo is not None and typed < lo:
        used, why = type(typed)(lo), f"is below the smallest allowed, {lo:g}"
    elif hi is not None and typed > hi:
        used, why = type(typed)(hi), f"is above the largest allowed, {hi:g}"
    write(session, name, used)
    if why is not None:
        shown = "the box" if typed is None else f"{label} = {typed:.15g}"
        session.setdefault(CHANGE_NOTICES_KEY, []).append(f"{shown} {why}; using {used:g}.")


def snap_eta(eta: float) -> float:
    """The nearest value on the log-scale eta slider."""
    return min(ETA_CHOICES, key=lambda c: abs(math.log(c) - math.log(max(eta, 1e-12))))


def finite_float(text: str, label: str) -> float:
    """float(text), or ValueError "<label> is not a number / not finite"."""
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"{label} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{label} is not finite")
    return v


def parse_float_list(text: str) -> list[float]:
    """'0.1, 0.03 0.01' -> [0.1, 0.03, 0.01]; raises ValueError naming the bad item."""
    items = [t for t in text.replace(";", ",").replace(" ", ",").split(",") if t.strip()]
    if not items:
        raise ValueError("give at least one number")
    out = []
    for t in items:
        out.append(finite_float(t, repr(t)))
    return out


def format_float_list(vals: list[float]) -> str:
    return ",".join(f"{v:.6g}" for v in vals)


def parse_sketch(text: str) -> list[tuple[float, float]]:
    """'x1,y1;x2,y2' (an optional 'sketch:' prefix) -> [(x1, y1), ...]."""
    text = text.removeprefix("sketch:")
    pts = []
    for i, item in enumerate(t for t in text.split(";") if t.strip()):
        parts = item.split(",")
        if len(parts) != 2:
            raise ValueError(f"point {i + 1} ({item!r}) should be 'x,y'")
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValueError(f"point {i + 1} ({item!r}) is not two numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"point {i + 1} is not finite")
        pts.append((x, y))
    return pts


def format_sketch(points: list[tuple[float, float]]) -> str:
    return ";".join(f"{x:.4g},{y:.4g}" for x, y in points)


def effective_b(params: Mapping[str, Any]) -> float:
    """The clipping threshold the theory sees: b, or inf when clipping is off."""
    return float(params["b"]) if params.get("clip", True) else math.inf
