"""The lesson: the paper's story in steps, each with the words a teacher reads out, the key
formula, what to look for, a question for the class, the settings it puts on screen and
(where the theory makes a claim) a prediction the class makes before the reveal.

Streamlit-free: the page (``pages/lesson_page.py``) draws a step, the runs behind a reveal
are in ``dashboard/lesson_runs.py``. Formulas are THEORY.md's (sections quoted as §n).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: settings every step starts from (the view's parameters, ``dashboard/state.py``): the paper's
#: Fig. 2 landscape with its noise, b = 0.5, eta = 0.001
BASE_1D: dict[str, Any] = {
    "mode": "preset", "preset": "paper-fig2", "L": 1.6, "clip": True, "b": 0.5, "noise": "pareto",
    "alpha": 1.2, "scale": 0.1, "eta": 0.001, "x0": 0.3, "y0": 0.0, "paths": 20, "seed": 1,
    "every": 250, "compare": False, "field": 2, "etas": "0.1,0.03,0.01,0.003,0.001", "samples": 20,
    "eboth": False, "ecap": 0,
}  # fmt: skip
#: the paper's Fig. 3 landscape in 2-D (appendix A.2: modified Himmelblau, R = 4.2, b = 2.15)
BASE_2D: dict[str, Any] = {
    **BASE_1D, "preset": "paper-himmelblau", "L": 4.2, "b": 2.15, "eta": 5e-4, "scale": 0.75,
    "x0": 2.9, "y0": 1.0, "paths": 4, "field": 1,
}  # fmt: skip


@dataclass(frozen=True)
class Prediction:
    """What the class predicts before the reveal: a prompt and the choices (buttons).

    ``kind`` names the reveal that answers it (``dashboard/lesson_runs.py``):
    "jumps" (l* of ``field``), "light" (a Gaussian run), "exit" (an exit-time study),
    "four" (the paper's four cases), "pair" (2-D: clipped against unclipped, Fig. 3(c)),
    "survive" (which minima survive at b).
    """

    prompt: str
    choices: tuple[str, ...]
    kind: str
    values: tuple = ()  # what each choice claims, in the reveal's terms (a number, a set of minima, ...)
    field: int = 0  # 0-based field the question is about, where there is one


@dataclass(frozen=True)
class Step:
    """One step of the lesson.

    ``settings`` are the view's parameters the step puts on screen (on top of
    :data:`BASE_1D`); ``settings_2d`` the same for the 2-D version (None: 1-D only).
    ``chart`` names what the step draws before a reveal: "landscape", "graph" or "exit".
    """

    key: str
    title: str
    script: str
    formula: str  # LaTeX for st.latex
    look_for: str
    question: str
    chart: str
    settings: Mapping[str, Any]
    predict: Prediction | None = None
    settings_2d: Mapping[str, Any] | None = None
    script_2d: str = ""
    predict_2d: Prediction | None = None
    look_for_2d: str = ""
    question_2d: str = ""
    notes: tuple[str, ...] = field(default=())

    def params(self, dimension: int = 1) -> dict[str, Any]:
        """Every view parameter of this step (1-D, or 2-D where it has a 2-D version)."""
        if dimension == 2 and self.settings_2d is not None:
            return {**BASE_2D, **self.settings_2d}
        return {**BASE_1D, **self.settings}

    def prediction(self, dimension: int = 1) -> Prediction | None:
        return self.predict_2d if dimension == 2 and self.settings_2d is not None else self.predict

    def text(self, dimension: int = 1) -> str:
        return self.script_2d if dimension == 2 and self.script_2d else self.script

    def look(self, dimension: int = 1) -> str:
        """What to look for (the 2-D version's where it has its own)."""
        return self.look_for_2d if dimension == 2 and self.look_for_2d else self.look_for

    def ask(self, dimension: int = 1) -> str:
        """The question for the class (the 2-D version's where it has its own)."""
        return self.question_2d if dimension == 2 and self.question_2d else self.question

    @property
    def has_2d(self) -> bool:
        return self.settings_2d is not None


STEPS: tuple[Step, ...] = (
    Step(
        key="minima", title="Sharp and wide minima",
        script=(
            r"This is the loss landscape of the paper's Fig. 2: four valleys, each a minimum $m_i$ "
            r"with its attraction field $\Omega_i$, the points from which gradient descent rolls into it. "
            r"m₁ and m₃ are deep but narrow; m₂ and m₄ are wide. The width $r_i$ is the distance "
            r"from the minimum to the nearer edge of its field, and with clipping at b one step "
            r"moves at most b, so leaving $\Omega_i$ takes at least $l^*_i = \lceil r_i / b \rceil$ jumps."),
        script_2d=(
            "The same story in two dimensions: the paper's Fig. 3, a modified Himmelblau "
            "function with four attraction fields in a ball of radius 4.2. The field Ω₁ has a "
            "whole segment of minimisers; Ω₃ and Ω₄ are narrow. The rings around each "
            r"minimiser have radius b and $l^* b$: a clipped step moves at most b, so leaving $\Omega_i$ "
            r"takes at least $l^*_i = \lceil r_i / b \rceil$ jumps."),
        formula=r"\begin{gathered}r_i = \min\left(|m_i - s_{i-1}|,\ |s_i - m_i|\right) \\ "
                r"l^*_i = \left\lceil r_i / b \right\rceil\end{gathered}",
        look_for="The shaded fields and their labels r and l*: the narrow wells need one jump, the wide ones two.",
        question="Which minima would you trust to generalise, and why might SGD prefer them?",
        chart="landscape", settings={"x0": 0.3},
        predict=Prediction("How many clipped jumps (b = 0.5) does the wide minimum m₂ need to escape?",
                           ("1", "2", "3"), "jumps", (1, 2, 3), field=1),
        settings_2d={},
        predict_2d=Prediction("How many clipped jumps (b = 2.15) does the segment field Ω₁ need to escape?",
                              ("1", "2", "3"), "jumps", (1, 2, 3), field=0),
    ),
    Step(
        key="light", title="Light-tailed noise is trapped",
        script=(
            "Start SGD in the narrow well m₃ with Gaussian gradient noise and no clipping. Each "
            "step is a small random push, and escaping needs a long run of pushes in the same "
            "direction. The time to leave grows like exp(c/η): at η = 0.001 that is longer than "
            "any run we can afford. Light-tailed SGD stays in whatever minimum it starts in, "
            "sharp or not."),
        formula=r"\begin{gathered}\text{light tails: } \mathbb{E}[\sigma_i] \approx e^{c_i/\eta} \\ "
                r"\text{heavy tails: } \mathbb{E}[\sigma_i] \approx \frac{1}{q_i\,\lambda_i(\eta)}\end{gathered}",
        look_for="The paths on the left: do any of them cross the dotted lines (the field's edges)?",
        question="If light noise cannot leave a sharp minimum, what kind of noise could?",
        chart="landscape", settings={"clip": False, "noise": "gaussian", "scale": 1.0, "x0": 0.4962},
        predict=Prediction("Over 200,000 steps from m₃, how much of the time will Gaussian SGD spend "
                           "outside Ω₃?", ("none", "a little (under 20%)", "most of it"), "light", (0.0, 0.2, 1.0),
                           field=2),
    ),
    Step(
        key="heavy", title="Heavy tails escape at a rate set by width",
        script=(
            "Now the noise is heavy tailed (Pareto, α = 1.2): rare huge jumps. One jump is enough "
            "to leave a field without clipping, so the exit time is set by how likely a jump "
            "longer than the distance to the edge is: wider fields keep the iterate longer, by "
            r"the constant $q_i$. The mean exit time grows only polynomially as η shrinks, like "
            r"$(1/\eta)^\alpha$."),
        formula=r"\begin{gathered}\mathbb{E}[\sigma_i] \approx \frac{1}{q_i\,\lambda_i(\eta)} \\ "
                r"\lambda_i(\eta) = H(1/\eta)\Big(\frac{H(1/\eta)}{\eta}\Big)^{l^*_i - 1} \\ "
                r"q_i = p_+ (s_i - m_i)^{-\alpha} \\ + p_- (m_i - s_{i-1})^{-\alpha}\end{gathered}",
        look_for="The points against the dotted line (the theory's mean, not fitted): the slope on log-log axes.",
        question="Which field would an unclipped heavy-tailed SGD leave first: a narrow or a wide one?",
        chart="exit", settings={"clip": False, "x0": -0.7, "field": 2},
        predict=Prediction("Make η ten times smaller. The mean time to leave Ω₂ grows by a factor of about…",
                           ("10 (slope 1)", "16 (slope α = 1.2)", "25 (slope 2α − 1 = 1.4)",
                            "e¹⁰ (exponential)"), "exit", (1.0, 1.2, 1.4, 1e9), field=1),
    ),
    Step(
        key="clip", title="Clipping: the jump count l* decides",
        script=(
            "Clip every step at b = 0.5. A single huge jump now moves at most 0.5, and Ω₂ "
            "(r = 0.6) needs l* = 2 jumps to leave, while the narrow fields still need one. "
            "Each extra jump costs another factor H(1/η)/η, so the exponent of the exit time "
            r"grows from α to $\alpha + (\alpha - 1)(l^* - 1)$. Narrow minima are left fast, wide ones are kept."),
        formula=r"\begin{gathered}\mathbb{E}[\sigma_i] \sim (1/\eta)^{\beta_i} \\ "
                r"\beta_i = \alpha + (\alpha - 1)(l^*_i - 1)\end{gathered}",
        look_for="Two slopes: clipped (red) steeper than unclipped (blue), each beside the theory's line.",
        question="What happens to the sharp minima's share of time as η → 0, if wide ones are kept longer?",
        chart="exit", settings={"clip": True, "b": 0.5, "x0": -0.7, "field": 2, "eboth": True},
        predict=Prediction("With b = 0.5 the field Ω₂ needs l* = 2 jumps. The slope of its exit time "
                           "against 1/η is now…", ("α = 1.2 (as unclipped)", "2α − 1 = 1.4", "2α = 2.4"),
                           "exit", (1.2, 1.4, 2.4), field=1),
    ),
    Step(
        key="chain", title="A Markov chain on the wide minima",
        script=(
            "Watch the paper's four cases from x₀ = 0.3: heavy or light noise, clipped or not. "
            "Light noise stays where it starts. Heavy noise without clipping visits every "
            "minimum. Heavy noise with clipping hops between the wide minima m₂ and m₄ only, "
            "like a continuous-time Markov chain on them: the sharp minima are eliminated."),
        formula=r"\begin{gathered}X_{\lfloor t/\lambda_G(\eta)\rfloor} \Rightarrow Y_t \\ \text{(a chain on the large minima)} \\ "
                r"\tilde q_{ij} = q_{ij} + \sum_{k\ \mathrm{small}} q_{ik}\, p_{kj}\end{gathered}",
        look_for="The heavy-clipped panel: almost nothing at m₁ and m₃; compare its shares with the theory's.",
        question="The light-clipped panel: why does clipping need heavy tails to do this?",
        chart="landscape", settings={"compare": True, "x0": 0.3, "paths": 10},
        predict=Prediction("Heavy-tailed, clipped SGD from x₀ = 0.3: where will it spend its time?",
                           ("at m₃, near the start", "at all four minima", "at the wide minima m₂ and m₄"),
                           "four", (frozenset({2}), frozenset({0, 1, 2, 3}), frozenset({1, 3}))),
        # Fig. 3(c): clipped against unclipped on the modified Himmelblau, from (2.9, 1.0) in Ω₃;
        # eta = 2e-3 (the paper: 5e-4) so that a short run (seconds) sees many transitions
        script_2d=(
            "The paper's Fig. 3(c): heavy-tailed SGD from (2.9, 1.0) in the narrow Ω₃, clipped at "
            "b = 2.15 and not clipped. Unclipped, one large jump leaves any field, so every field "
            r"gets its share. Clipped, the narrow Ω₃ and Ω₄ ($l^* = 1$) are left at once, while the "
            r"segment field Ω₁ and Ω₂ ($l^* = 2$) hold the iterate: a Markov chain on the wide minima."),
        look_for_2d="The clipped bars at Ω₃ and Ω₄ against the unclipped ones; the theory's diamonds at Ω₁ and Ω₂.",
        question_2d="The unclipped bars: why do the narrow fields Ω₃ and Ω₄ get so much time without clipping?",
        settings_2d={"compare": True, "eta": 0.002},
        predict_2d=Prediction("Heavy-tailed SGD clipped at b = 2.15, from (2.9, 1.0) in Ω₃: where will it "
                              "spend its time?", ("in Ω₃, near the start", "in all four fields",
                                                  "at the wide minima of Ω₁ and Ω₂"), "pair",
                              (frozenset({2}), frozenset({0, 1, 2, 3}), frozenset({0, 1}))),
    ),
    Step(
        key="choose_b", title="Choosing b",
        script=(
            r"b sets every $l^*_i$, and with them the typical transition graph: $m_i \to m_j$ when $\Omega_j$ is "
            r"reached with $l^*_i$ jumps. The minima that survive are the large minima of the "
            "absorbing classes. In the paper's Fig. 3, b = 0.5 makes the graph irreducible, "
            "while at b = 0.4 the wide m₂ needs two jumps to the left but three to the right, "
            "and the classes split."),
        script_2d=(
            r"In two dimensions b again sets every $l^*_i = \lceil r_i / b \rceil$ and the graph. The paper "
            "chose b = 2.15 for its Fig. 3: the segment field Ω₁ and the wide Ω₂ need two "
            "jumps to leave, the narrow Ω₃ and Ω₄ one, and clipped SGD avoids the narrow ones."),
        formula=r"\begin{gathered}m_i \to m_j \iff l_{i,j} = l^*_i \\ \text{survivors} = \text{the large minima} \\ "
                r"\text{of the absorbing classes}\end{gathered}",
        look_for="After the reveal, the graph: its classes, arrows (edges) and stars (the large minima).",
        question="Which b would you choose to keep only the widest minimum, and what would it cost in time?",
        chart="graph", settings={"preset": "paper-fig3", "b": 0.4, "x0": 0.0, "field": 2},
        predict=Prediction("At b = 0.4, which minima survive (the large minima of absorbing classes)?",
                           ("m₁ and m₂", "m₂ only", "m₂ and m₃", "all three"), "survive",
                           (frozenset({0, 1}), frozenset({1}), frozenset({1, 2}), frozenset({0, 1, 2}))),
        settings_2d={},
        predict_2d=Prediction("At b = 2.15, which fields survive?",
                              ("Ω₁ and Ω₂", "Ω₃ and Ω₄", "all four"), "survive",
                              (frozenset({0, 1}), frozenset({2, 3}), frozenset({0, 1, 2, 3}))),
    ),
)


def step_count() -> int:
    return len(STEPS)


def clamp_step(number: int) -> int:
    """A 1-based step number within the lesson."""
    return max(1, min(len(STEPS), int(number)))


def step_at(number: int) -> Step:
    """The step with this 1-based number (clamped to the lesson)."""
    return STEPS[clamp_step(number) - 1]
