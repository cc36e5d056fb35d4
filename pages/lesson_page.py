"""Lesson: the paper's story in steps (``dashboard/lesson_steps.py``), for a class.

Each step puts its whole state on screen in one click (Back / Next, or a link with
``?step=4``), reads out as a few sentences with the key formula, what to look for and a
question, and shows its chart. Where the theory makes a claim the class first predicts
(buttons), then a short run and the theory's number are revealed side by side
(``dashboard/lesson_runs.py``; cached per settings, so a room on one step costs one run).
Presenter mode (``?present=1``) hides the sidebar and the settings and enlarges the type
for a projector at 1024x768. Every chart downloads for slides (``widgets/exports.py``).
"""

from __future__ import annotations

import math

import streamlit as st

import landscape
from dashboard import figures, figures_graph, lesson_runs, slides
from dashboard import figures_plane as FP
from dashboard import lesson_steps as LS
from dashboard import state as S
from landscape.plane_presets import PLANE_PRESETS
from widgets import exports, plane_ui, session, theory_plane, ui

p = ui.params()


def dimension_of(step: LS.Step, params) -> int:
    """2 when the step has a 2-D version and a 2-D preset is on screen, else 1."""
    plane = params["mode"] == "preset" and params["preset"] in PLANE_PRESETS
    return 2 if step.has_2d and plane else 1


def apply_step(number: int, dimension: int) -> None:
    """Put step ``number``'s whole state on screen (preset, b, noise, eta, start, ...)."""
    step = LS.step_at(number)
    values = step.params(dimension)
    ui.apply_preset(values["preset"])  # also forgets this session's runs of the old landscape
    for name, value in values.items():
        session.write(name, value)
    session.write("step", LS.clamp_step(number))
    session.put(session.LESSON_APPLIED, (LS.clamp_step(number), dimension))


def go_to(number: int) -> None:
    """on_click of Back / Next: the step and its settings (2-D stays on where it can)."""
    want_2d = session.get(session.LESSON_APPLIED, (1, 1))[1] == 2
    step = LS.step_at(number)
    apply_step(number, 2 if (want_2d and step.has_2d) else 1)


def toggle_2d() -> None:
    apply_step(int(p["step"]), 2 if session.get(session.LESSON_2D_WIDGET) else 1)


def choose(step_key: str, dimension: int, index: int) -> None:
    chosen = session.get(session.LESSON_CHOSEN) or session.put(session.LESSON_CHOSEN, {})
    chosen[(step_key, dimension)] = index


number = LS.clamp_step(int(p["step"]))
step = LS.step_at(number)
dim = dimension_of(step, p)
# A link, a reload or another page changed the view; or another page chose a landscape of
# the other dimension (a typed f(x, y)), which this step cannot show: put the step back.
if session.get(session.LESSON_APPLIED) != (number, dim) or ui.landscape_dimension() != dim:
    apply_step(number, dim)
    st.rerun()

# A formula never runs off its column (a 1024-px screen with the sidebar open): smaller type
# there, and a scroll bar rather than a cut if a line is still too long.
st.html("""<style>
.katex-display {overflow-x: auto; overflow-y: hidden;}
@media (max-width: 1100px) {.katex-display > .katex {font-size: 1.05em;}}
</style>""")
present = bool(p["present"])
if present:
    st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"] {display: none !important;}
[data-testid="stMainBlockContainer"] {padding: 0.6rem 1rem 0 1rem !important; max-width: 100% !important;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.55rem !important; line-height: 1.25 !important; padding: 0 !important;}
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p {font-size: 1.08rem; line-height: 1.4;}
[data-testid="stVerticalBlock"] {gap: 0.45rem;}
</style>""")

# ---------------------------------------------------------------- header: title, Back / Next
head, nav = st.columns([3, 2], vertical_alignment="center")
head.title(f"{number}. {step.title}")
with nav, st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
    st.button("Back", icon=":material/arrow_back:", key="lesson_back", disabled=number <= 1,
              on_click=go_to, args=(number - 1,))  # fmt: skip
    st.button("Next", icon=":material/arrow_forward:", key="lesson_next", type="primary",
              disabled=number >= LS.step_count(), on_click=go_to, args=(number + 1,))  # fmt: skip
    ui.bind(st.toggle, "present", "Presenter", help="Hide the sidebar and settings, larger type: for a projector.")
    if step.has_2d:
        session.put(session.LESSON_2D_WIDGET, dim == 2)
        st.toggle("2-D", key=session.LESSON_2D_WIDGET, on_change=toggle_2d, help="The paper's Fig. 3 landscape in 2-D.")
if not present:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Step {number} of {LS.step_count()}. Each step sets every setting it needs; the link in the "
                   "sidebar (or ?step=N) opens the class on this step. Presenter mode fits a step on a "
                   "1024×768 projector.")  # fmt: skip
        st.button("Reset this step", icon=":material/restart_alt:", key="lesson_reset", on_click=apply_step,
                  args=(number, dim), help="Put this step's settings back (after changes on other pages).")  # fmt: skip

# ---------------------------------------------------------------- the landscape and its analysis
land, source, err = ui.current_landscape()
if err is not None:
    st.error(f"The lesson's landscape is refused ({err}).", icon=":material/warning:")
    ui.end_page()
L = float(p["L"])
b = S.effective_b(p)
if dim == 2:
    analysis, a_err = plane_ui.current_plane_analysis(source)
else:
    analysis, a_err = ui.current_analysis(source)
ui.require_analysis(analysis, a_err)
font = 16 if present else 13
chart_height = 430 if present else 470


def styled(fig, height: int = chart_height) -> dict:
    """The chart as a dict with the page's type size (larger in presenter mode), at most
    ``height`` px high."""
    out = slides.as_dict(fig)
    out["layout"]["font"] = {**(out["layout"].get("font") or {}), "size": font}
    out["layout"]["height"] = min(int(out["layout"].get("height") or height), height)
    return out


def setup_chart(hide_answer: bool) -> dict:
    """The step's chart before a reveal: the landscape (fields unlabelled while the class
    predicts their jump numbers), the start marked."""
    if dim == 2:
        return FP.plane_landscape_figure(plane_ui.get_f_grid(source, L), analysis, R=L, b=b, height=chart_height,
                                         start=(float(p["x0"]), float(p["y0"])), as_dict=True)  # fmt: skip
    xs, ys = ui.get_curve(source, L)
    return figures.landscape_figure(xs, ys, analysis, land.f, L=L, height=chart_height, x0=float(p["x0"]),
                                    show_fields=not hide_answer)  # fmt: skip


def answer_chart() -> dict | None:
    """The chart a reveal adds without a run: the transition graph at b."""
    if step.chart != "graph":
        return None
    if dim == 2:
        return FP.plane_graph_figure(plane_ui.get_f_grid(source, L), analysis, R=L, height=chart_height)
    xs, ys = ui.get_curve(source, L)
    return figures_graph.graph_figure(xs, ys, analysis, land.f, L=L, height=chart_height)


# ---------------------------------------------------------------- reveals (cached per settings)
def _settings_key(params) -> tuple:
    return tuple(sorted((k, params[k]) for k in LS.BASE_1D))


@st.cache_resource(max_entries=16, show_spinner=False)
def exit_study(source_: str, key: tuple, clipped: bool):
    params = dict(key)
    return lesson_runs.exit_study_of(ui.get_landscape(source_), params, float(params["b"]) if clipped else math.inf)


@st.cache_resource(max_entries=32, show_spinner=False)
def reveal(step_key: str, dimension: int, source_: str, key: tuple) -> lesson_runs.Reveal:
    """The answer to the step's prediction under these settings (one run per settings,
    shared by every session)."""
    params = dict(key)
    the_step = next(s for s in LS.STEPS if s.key == step_key)
    pred = the_step.prediction(dimension)
    bb = S.effective_b(params)
    if dimension == 2:
        an = plane_ui.get_plane_analysis(source_, float(params["L"]), float(bb), float(params["alpha"]))
    else:
        an = ui.get_analysis(source_, float(params["L"]), float(bb), float(params["alpha"]))
    land_ = ui.get_landscape(source_)
    if pred.kind == "jumps":
        return lesson_runs.reveal_jumps(an, pred)
    if pred.kind == "survive":
        return lesson_runs.reveal_survive(an, pred, dimension)
    if pred.kind == "exit":
        clipped = bool(params["clip"])
        reference = exit_study(source_, key_for(params, clip=False), False) if params["eboth"] else None
        return lesson_runs.reveal_exit(land_, params, pred, exit_study(source_, key, clipped), reference)
    if pred.kind == "pair":
        start = (float(params["x0"]), float(params["y0"]))
        prediction = theory_plane.get_plane_prediction(source_, float(params["L"]), float(bb), str(params["noise"]),
                                                       float(params["alpha"]), float(params["scale"]), start)  # fmt: skip
        return lesson_runs.reveal_pair(land_, an, prediction, params, pred)
    xs, ys = ui.get_curve(source_, float(params["L"]))
    f_range = figures.f_view_range(ys, an, land_.f)
    if pred.kind == "light":
        return lesson_runs.reveal_light(land_, an, params, pred, (xs, ys), f_range)
    return lesson_runs.reveal_four(land_, an, params, pred, (xs, ys), f_range)


def key_for(params, **changes) -> tuple:
    """The settings key of ``params`` with ``changes`` (the unclipped twin of a study is
    the previous step's study: the same key)."""
    out = {**params, **changes}
    if not out["clip"]:
        out["b"], out["eboth"] = LS.BASE_1D["b"], False  # b and the twin do not change an unclipped study
    return _settings_key(out)


# ---------------------------------------------------------------- the step
left, right = st.columns([5, 6], gap="medium")
pred = step.prediction(dim)
chosen = (session.get(session.LESSON_CHOSEN) or {}).get((step.key, dim)) if pred is not None else None
with left:
    st.markdown(step.text(dim))
    st.latex(step.formula)
    st.markdown(f"**Look for:** {figures.md_escape(step.look(dim))}")
    st.markdown(f"**Ask the class:** {figures.md_escape(step.ask(dim))}")
    if pred is not None:
        st.markdown(f"**Predict:** {figures.md_escape(pred.prompt)}")
        with st.container(horizontal=True, key="lesson_choices"):
            for k, choice in enumerate(pred.choices):
                st.button(choice, key=f"lesson_choice_{k}", type="primary" if chosen == k else "secondary",
                          on_click=choose, args=(step.key, dim, k))  # fmt: skip
        if chosen is not None and pred.kind in ("light", "four", "pair"):  # the reveal has a run to replay
            st.toggle("Replay the run", key=session.LESSON_REPLAY_WIDGET, help="The run frame by frame: Play under the chart.")

result = None
if chosen is not None:
    with right, st.spinner("Running the simulation…"):
        try:
            result = reveal(step.key, dim, source, key_for(p))
        except (ValueError, landscape.TheoryError) as exc:
            st.error(f"The reveal could not run with these settings: {exc}", icon=":material/warning:")

with right:
    if result is not None and result.figure is not None:
        fig = styled(slides.final_frame(result.figure), chart_height - 40 if result.measured else chart_height)
    elif result is not None and answer_chart() is not None:
        fig = styled(answer_chart())
    else:
        hide = result is None and pred is not None and pred.kind in ("jumps", "survive")
        fig = styled(setup_chart(hide_answer=hide))
    chart_key = f"lesson_chart_{step.key}"
    if result is not None and result.animated and session.get(session.LESSON_REPLAY_WIDGET):
        # the run again, frame by frame (Play under the chart); the exports keep the still
        ui.plot(styled(result.figure, chart_height + 15), key=chart_key + "_replay")
    else:
        ui.plot(fig, key=chart_key)
    with st.container(horizontal=True, vertical_alignment="center", key="lesson_exports"):
        exports.image_buttons(fig, f"lesson-{number}-{step.key}", key="lesson_images")
        if result is not None and result.animated:
            exports.animation_button(result.figure, title=f"{number}. {step.title}", settings=result.settings,
                                     name=f"lesson-{number}-{step.key}-run", key="lesson_animation")  # fmt: skip
    if result is not None:
        verdict = "right" if chosen == result.answer else "not what the theory says"
        box = st.success if chosen == result.answer else st.warning
        box(f"The class chose **{pred.choices[chosen]}** ({verdict}); the theory: **{pred.choices[result.answer]}**.",
            icon=":material/how_to_vote:")  # fmt: skip
        st.markdown(f"**Theory:** {result.theory}")
        if result.measured:
            st.markdown(f"**Measured:** {result.measured}")
        if not present and result.measured:
            st.caption(lesson_runs.FINITE_ETA_NOTE)
    elif pred is not None:
        st.caption("Choose an answer on the left: the run and the theory's number appear here.")

if not present and math.isfinite(b):
    st.caption(f"On screen: {ui.landscape_caption(p, refused=False)}; b = {b:g}, η = {float(p['eta']):g}, "
               f"noise {p['noise']} (α = {float(p['alpha']):g}). Open the other pages to explore this state.")  # fmt: skip
