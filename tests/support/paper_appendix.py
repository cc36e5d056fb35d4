"""The paper's Fig. 2 landscape as printed in its appendix A.1 (THEORY.md section 6).

Built directly in SymPy for the simulate tests and the benchmark, so they do
not depend on the formula parser. When ``landscape`` carries the appendix
formula as a preset, use that instead (one formula, one place).
"""

from __future__ import annotations

import sympy as sp

#: the wall of the paper's experiments
L = 1.6
#: the local maxima s_1, s_2, s_3 (exact: f = 0 there)
MAXIMA = (-1.3, 0.2, 0.7)
#: the local minima m_1..m_4 computed from the formula (THEORY.md section 6)
MINIMA = (-1.5115, -0.6993, 0.4962, 1.3221)


def appendix_f(x: sp.Symbol) -> sp.Expr:
    """f(x) of the paper's appendix A.1, in the symbol x."""
    r = sp.Rational
    return ((x + r(16, 10)) * (x + r(13, 10)) ** 2 * (x - r(2, 10)) ** 2 * (x - r(7, 10)) ** 2
            * (x - r(16, 10)) * (r(5, 100) * sp.Abs(r(165, 100) - x)) ** r(6, 10)
            * (1 + 1 / (r(1, 100) + 4 * (x - r(5, 10)) ** 2))
            * (1 + 1 / (r(1, 10) + 4 * (x + r(15, 10)) ** 2))
            * (1 - sp.exp(-5 * (x + r(8, 10)) ** 2) / 4))


class AppendixLandscape:
    """Minimal landscape (``.expr``, ``.dexpr``) of the appendix formula."""

    def __init__(self):
        self.x = sp.Symbol("x", real=True)
        self.expr = appendix_f(self.x)
        self.dexpr = sp.diff(self.expr, self.x)
