"""The Fig. 2 polynomial stand-in (THEORY 6) as the kernel tests use it: f', its maxima, L."""

import sympy as sp

X = sp.Symbol("x", real=True)
# Fig. 2 stand-in (THEORY 6): f'(x) = 5 prod (x - c_k); fields cut at the maxima
FIG2_D = 5 * (X + 1.51) * (X + 1.3) * (X + 0.66) * (X - 0.2) * (X - 0.49) * (X - 0.7) * (X - 1.32)
FIG2_S = (-1.3, 0.2, 0.7)
L = 1.6


class Land:
    """Minimal stand-in for landscape.Landscape: only .dexpr is needed."""

    def __init__(self, dexpr):
        self.dexpr = dexpr


FIG2 = Land(FIG2_D)
