"""Formula entry: accepted language, hostile inputs, sketches."""

import os
import threading
import time

import numpy as np
import pytest
import sympy

from landscape import (
    PRESETS,
    FormulaError,
    X,
    analyze,
    config,
    landscape_from_sketch,
    load_landscape,
    parse_formula,
)
from landscape.errors import (
    CharacterError,
    ForbiddenConstructError,
    FormulaSyntaxError,
    FunctionUseError,
    NumberRangeError,
    TooComplexError,
    UndefinedValueError,
    UnknownNameError,
)
from landscape.formula_build import derivative_cost
from landscape.loss import node_count

x = X

GOOD_FORMULAS = [
    ("x^2", x**2),
    ("x**4/4 - x**2/2 + 0.05*sin(30*x)", x**4 / 4 - x**2 / 2 + sympy.sin(30 * x) / 20),
    ("2x", 2 * x),
    ("3(x+1)", 3 * x + 3),
    ("(x+1)(x-1)", x**2 - 1),
    ("x sin(x)", x * sympy.sin(x)),
    ("sin(x)cos(x)", sympy.sin(x) * sympy.cos(x)),
    ("pi x", sympy.pi * x),
    ("e^x + E*x", sympy.exp(x) + sympy.E * x),
    ("2e-3 x", x / 500),
    ("1.5e2*x", 150 * x),
    ("-x^2", -(x**2)),
    ("2^-x", 2 ** (-x)),
    ("--x", x),
    ("arctan(x) + atan(x)", 2 * sympy.atan(x)),
    ("asin(x/2) + arccos(x/2)", sympy.asin(x / 2) + sympy.acos(x / 2)),
    ("ln(x^2+1) - log(1 + x**2)", sympy.S.Zero),
    ("sqrt(x^2+1)", sympy.sqrt(x**2 + 1)),
    ("abs(x) + sign(x)", sympy.Abs(x) + sympy.sign(x)),
    ("tanh(x) + sinh(x) + cosh(x)", sympy.tanh(x) + sympy.sinh(x) + sympy.cosh(x)),
    ("sigmoid(x)", 1 / (1 + sympy.exp(-x))),
    ("softplus(x)", sympy.log(1 + sympy.exp(x))),
    ("erf(x)", sympy.erf(x)),
    ("log10(x^2+1)", sympy.log(x**2 + 1) / sympy.log(10)),
    ("  x ^ 3\t", x**3),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_FORMULAS)
def test_good_formulas(text, expected):
    if expected.free_symbols == set():   # identities: parse fails (no x) or equals const
        with pytest.raises(FormulaError, match="does not depend on x"):
            parse_formula(text)
        return
    land = parse_formula(text)
    assert land.kind == "formula"
    assert sympy.simplify(land.expr - expected) == 0
    values = land.f(np.linspace(0.1, 1.0, 7))
    assert values.shape == (7,) and values.dtype == np.float64


# PrairieLearn's own parser table (apps/prairielearn/python/test/sympy_utils_test.py,
# EXPR_PAIRS and NO_SIMPLIFICATION_EXPR_PAIRS), its one-variable cases written in x,
# then what a PDF or a phone pastes.
PASTED_FORMULAS = [
    ("x \u2212 1", x - 1),                              # Unicode minus sign
    ("x - \uff08x^2 + 1\uff09", x - x**2 - 1),          # full-width parentheses
    ("x \uff0b x^2", x + x**2),                          # full-width plus
    ("Max(x, 1)", sympy.Max(x, 1)),
    ("min(1, x, x^2)", sympy.Min(1, x, x**2)),
    ("max(x)", x),
    ("max(x, 0)", sympy.Max(x, 0)),
    ("abs(sign(x))", sympy.Abs(sympy.sign(x))),
    ("Abs(x)", sympy.Abs(x)),
    ("abs(x) * sgn(x)", sympy.Abs(x) * sympy.sign(x)),
    ("x log^2 2x", x * sympy.log(2 * x) ** 2),
    ("5x sin x + arccos 3x", 5 * x * sympy.sin(x) + sympy.acos(3 * x)),
    ("sin**2 (x)", sympy.sin(x) ** 2),
    ("sin 5x", sympy.sin(5 * x)),
    ("sin atan x", sympy.sin(sympy.atan(x))),
    ("sin(atan(x))", sympy.sin(sympy.atan(x))),
    ("x/-2", -x / 2),
    ("3^x + 4", 3**x + 4),
    ("+5x", 5 * x),
    ("-5x", -5 * x),
    ("x^(-1) + 1", 1 / x + 1),
    ("x * sin(7*x) + x**2 * cos(6*x)", x * sympy.sin(7 * x) + x**2 * sympy.cos(6 * x)),
    ("ln(e**2) x", 2 * x),
    ("csc(x) + sec(x) + cot(x)", sympy.csc(x) + sympy.sec(x) + sympy.cot(x)),
    ("arcsin(x) + asin(x)", 2 * sympy.asin(x)),
    ("atanh(x) + arctanh(x)", 2 * sympy.atanh(x)),
    ("acosh(x + 2) + asinh(x)", sympy.acosh(x + 2) + sympy.asinh(x)),
    # function names without parentheses: the argument ends at an operator or function
    ("sin x cos x", sympy.sin(x) * sympy.cos(x)),
    ("sin x^2", sympy.sin(x**2)),
    ("sin x^2^3 + 1", sympy.sin(x**8) + 1),
    ("e^x^2 sin 2x cos^3 x", sympy.exp(x**2) * sympy.sin(2 * x) * sympy.cos(x) ** 3),
    ("sin x/2", sympy.sin(x) / 2),
    ("sin^2(x) + cos^2 x", sympy.sin(x) ** 2 + sympy.cos(x) ** 2),
    ("exp -x", None),
    ("sqrt x + 1", sympy.sqrt(x) + 1),
    ("2 sin 2pi x", 2 * sympy.sin(2 * sympy.pi * x)),
    ("sin (x+1)(x-1)", sympy.sin(x + 1) * (x - 1)),
    # characters from a PDF or a phone
    ("x\u00b2 + 1", x**2 + 1),                          # superscript two
    ("e\u207b\u02e3 + x", sympy.exp(-x) + x),            # superscript minus and x
    ("x\u00b2\u207a\u00b9", x**3),                       # a run of superscripts is one power
    ("\u03c0 x", sympy.pi * x),                          # Greek pi
    ("\U0001d465^2", x**2),                              # mathematical italic x
    ("2 \u00d7 x \u00b7 x", 2 * x**2),                   # multiplication signs
    ("x \u00f7 2", x / 2),                               # division sign
    ("x\u00a0+\u2009x^2", x + x**2),                     # no-break and thin spaces
    ("\ufeffx^2\u200b", x**2),                           # BOM and zero-width space dropped
    ("x \u2013 1", x - 1),                               # en dash
]


@pytest.mark.parametrize(("text", "expected"), PASTED_FORMULAS)
def test_pasted_formulas(text, expected):
    if expected is None:     # a documented refusal with its suggested fix
        with pytest.raises(FormulaError, match=r"write exp\(\.\.\.\)"):
            parse_formula(text)
        return
    if expected.free_symbols == set():
        with pytest.raises(FormulaError, match="does not depend on x"):
            parse_formula(text)
        return
    assert sympy.simplify(parse_formula(text).expr - expected) == 0


ERROR_CLASSES = [
    ("x + 'a'", CharacterError), ("x\u0445", CharacterError),
    ("x +", FormulaSyntaxError), ("((x)", FormulaSyntaxError), ("1 2 x", FormulaSyntaxError),
    ("x.real", ForbiddenConstructError), ("x**-x if x else x", UnknownNameError),
    ("x + y", UnknownNameError), ("foo(x)", UnknownNameError),
    ("sin", FunctionUseError), ("sin(x, 1)", FunctionUseError), ("sin^-1 x", FunctionUseError),
    ("(x, 1)", ForbiddenConstructError), ("sin(*x)", ForbiddenConstructError),
    ("9**9**9", NumberRangeError), ("1e99 x", NumberRangeError),
    ("1/0 + x", UndefinedValueError), ("2 + 3", UndefinedValueError),
    ("(" * 30 + "x" + ")" * 30, TooComplexError),
    ("*".join(f"sin({k}x)" for k in range(1, 40)), TooComplexError),
]


@pytest.mark.parametrize(("text", "kind"), ERROR_CLASSES)
def test_each_kind_of_problem_has_its_error_class(text, kind):
    with pytest.raises(kind) as info:
        parse_formula(text)
    assert isinstance(info.value, FormulaError) and info.value.message


@pytest.mark.parametrize(("text", "position"), [
    ("\uff58 + \u2212 y", 6),       # offsets are in the user's text, not the normalised one
    ("x\u00b2 + y", 5),
    ("\u03c0 x + y", 6),
    ("sin x + foo(x)", 8),
])
def test_error_position_points_into_the_pasted_text(text, position):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    assert info.value.position == position and info.value.text == text


def test_paper_appendix_formula_is_accepted_by_its_cost_after_cse():
    land = parse_formula(PRESETS["paper-fig2"].source)
    # the printed f'' is larger than the cost bound; shared subexpressions are not
    assert node_count(land.d2expr) > config.MAX_CSE_OPS
    assert derivative_cost(land.dexpr) < config.MAX_DERIVATIVE_COST
    grid = np.linspace(-1.5, 1.5, 7)
    step = 1e-6
    numeric = (land.f(grid + step) - land.f(grid - step)) / (2 * step)
    np.testing.assert_allclose(land.df(grid), numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("text", [
    ("(x^2 + 0.1)^0.7 (1 + 1/(0.05 + (x - 0.3)^2)) (1 - exp(-3(x + 0.5)^2)/3)"
    " sqrt(2 + sin(3x)) (x - 1.2)^2 (x + 1.1)^2"),
    ("(x + 1.6)(x + 1.3)\u00b2(x \u2212 0.2)\u00b2(x \u2212 0.7)\u00b2(x \u2212 1.6)"
    "(0.05 abs(1.65 \u2212 x))^0.6 (1 + 1/(0.01 + 4(x \u2212 0.5)\u00b2))"
    "(1 + 1/(0.1 + 4(x + 1.5)\u00b2))(1 \u2212 exp(\u22125(x + 0.8)\u00b2)/4)"),
    "tan(" * 24 + "x" + ")" * 24,     # f'' prints to 11,000 nodes but shares down to ~450
])
def test_formulas_of_the_appendix_size_and_kind_are_accepted(text):
    land = parse_formula(text)
    assert land.kind == "formula" and land.dexpr.has(X)


def test_exact_rationals_kept():
    assert parse_formula("0.1*x").expr == sympy.Rational(1, 10) * x


def test_derivatives_and_callables_are_vectorised():
    land = parse_formula("x^3 - x")
    grid = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(land.df(grid), 3 * grid**2 - 1)
    np.testing.assert_allclose(land.d2f(grid), 6 * grid)
    assert land.is_polynomial
    assert parse_formula("x^2").d2f(grid).shape == grid.shape   # constant f''


def test_overflow_gives_nan_or_inf_without_warnings():
    land = parse_formula("exp(exp(x))")
    with np.errstate(all="raise"):
        values = land.f(np.array([0.0, 10.0, 1000.0]))
    assert np.isfinite(values[0]) and not np.isfinite(values[2])
    assert np.isnan(parse_formula("log(x)").f(np.array([-1.0]))[0])


CANARY = f"/tmp/landscape_canary_{os.getpid()}"

HOSTILE = [
    (f"__import__('os').system('touch {CANARY}')", "'_'"),
    (f"x + __import__('os').system('touch {CANARY}')", "'_'"),
    ("().__class__.__bases__[0].__subclasses__()", "'_'"),
    ("x.real", "attribute access"),
    ("(x).conjugate()", "attribute access"),
    ("(lambda: 1)()", "lambda"),
    ("lambda x: x", "lambda"),
    ("[c for c in x]", "subscripts and lists"),
    ("x[0]", "subscripts"),
    ("'abc'", "strings"),
    ('"x"', "strings"),
    (f"open('{CANARY}', 'w')", "strings"),
    ("eval('x')", "strings"),
    ("exec", "unknown name 'exec'"),
    ("globals()", "unknown name 'globals'"),
    ("os.system", "unknown name 'os'"),
    ("x if x else x", "conditional"),
    ("x == x", "'='"),
    ("x; x", "';'"),
    ("x\nx", "line breaks"),
    ("x #comment", "'#'"),
    ("x @ x", "'@'"),
    ("1_000*x", "'_'"),
    ("x\x00", "control character"),
    ("\u0445**2", "U+0445"),                 # Cyrillic look-alike of x
    ("x\u202e2**", "U+202E"),                # right-to-left override
    ("x\u0301**2", "U+0301"),                # combining accent
    ("y + x", "unknown variable 'y'"),
    ("x + X", "unknown variable 'X'"),
    ("foo(x)", "unknown name 'foo'"),
    ("sin", "needs an argument"),
    ("sin -x", "needs an argument: write sin(...)"),
    ("sin^-1 x", "ambiguous"),
    ("sin^x x", "only a plain number"),
    ("|x|", "abs(u)"),
    ("max()", "at least one argument"),
    ("max(x, y)", "unknown variable 'y'"),
    ("(x, 1)", "tuples"),
    ("max(x, 0) + sin(x, 1)", "','"),
    ("sin(x, x)", "','"),
    ("2 + 3", "does not depend on x"),
    ("x - x", "does not depend on x"),
    ("", "empty"),
    ("   ", "empty"),
    ("1/0 + x", "division by zero"),
    ("x/(1-1)", "division by zero"),
    ("sqrt(-1)*x", "not real-valued"),
    ("(-8)^(1/3)*x", "not real"),
    ("log(-1)*x", "not real-valued"),
    ("9**9**9**9", "exponent too large"),
    ("9^9^9^9", "exponent too large"),
    ("x**(10**100)", "too large"),
    ("x**-(10**100)", "too large"),
    ("10**10**10*x", "exponent too large"),
    ("2**2**2**2**2*x", "exponent too large"),
    ("(x+1)**(2**200)", "too large"),
    ("x**9**9", "exponent too large"),
    ("exp(exp(exp(100)))**2*x", "too large"),
    ("x**exp(exp(exp(10)))", "exponent too large"),
    ("1e999999*x", "too large or too small"),
    ("1" * 60 + "*x", "too many digits"),
    ("1" * 2000 + "x", "too long"),
    ("(" * 400 + "x" + ")" * 400, "nested too deeply"),
    ("-" * 600 + "x", "too many operators"),
    ("x" + "*x" * 300, "nested too deeply"),
    ("x)", "unmatched ')'"),
    ("(x", "never closed"),
    ("x +", "cannot read"),
    ("x ** * 2", "cannot read"),
    ("1 2 x", "two numbers"),
    ("x.", "'.'"),
    ("*".join(f"sin({k}x)" for k in range(1, 40)), "too complex"),
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE)
def test_hostile_input_is_refused_quickly_and_nothing_runs(text, fragment):
    if os.path.exists(CANARY):
        os.remove(CANARY)
    start = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    assert time.perf_counter() - start < 2.0
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
    assert not os.path.exists(CANARY)


def test_error_carries_position():
    with pytest.raises(FormulaError) as info:
        parse_formula("x**2 + y")
    error = info.value
    assert error.position == 7
    assert error.text == "x**2 + y"
    assert "at character 8" in str(error)  # 1-based, as the Landscape page says it


def test_non_string_is_refused():
    with pytest.raises(FormulaError):
        parse_formula(42)


NASTY_BUT_ACCEPTED = ["sin(1/x)", "exp(exp(exp(x)))", "(x+1)**100", "x**x", "log(x)",
                      "sin(1e10 x)", "tan(x)", "1/x", "x**40 - 3x**17 + x**3 - x",
                      "sin(sin(sin(sin(sin(sin(sin(sin(x))))))))", "abs(x)",
                      "x**(1/3)", "(x^2-1/3)^20*(x-1/7)^3", "abs(sin(1e4 x)) + x^2",
                      "max(0, 1 - x^2) + min(x, sin(40x))"]


def _timed_fresh_analysis(text):
    import landscape.critical
    import landscape.formula

    landscape.formula._parse_cache.clear()
    landscape.critical._cache.clear()
    start = time.perf_counter()
    result = analyze(parse_formula(text), 1.5, 0.5, 1.2)
    return time.perf_counter() - start, result


@pytest.mark.parametrize("text", NASTY_BUT_ACCEPTED)
def test_nasty_functions_are_answered_within_two_seconds(text):
    elapsed, result = _timed_fresh_analysis(text)
    if elapsed >= 2.0:   # re-measure once: the 2 cores are shared with other jobs
        elapsed, result = _timed_fresh_analysis(text)
    assert elapsed < 2.0
    assert all(isinstance(w, str) for w in result.warnings)


def test_sketch_is_c2_and_interpolates():
    points = [(-1.5, 1.0), (-1.0, 0.0), (-0.3, 0.6), (0.4, -0.2), (1.2, 0.9)]
    land = landscape_from_sketch(points)
    px = np.array([p[0] for p in points])
    np.testing.assert_allclose(land.f(px), [p[1] for p in points], atol=1e-12)
    h = 1e-7
    for knot in px:
        for function in (land.f, land.df, land.d2f):
            below, above = function(np.array([knot - h, knot + h]))
            assert abs(below - above) < 1e-4
    assert land.kind == "sketch" and land.source.startswith("sketch:")
    again = load_landscape(land.source)
    assert again.expr == land.expr
    result = analyze(land, 2.0, 0.5)
    assert len(result.minima) == 2 and len(result.maxima) == 1
    assert abs(result.minima[0] - -1.0) < 0.15 and abs(result.minima[1] - 0.4) < 0.15


@pytest.mark.parametrize("bad", [
    [(0, 0), (1, 1)],
    [(0, 0), (0, 1), (1, 0)],
    [(0, 0), (1, float("nan")), (2, 0)],
    [("a", 0), (1, 1), (2, 0)],
])
def test_bad_sketches(bad):
    with pytest.raises(FormulaError):
        landscape_from_sketch(bad)


@pytest.mark.parametrize("source", ["sketch:", "sketch:1,2;3", "sketch:1,2;3,4;__import__",
                                    "sketch:1,2;3,4;5,1e999"])
def test_bad_sketch_strings(source):
    with pytest.raises(FormulaError):
        load_landscape(source)


def test_load_landscape_accepts_preset_keys_and_formulas():
    assert load_landscape("paper-fig3").is_polynomial
    assert load_landscape("x^2").expr == x**2


def test_parse_from_non_main_thread():
    results = []
    thread = threading.Thread(target=lambda: results.append(
        analyze(parse_formula("x^4/4 - x^2/2 + x/10"), 2, 0.5)))
    thread.start()
    thread.join(10)
    assert results and results[0].method == "exact" and len(results[0].minima) == 2


def test_large_sketch_is_fast():
    rng = np.random.default_rng(0)
    points = [(float(px), float(rng.normal())) for px in np.linspace(-2, 2, 100)]
    start = time.perf_counter()
    land = landscape_from_sketch(points)
    result = analyze(land, 2.5, 0.3)
    assert time.perf_counter() - start < 2.0
    assert result.minima and not any("abs, sign or pieces" in w for w in result.warnings)
    grid = np.linspace(-2.5, 2.5, 41)
    for expression, function in ((land.expr, land.f), (land.dexpr, land.df),
                                 (land.d2expr, land.d2f)):
        np.testing.assert_allclose(sympy.lambdify(x, expression)(grid), function(grid),
                                   atol=1e-6)


# Two different 24-deep sigmoid towers: about 4 s of SymPy work in-process, so the 1 s CPU
# bound refuses it with a wide margin (one tower alone, ~1-1.9 s, was refused or not
# depending on the machine's load and SymPy's cache).
@pytest.mark.parametrize("text", ["sigmoid(" * 24 + "x" + ")" * 24 + "*" + "sigmoid(" * 24 + "2*x" + ")" * 24,
                                  "*".join(f"tan({k}x)" for k in range(1, 30))])
def test_expensive_formulas_are_refused_in_time(text):
    from landscape._bounded import run_bounded
    from landscape.formula import _parse_cache

    # the bound is on cold work: forked workers inherit this process's SymPy cache, which
    # earlier tests may have warmed with the same subexpressions
    sympy.core.cache.clear_cache()
    _parse_cache.clear()
    assert run_bounded(len, ("ab",), 1.0) == ("ok", 2)  # a worker can be forked here
    start = time.perf_counter()
    with pytest.raises(FormulaError, match="too complex"):
        parse_formula(text)
    assert time.perf_counter() - start < 2.0


def test_parse_timeout_is_reported(monkeypatch):
    from landscape import config

    monkeypatch.setattr(config, "PARSE_TIMEOUT", 1e-6)
    with pytest.raises(FormulaError, match="too complex"):
        parse_formula("x^2 + sin(3x) + 1/7")


def test_parse_without_worker(monkeypatch):
    import landscape.formula as formula_module
    from landscape._bounded import WorkerUnavailable

    def unavailable(*args, **kwargs):
        raise WorkerUnavailable("no fork here")

    monkeypatch.setattr(formula_module, "run_bounded", unavailable)
    assert parse_formula("x^2 + sin(5x) + 1/9").dexpr == 2 * x + 5 * sympy.cos(5 * x)
    with pytest.raises(FormulaError, match="unknown function|unknown name"):
        parse_formula("x + frobnicate(x)")


def test_formula_error_survives_pickling():
    import pickle

    error = FormulaError("bad thing", "x + y", 4)
    again = pickle.loads(pickle.dumps(error))
    assert (again.message, again.text, again.position) == ("bad thing", "x + y", 4)
    assert str(again) == str(error)
