"""Page 5: the theory in a page, what each control does, and the papers."""

from __future__ import annotations

import streamlit as st

st.title("About: clipping heavy-tailed SGD")

st.markdown(
    """
Stochastic gradient descent with **heavy-tailed** gradient noise occasionally takes huge
jumps. If every step is **clipped** at a threshold *b*, a jump can move at most *b*, so
leaving a minimum whose attraction field is wider than *b* takes several big jumps in a
row -- which is far rarer. Wide minima become traps, narrow (sharp) ones are left quickly:
for small learning rates the iterates **eliminate sharp minima** from their trajectory.
This app lets you check that on a function of your own, show it live, and choose *b*.
"""
)

st.header("1. The landscape")
st.markdown(
    "On $[-L, L]$ the critical points of $f$ alternate, "
    "$-L < m_1 < s_1 < m_2 < \\dots < s_{n-1} < m_n < L$, with $f''(m_i) > 0$ (minima) and "
    "$f''(s_i) < 0$ (maxima). The maxima cut the line into **attraction fields**"
)
st.latex(r"\Omega_i = (s_{i-1}, s_i), \qquad s_0 = -\infty,\; s_n = +\infty .")
st.markdown(
    "If a critical point is degenerate, a maximum is the outermost critical point, there is "
    "no minimum, or there are infinitely many, the app still simulates but says which "
    "condition fails and hides the panels that do not apply."
)

st.header("2. The algorithm")
st.latex(r"\varphi(w, c) = \min(\max(w, -c), c)")
st.latex(
    r"X_{n+1} = \varphi\big( X_n - \varphi(\eta\,(f'(X_n) - Z_n),\; b),\; L \big)"
)
st.markdown(
    "$b$ is the clipping threshold ($b=\\infty$: no clipping), $\\eta$ the learning rate; the "
    "outer $\\varphi$ keeps iterates in $[-L, L]$. The paper's heavy-tailed noise is "
    "$Z_n = 0.1\\,U_n W_n$ with $W_n$ Pareto type II (Lomax) of shape $\\alpha = 1.2$ and "
    "$U_n = \\pm 1$; the light-tailed reference is $Z_n \\sim N(0, 1)$. Also available: "
    "Student-t, symmetric $\\alpha$-stable, uniform, and no noise."
)

st.header("3. Widths and jump numbers")
st.latex(r"r_i = \min(|m_i - s_{i-1}|,\ |s_i - m_i|), \qquad l^*_i = \lceil r_i / b \rceil")
st.latex(
    r"l_{i,j} = \left\lceil \frac{s_{j-1} - m_i}{b} \right\rceil \ (j > i), \qquad "
    r"l_{i,j} = \left\lceil \frac{m_i - s_j}{b} \right\rceil \ (j < i)"
)
st.markdown(
    "$l^*_i$ is the fewest clipped jumps that leave $\\Omega_i$. When $r_i/b$ is (nearly) an "
    "integer the structure is about to change, and the app warns (Assumption 3)."
)

st.header("4. The typical transition graph")
st.markdown(
    "Vertices are the minima; there is an edge $m_i \\to m_j$ iff $l_{i,j} = l^*_i$: the "
    "cheapest exits. Its strongly connected components are the **communicating classes**; a "
    "class is **absorbing** if no edge leaves it, **transient** otherwise. In a class $G$, "
    "$l^*_G = \\max_{i\\in G} l^*_i$, and $m_i$ is a **large** (wide) minimum if "
    "$l^*_i = l^*_G$, **small** (sharp) otherwise."
)

st.header("5. What the theory predicts")
st.markdown("First exit from $\\Omega_i$ (Theorem 1): with $H(x) = P(|Z| > x)$,")
st.latex(
    r"\lambda_i(\eta) = H(1/\eta)\,\Big(\frac{H(1/\eta)}{\eta}\Big)^{l^*_i - 1}, \qquad "
    r"\mathbb{E}[\sigma_i] \propto (1/\eta)^{\beta_i}, \quad \beta_i = \alpha + (\alpha-1)(l^*_i - 1)."
)
st.markdown(
    "- Without clipping ($b > 2L$) every field has $\\beta = \\alpha$; with light-tailed noise "
    "the exit time grows like $e^{c/\\eta}$ -- trapped.\n"
    "- The iterate leaves $\\Omega_i$ for $\\Omega_j$ with positive probability only along an "
    "edge $m_i \\to m_j$ of the graph.\n"
    "- If the graph is irreducible, the fraction of time spent in fields of small minima goes "
    "to 0 as $\\eta \\to 0$ (Theorem 2): **sharp minima are eliminated**.\n"
    "- On the time scale $1/\\lambda_G(\\eta)$ the iterates behave like a continuous-time Markov "
    "chain on the large minima of the class (Theorems 3-5).\n"
    "- **Control:** $b$ sets every $l^*_i$, so $b$ decides which minima survive. A field of "
    "width $r < b$ is left after $\\sim(1/\\eta)^{\\alpha}$ steps; one with $r > b$ holds at least "
    "$\\sim(1/\\eta)^{2\\alpha - 1}$ steps."
)

st.header("6. The smoothing view")
st.markdown(
    "Kleinberg, Li and Yuan: SGD with step $x \\mapsto x - \\eta(\\nabla f(x) + \\text{noise})$ "
    "behaves like gradient descent on the smoothed loss $g(x) = \\mathbb{E}_W[f(x - W)]$; "
    "sharp minima of small diameter vanish from $g$. With clipping, $W$ is the clipped step."
)

st.header("What each control does")
st.markdown(
    """
| Control | Where | Effect |
|---|---|---|
| Preset / Formula / Sketch | Landscape | Where f comes from. Formulas use x, + - * / ^, sin, exp, log, ... |
| L | sidebar | Iterates are kept in [-L, L]; critical points are searched there. |
| Clip toggle, b | sidebar | Clipping threshold; sets l*_i, the graph and the surviving minima. |
| Noise family, α, scale | sidebar | Distribution of Z_n; α also sets the predicted exponents β_i. |
| b from / to, interval list | Transition graph | Range of the sweep; jump b into an interval. |
| η, paths, seed, x₀, k | Live simulation | Learning rate (log scale), number of paths, random seed, start, record every k-th iterate. |
| Start / Pause / Step / Reset | Live simulation | Run continuously, stop, advance one chunk, start over. |
| Compare four cases | Live simulation | Heavy/light × clipped/unclipped side by side (paper Figs. 1, 5). |
| Field, η values, samples | Exit times | The study of the paper's Fig. 4 on the chosen field. |
| Link box | sidebar | A URL with every setting: it reproduces what you see. |
"""
)

st.header("Papers")
st.markdown(
    """
- Xingyu Wang, Sewoong Oh, Chang-Han Rhee. *Eliminating Sharp Minima from SGD with Truncated
  Heavy-tailed Noise.* ICLR 2022.
- Xingyu Wang, Chang-Han Rhee. *Global Dynamics of Heavy-Tailed SGDs in Nonconvex Loss
  Landscape: Characterization and Control.* arXiv:2510.20905.
- Robert Kleinberg, Yuanzhi Li, Yang Yuan. *An Alternative View: When Does SGD Escape Local
  Minima?* ICML 2018.
"""
)
