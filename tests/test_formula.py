"""Tests for kl_core.formula: the safe language for user-typed mass functions."""

from __future__ import annotations

import builtins
import dataclasses
import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.budget import allocation_budget
from scipy import special, stats

import kl_core.formula as formula_module
from kl_core.errors import DataError
from kl_core.formula import (
    Formula,
    describe_allowed,
    mass_from_formula,
    parse_formula,
)

WORK_BUDGET_BYTES = 16 * 2**20  # what a refusal or an overflow may allocate; hangs are caught by pytest-timeout
FUNCTION_NAMES = [
    "exp", "log", "log2", "log10", "sqrt", "abs", "sin", "cos", "tan", "tanh",
    "gamma", "lgamma", "factorial", "comb", "beta", "erf", "erfc", "min", "max",
    "floor", "ceil",
]


def support(stop: int) -> np.ndarray:
    return np.arange(stop, dtype=np.float64)


# --------------------------------------------------------------------------
# Accepted formulas give the right numbers
# --------------------------------------------------------------------------


def test_poisson_formula_matches_scipy() -> None:
    formula = parse_formula("exp(-lam) * lam**x / factorial(x)")
    x = support(30)
    np.testing.assert_allclose(
        formula.evaluate(x, {"lam": 3.7}), stats.poisson.pmf(x, 3.7), rtol=1e-12
    )


def test_binomial_formula_with_caret_matches_scipy() -> None:
    formula = parse_formula("comb(10, x) * p^x * (1-p)^(10-x)")
    x = support(11)
    np.testing.assert_allclose(
        formula.evaluate(x, {"p": 0.3}), stats.binom.pmf(x, 10, 0.3), rtol=1e-12
    )


@pytest.mark.parametrize("text", ["p*(1-p)**x", "p*(1-p)^x", "p * (1 - p) ^ x"])
def test_geometric_formula_matches_scipy(text: str) -> None:
    x = support(20)
    expected = stats.geom.pmf(x + 1, 0.25)  # scipy's geometric starts at 1
    np.testing.assert_allclose(
        parse_formula(text).evaluate(x, {"p": 0.25}), expected, rtol=1e-12
    )


def test_negative_binomial_with_lgamma_matches_scipy() -> None:
    formula = parse_formula(
        "exp(lgamma(x + r) - lgamma(r) - lgamma(x + 1)) * p^r * (1 - p)^x"
    )
    x = support(25)
    np.testing.assert_allclose(
        formula.evaluate(x, {"r": 2.5, "p": 0.4}),
        stats.nbinom.pmf(x, 2.5, 0.4),
        rtol=1e-10,
    )


def test_beta_binomial_with_beta_matches_scipy() -> None:
    formula = parse_formula("comb(n, x) * beta(x + a, n - x + b) / beta(a, b)")
    x = support(13)
    np.testing.assert_allclose(
        formula.evaluate(x, {"n": 12, "a": 2.0, "b": 3.5}),
        stats.betabinom.pmf(x, 12, 2.0, 3.5),
        rtol=1e-10,
    )


def test_power_law_formula() -> None:
    x = support(10)
    np.testing.assert_allclose(
        parse_formula("1/(x+1)^a").evaluate(x, {"a": 1.5}), (x + 1) ** -1.5
    )


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("exp(x)", np.exp),
        ("log(x)", np.log),
        ("log2(x)", np.log2),
        ("log10(x)", np.log10),
        ("sqrt(x)", np.sqrt),
        ("abs(x - 3)", lambda x: np.abs(x - 3)),
        ("sin(x)", np.sin),
        ("cos(x)", np.cos),
        ("tan(x)", np.tan),
        ("tanh(x)", np.tanh),
        ("gamma(x)", special.gamma),
        ("lgamma(x)", special.gammaln),
        ("factorial(x / 2)", lambda x: special.gamma(x / 2 + 1)),
        ("comb(x, 2)", lambda x: special.comb(x, 2)),
        ("beta(x, 2)", lambda x: special.beta(x, 2)),
        ("erf(x)", special.erf),
        ("erfc(x)", special.erfc),
        ("min(x, 2.5)", lambda x: np.minimum(x, 2.5)),
        ("max(x, 2.5)", lambda x: np.maximum(x, 2.5)),
        ("floor(x / 2)", lambda x: np.floor(x / 2)),
        ("ceil(x / 2)", lambda x: np.ceil(x / 2)),
        ("pi * x + e", lambda x: np.pi * x + np.e),
    ],
)
def test_each_function_matches_numpy_or_scipy(text: str, reference) -> None:
    x = np.array([0.5, 1.0, 2.0, 3.5, 7.0])
    np.testing.assert_allclose(parse_formula(text).evaluate(x, {}), reference(x))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2 + c", [2.0, 5.0, 10.0]),  # ^ binds tighter than +, as in maths
        ("-x^2", [-1.0, -4.0, -9.0]),  # unary minus applies after the power
        ("2^3^2 * x", [512.0, 1024.0, 1536.0]),  # right-associative
        ("c*x^2", [1.0, 4.0, 9.0]),
        ("(c*x)^2", [1.0, 4.0, 9.0]),
        ("+x - -x", [2.0, 4.0, 6.0]),
        ("1e-3*x + 2.5E2", [250.001, 250.002, 250.003]),
        ("x ** -1", [1.0, 0.5, 1 / 3]),
    ],
)
def test_operator_precedence_follows_maths(text: str, expected: list[float]) -> None:
    np.testing.assert_allclose(
        parse_formula(text).evaluate(np.array([1.0, 2.0, 3.0]), {"c": 1.0}
                                     if "c" in text else {}),
        expected,
    )


def test_parameters_are_discovered_sorted_without_variable_or_constants() -> None:
    formula = parse_formula("theta * x^alpha + mu * e + pi + exp(-lam*x)")
    assert formula.parameters == ("alpha", "lam", "mu", "theta")


def test_poisson_parameters() -> None:
    assert parse_formula("exp(-lam) * lam**x / factorial(x)").parameters == ("lam",)


def test_formula_keeps_original_text() -> None:
    text = "  p*(1-p)^x\n"
    assert parse_formula(text).text == text


def test_other_variable_name() -> None:
    formula = parse_formula("p*(1-p)^k", variable="k")
    assert formula.parameters == ("p",)
    assert formula.variable == "k"
    np.testing.assert_allclose(formula.evaluate(support(3), {"p": 0.5}), [0.5, 0.25, 0.125])


def test_line_breaks_and_tabs_are_spaces() -> None:
    formula = parse_formula("\n\tp *\n(1 - p)^x\n")
    np.testing.assert_allclose(formula.evaluate(support(2), {"p": 0.5}), [0.5, 0.25])


def test_formula_is_frozen_hashable_and_compares_by_text() -> None:
    first, second = parse_formula("p*x"), parse_formula("p*x")
    assert first == second and hash(first) == hash(second)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.text = "x"  # type: ignore[misc]


def test_huge_power_overflows_to_inf_quickly() -> None:
    with allocation_budget(WORK_BUDGET_BYTES, "9**9**9*x"):  # as a Python int it is 370 million digits
        formula = parse_formula("9**9**9*x")
        values = formula.evaluate(np.array([1.0, 2.0, 3.0]), {})
    assert np.all(np.isposinf(values))


def test_huge_integer_literal_power_is_float_not_python_int() -> None:
    with allocation_budget(WORK_BUDGET_BYTES, "10**400 * x + 2**2000"):
        values = parse_formula("10**400 * x + 2**2000").evaluate(np.array([1.0]), {})
    assert np.isposinf(values).all()


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def test_evaluate_keeps_shape_and_returns_float64() -> None:
    x = np.arange(6.0).reshape(2, 3)
    values = parse_formula("2 + 0*x").evaluate(x, {})
    assert values.shape == (2, 3) and values.dtype == np.float64
    np.testing.assert_array_equal(values, np.full((2, 3), 2.0))


def test_evaluate_accepts_integer_x_and_returns_a_new_array() -> None:
    x = np.array([1, 2, 3])
    values = parse_formula("x").evaluate(x, {})
    assert values.dtype == np.float64
    values[0] = 99.0
    assert x[0] == 1


def test_evaluate_returns_non_finite_values_as_they_are() -> None:
    x = np.array([0.0, 1.0, 3.0])
    logs = parse_formula("log(x)").evaluate(x, {})
    roots = parse_formula("sqrt(x - 2)").evaluate(x, {})
    assert np.isneginf(logs[0]) and np.isnan(roots[1]) and np.isfinite(roots[2])


def test_evaluate_names_missing_parameters() -> None:
    with pytest.raises(DataError, match=r"missing value for a, b"):
        parse_formula("a*x + b").evaluate(support(3), {})


def test_evaluate_names_unknown_parameters() -> None:
    with pytest.raises(DataError, match=r"unknown parameter q"):
        parse_formula("p*x").evaluate(support(3), {"p": 0.5, "q": 1.0})


@pytest.mark.parametrize("bad_value", ["abc", None, [1.0, 2.0], 1j])
def test_evaluate_rejects_non_numeric_parameter(bad_value) -> None:
    with pytest.raises(DataError, match=r"parameter p must be a number"):
        parse_formula("p*x").evaluate(support(3), {"p": bad_value})


def test_evaluate_rejects_non_numeric_x() -> None:
    with pytest.raises(DataError, match=r"values of x must be numbers"):
        parse_formula("x").evaluate(np.array(["a", "b"]), {})


def test_nothing_is_ever_evaluated_as_python(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must never be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    parse_formula("exp(-lam) * lam^x / factorial(x)").evaluate(support(4), {"lam": 1.0})
    with pytest.raises(DataError):
        parse_formula("eval('1')")


def test_module_source_never_calls_eval_exec_or_compile() -> None:
    source = inspect.getsource(formula_module)
    assert not re.search(r"(?<![.\w])(eval|exec|compile)\s*\(", source)
    assert "numexpr" not in source and "sympify" not in source


# --------------------------------------------------------------------------
# mass_from_formula
# --------------------------------------------------------------------------


def test_mass_from_formula_returns_unnormalised_values() -> None:
    formula = parse_formula("2 * p * (1-p)^x")
    np.testing.assert_allclose(
        mass_from_formula(formula, support(3), {"p": 0.5}), [1.0, 0.5, 0.25]
    )


@pytest.mark.parametrize(
    ("text", "params", "message"),
    [
        ("p*(1-p)^x", {"p": 2.0}, r"negative value \(-2\) at x=1 with p=2"),
        ("sqrt(x - 2)", {}, r"NaN \(not a number\) at x=0;"),
        ("1/x", {}, r"infinite value at x=0"),
        ("x - a", {"a": 1.5}, r"negative value \(-1\.5\) at x=0 with a=1\.5"),
    ],
)
def test_mass_from_formula_rejects_negative_nan_and_inf(
    text: str, params: dict[str, float], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        mass_from_formula(parse_formula(text), support(4), params)


# --------------------------------------------------------------------------
# Hostile and invalid formulas
# --------------------------------------------------------------------------

ELEVEN_PARAMETERS = " + ".join("abcdfghijkl") + " + x"  # e is a constant

HOSTILE_FORMULAS = [
    ("__import__('os').system('ls')", r"attribute access"),
    ("__import__('os')", r"'__import__' .*starts with '_'"),
    ("x.__class__", r"attribute access .*column 1"),
    ("().__class__.__bases__", r"attribute access"),
    ("x.real", r"attribute access"),
    ("os.system", r"attribute access"),
    ("x[0]", r"indexing"),
    ("lambda: 1", r"lambda"),
    ("[i for i in x]", r"comprehensions"),
    ("(i for i in x)", r"comprehensions"),
    ("{x}", r"sets"),
    ("{x: 1}", r"dicts"),
    ("[x, 1]", r"lists"),
    ("(x, 1)", r"tuples"),
    ('"a"', r"strings"),
    ("b'a' * x", r"bytes"),
    ("True * x", r"True cannot be used"),
    ("None", r"None cannot be used"),
    ("open('f')", r"'open' .*not an allowed function"),
    ("eval('1')", r"'eval' .*not an allowed function"),
    ("exec('1')", r"'exec' .*not an allowed function"),
    ("globals()", r"'globals' .*not an allowed function"),
    ("foo(x)", r"'foo' .*not an allowed function"),
    ("(x + 1)(2)", r"only functions can be called"),
    ("x if x else 1", r"conditional expressions"),
    ("x < 1", r"comparisons"),
    ("x and 1", r"boolean operators"),
    ("not x", r"'not'"),
    ("(y := 2)", r"assignments with :="),
    ('f"{x}"', r"f-strings"),
    ("await x", r"'await'"),
    ("x % 2", r"the % operator"),
    ("x // 2", r"the // operator"),
    ("x & 1", r"the & operator"),
    ("~x", r"the ~ operator"),
    ("exp(x, 2)", r"exp\(\.\.\.\) at column 1 takes 1 argument, not 2"),
    ("comb(x)", r"comb\(\.\.\.\) at column 1 takes 2 arguments, not 1"),
    ("exp(base=x)", r"keyword arguments"),
    ("max(*x)", r"starred"),
    ("exp * x", r"'exp' at column 1 is a function"),
    ("_hidden*x", r"'_hidden' .*starts with '_'"),
    ("__x__*x", r"'__x__' .*starts with '_'"),
    ("x * " + "a" * 33, r"column 5 is too long; .*at most 32"),
    ("λ * x", r"'λ' .*letters, digits and _"),
    ("1j * x", r"not a real number"),
    ("1e999999*x", r"too large to be a finite"),
    ("1" + "0" * 400 + " * x", r"too large to be a finite"),
    ("x" + "+x" * 5000, r"10001 characters long; at most 500"),
    ("(" * 5000 + "x" + ")" * 5000, r"10001 characters long; at most 500"),
    ("(" * 200 + "x" + ")" * 200, r"brackets nested more than 30 deep"),
    ("exp(" * 40 + "x" + ")" * 40, r"brackets nested more than 30 deep"),
    ("-" * 40 + "x", r"nested 41 levels deep; at most 30"),
    ("-" * 300 + "x", r"301 terms; at most 200"),
    ("x +", r"syntax error at the end of the formula"),
    ("x  y", r"syntax error at column 4"),
    ("\t x ^^ 2", r"syntax error at column 6"),
    ("2x", r"syntax error at column 1"),
    ("x\0", r"null bytes"),
    ("", r"empty"),
    ("   \n\t ", r"empty"),
    ("2*3", r"does not depend on x.*uniform model"),
    ("pi + e", r"does not depend on x"),
    (ELEVEN_PARAMETERS, r"11 parameters .*at most 10"),
]


@pytest.mark.parametrize(
    ("text", "message"),
    HOSTILE_FORMULAS,
    ids=[repr(text[:30]) for text, _ in HOSTILE_FORMULAS],
)
def test_hostile_formula_is_rejected_quickly_with_a_clear_message(
    text: str, message: str
) -> None:
    with allocation_budget(WORK_BUDGET_BYTES, repr(text[:30])), pytest.raises(DataError, match=message):
        parse_formula(text)


@pytest.mark.parametrize(
    "text", ["x.__class__", "open('f')", "x < 1", "x +", "exp(x, 2)", "x % 2"]
)
def test_language_rejections_say_what_is_allowed(text: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_formula(text)
    message = str(caught.value)
    assert "Allowed:" in message
    assert all(name in message for name in FUNCTION_NAMES)
    assert "^" in message and "**" in message


def test_non_text_formula_is_rejected() -> None:
    with pytest.raises(DataError, match=r"must be text, not int"):
        parse_formula(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("variable", ["exp", "pi", "_x", "1x", "x y", ""])
def test_bad_variable_names_are_rejected(variable: str) -> None:
    with pytest.raises(DataError, match=r"variable name"):
        parse_formula("x", variable=variable)


def test_describe_allowed_lists_the_language() -> None:
    description = describe_allowed()
    assert all(f"{name}(" in description for name in FUNCTION_NAMES)
    assert "comb(n, k)" in description
    for piece in ["^", "**", "pi", "500 characters", "at most 10"]:
        assert piece in description


# --------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------

FORMULA_ALPHABET = "x()+-*/^.,0123456789 eaplmnsqrtgioc_[]'\"<=:"


def parse_or_data_error(text: str) -> None:
    try:
        result = parse_formula(text)
    except DataError:
        return
    assert isinstance(result, Formula)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_formula_or_a_data_error(text: str) -> None:
    parse_or_data_error(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=FORMULA_ALPHABET, max_size=200))
def test_formula_like_text_gives_a_formula_or_a_data_error(text: str) -> None:
    parse_or_data_error(text)


UNARY_FUNCTIONS = [name for name in FUNCTION_NAMES if name not in {"comb", "beta", "min", "max"}]
BINARY_FUNCTIONS = ["comb", "beta", "min", "max"]
PARAMETER_NAMES = ["a", "b", "lam", "mu"]

leaves = st.one_of(
    st.sampled_from(["x", "pi", "e", *PARAMETER_NAMES]),
    st.integers(min_value=0, max_value=1000).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
)


def grammar_expressions(depth: int) -> st.SearchStrategy[str]:
    """Formulas from the allowed pieces, nested at most ``depth`` levels."""
    if depth == 0:
        return leaves
    smaller = grammar_expressions(depth - 1)
    operators = st.sampled_from(["+", "-", "*", "/", "**", "^"])
    return st.one_of(
        smaller,
        st.tuples(smaller, operators, smaller).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        smaller.map(lambda text: f"-{text}"),
        st.tuples(st.sampled_from(UNARY_FUNCTIONS), smaller).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY_FUNCTIONS), smaller, smaller).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
    )


@settings(max_examples=200, deadline=None)
@given(
    expression=grammar_expressions(3),
    parameter_values=st.lists(
        st.floats(min_value=-5, max_value=5, allow_nan=False), min_size=4, max_size=4
    ),
)
def test_grammar_formulas_parse_and_evaluate_to_the_right_shape(
    expression: str, parameter_values: list[float]
) -> None:
    formula = parse_formula(f"({expression}) * x")
    params = dict(zip(PARAMETER_NAMES, parameter_values))
    params = {name: value for name, value in params.items() if name in formula.parameters}
    for x in (np.linspace(-3.0, 7.0, 11), np.arange(6.0).reshape(2, 3)):
        values = formula.evaluate(x, params)
        assert values.shape == x.shape and values.dtype == np.float64
