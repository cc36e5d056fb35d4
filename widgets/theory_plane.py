"""The 2-D theory's numbers for the pages (THEORY.md 11): q_i, mean exit times, destinations
and the limiting chain, from ``landscape.predict.predict_plane`` on the cached analysis.

Used by the 2-D graph, exit-time and simulation pages, as the 1-D pages use
``ui.current_prediction``.
"""

from __future__ import annotations

import math
import threading

import pandas as pd
from cachetools import LRUCache

import landscape
from dashboard import figures
from dashboard import state as S
from widgets import plane_ui, ui

_PREDICTIONS: LRUCache = LRUCache(maxsize=32)
_LOCK = threading.Lock()


def get_plane_prediction(source: str, R: float, b: float, family: str, alpha: float, scale: float,
                         x0: tuple[float, float] | None = None):  # fmt: skip
    """``predict_plane`` once per settings and process (raises ``TheoryError``, a ValueError)."""
    from landscape.predict import predict_plane

    key = (source, R, b, family, alpha, scale, x0)
    with _LOCK:
        hit = _PREDICTIONS.get(key)
    if hit is not None:
        return hit
    analysis = plane_ui.get_plane_analysis(source, R, b, alpha)
    prediction = predict_plane(analysis, (family, alpha, scale), x0=x0)
    with _LOCK:
        _PREDICTIONS[key] = prediction
    return prediction


def current_plane_prediction(source: str, x0: tuple[float, float] | None = None):
    """(prediction or None, reason or None) for the sidebar's R, b and noise."""
    p = ui.params()
    try:
        return get_plane_prediction(source, float(p["L"]), float(S.effective_b(p)), str(p["noise"]),
                                    float(p["alpha"]), float(p["scale"]), x0), None  # fmt: skip
    except ValueError as err:
        return None, str(err)


def mean_exit(prediction, i: int, eta: float) -> float:
    """1/(q_i lambda_i(eta)) in steps (inf when q_i = 0)."""
    return landscape.predict_exit(prediction.rates, i, eta, prediction.noise).mean_exit_time


def rates_table(prediction, analysis, eta: float) -> pd.DataFrame:
    """One row per field: l*, q_i with its error (a segment: its range), the mean exit time at
    eta and where exits land (q_ij / q_i)."""
    rates = prediction.rates
    rows = []
    for i, fl in enumerate(analysis.fields):
        q, err = float(rates.q[i]), float(rates.errors[i])
        q_text = f"{q:.4g} ± {err:.2g}"
        if fl.minimiser.is_segment:
            q_text += f" (over the segment {rates.q_low[i]:.3g} to {rates.q_high[i]:.3g})"
        mean = mean_exit(prediction, i, eta)
        shares = rates.destinations(i)
        exits = ", ".join(f"Ω{j + 1} {v:.0%}" for j, v in sorted(enumerate(shares), key=lambda t: -t[1])
                          if v >= 0.005)  # fmt: skip
        rows.append({"field": f"Ω{i + 1}", "minimiser": plane_ui.minimiser_text(fl), "l*": int(rates.l_star[i]),
                     "q_i": q_text, f"mean exit time at η = {eta:g} (steps)":
                     f"{mean:.3g}" if math.isfinite(mean) else "no exit",
                     "exits land in (q_ij / q_i)": exits or "—"})  # fmt: skip
    return pd.DataFrame(rows)


def chain_text(prediction) -> str:
    """The limiting chain of each class in words (stationary law of the wide minima, or killing)."""
    parts = []
    for number, chain in enumerate(prediction.chains, start=1):
        wide = ", ".join(f"m{i + 1}" for i in chain.large)
        if chain.stationary is not None:
            law = ", ".join(f"m{i + 1} {v:.1%}" for i, v in zip(chain.large, chain.stationary))
            parts.append(f"class G{number}: wide minima {wide}; long-run share {law}")
        else:
            parts.append(f"class G{number} (transient): wide minima {wide}; leaves at rate "
                         + ", ".join(f"{k:.3g}" for k in chain.killing))  # fmt: skip
    return "; ".join(parts)


def show_rates(prediction, analysis, eta: float, key: str) -> None:
    """The rates table with its caption (limiting chain, error, the eta -> 0 caveat)."""
    import streamlit as st

    st.dataframe(rates_table(prediction, analysis, eta), hide_index=True, key=key)
    st.caption(figures.md_escape(
        "Theorem 1's constants in 2-D (THEORY §11): q_i by the ray integral (l* = 1) or quasi-Monte "
        "Carlo over the first jump (l* = 2) on the field map, ± the stated error; mean exit time "
        "1/(q_i λ_i(η)). Limiting chain: " + chain_text(prediction)
        + f". The {landscape.LIMIT_NOTE}; for l* = 2 simulated means were 0.5-0.75 of these at "
        "η = 1e-2 to 1e-4."))  # fmt: skip
