"""The one grammar for model options: numbers, ``p=0.5, n=10`` and ``model.key=value``.

The CLI (``--option``), links (``opt=``) and the Models page (fixed parameters, formula
start values) all read with it; their own tests (tests/test_cli.py, tests/test_share.py,
tests/test_app_models.py, tests/test_bad_inputs.py) check the messages each surface shows.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_core import DataError
from kl_core.__main__ import UsageError, _parse_option
from kl_core.options import (
    MAX_NUMBER_CHARS, ModelOption, number, read_assignments, read_model_option, read_number, read_value,
)


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("text, expected", [
    ("12", 12), ("-3", -3), ("+7", 7), ("0.5", 0.5), (".5", 0.5), ("5.", 5.0), ("1e-06", 1e-06), ("2E3", 2000.0),
])
def test_numbers_are_read_and_integers_stay_integers(text, expected):
    value = number(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["", "inf", "-inf", "nan", "NaN", "1_000", " 1", "1 ", "0x10", "1e", "e5", "--1", "1e999",
                                  "1" * (MAX_NUMBER_CHARS + 1), "__import__('os')", "1/2", "½"])
def test_anything_else_is_not_a_number(text):
    assert number(text) is None


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_as_itself(value):
    assert number(repr(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_finite_number_or_none(text):
    value = number(text)
    assert value is None or (isinstance(value, (int, float)) and math.isfinite(value))


def test_read_number_says_what_is_wrong():
    with pytest.raises(DataError, match=r"p = 1000000000\.\.\. is 5,001 characters long"):  # tests/test_bad_inputs.py shows it
        read_number("p", "1" + "0" * 5000)
    with pytest.raises(DataError, match="too large to be a number here"):
        read_number("p", "1e999")
    with pytest.raises(DataError, match="'abc' is not a number"):
        read_number("p", "abc")


# ------------------------------------------------------------ p=0.5, n=10 (Models page)
def test_assignments_split_on_commas_semicolons_and_lines():
    assert read_assignments("p = 0.5; n=10\nk=-2", ["n", "p", "k"]) == {"p": 0.5, "n": 10, "k": -2}
    assert read_assignments("low=0, high=10", ["low", "high"]) == {"low": 0, "high": 10}
    assert read_assignments(" , ;", ["p"]) == {}


@pytest.mark.parametrize("text, words", [
    ("q=1", "'q' is not a parameter here; the parameters are: p."),  # as the Models page shows it (test_app_models)
    ("p=1, p=2", "'p' is given twice."),
    ("p", "Could not read 'p': write name=number, e.g. p=0.5"),
    ("p=abc", "Could not read 'p=abc'"),
    ("p=__import__('os')", "Could not read"),
    ("p=inf", "Could not read"),
    ("p=1e999", "too large to be a number here"),
])
def test_bad_assignments_raise_a_data_error_naming_the_piece(text, words):
    with pytest.raises(DataError) as error:
        read_assignments(text, ["p"])
    assert words in str(error.value)


# --------------------------------------------------- model.key=value (CLI) and model~k.key:value (links)
def test_model_options_in_both_spellings():
    assert read_model_option("binomial.n=10") == ModelOption("binomial", 1, "n", "10")
    assert read_model_option("uniform~2.over:observed", separator=":") == ModelOption("uniform", 2, "over", "observed")


@pytest.mark.parametrize("text", ["binomial", "binomial=3", "n=3", ".n=3", "binomial.=3", "bin omial.n=3",
                                  "binomial.__class__.x=3", "binomial~x.n=3", "binomial~1234.n=3", "binomial.n:3"])
def test_malformed_model_options_are_refused(text):
    with pytest.raises(DataError, match=r"write model\.option=value, e\.g\. binomial\.n=10"):
        read_model_option(text)


@pytest.mark.parametrize("text, expected", [
    ("10", 10), ("0.25", 0.25), ("true", True), ("False", False), ("none", None), ("NULL", None),
    ("observed", "observed"), ("inf", "inf"), ("1_000", "1_000"),
])
def test_cli_values(text, expected):
    value = read_value(text)
    assert value == expected and type(value) is type(expected)


def test_the_cli_reads_options_with_this_grammar():
    assert _parse_option("binomial.n=10") == ("binomial", "n", 10)
    assert _parse_option("uniform.over=observed") == ("uniform", "over", "observed")
    with pytest.raises(UsageError, match=r"MODEL\.KEY=VALUE"):
        _parse_option("binomial")
    with pytest.raises(UsageError, match="requested once"):
        _parse_option("binomial~2.n=10")
