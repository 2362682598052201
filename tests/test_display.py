"""kl_core.display: the ranking table and the data summary formatted for people."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_core import Empirical, rank
from kl_core.display import (
    INFINITY,
    edge_limit,
    fitted_label,
    MISSING,
    format_count,
    format_dropped,
    format_estimate,
    format_interval,
    format_number,
    family_label,
    headers,
    model_label,
    not_ranked,
    ranked_notes,
    ranking_display,
    summary_rows,
)

WORM_COUNTS = [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]


@pytest.fixture
def teeth() -> Empirical:
    return Empirical.from_counts(np.arange(11), WORM_COUNTS, name="teeth")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.19718714117722502, "0.1972"),
        (0.6165352, "0.6165"),
        (1234.5678, "1,235"),
        (-235.06, "−235.1"),
        (12, "12"),
        (np.int64(100000), "100,000"),
        (0.99996, "1"),
        (3.2e-9, "3.2e-09"),
        (2.5e7, "2.5e+07"),
        (0.0, "0"),
        (float("inf"), INFINITY),
        (float("-inf"), "−" + INFINITY),
        (float("nan"), MISSING),
        (None, MISSING),
    ],
)
def test_format_number_four_significant_digits(value, shown):
    assert format_number(value) == shown


@given(st.floats(min_value=1e-4, max_value=9.99e5, allow_nan=False) | st.floats(min_value=-9.99e5, max_value=-1e-4))
def test_format_number_keeps_four_significant_digits(value):
    text = format_number(value)
    parsed = float(text.replace(",", "").replace("−", "-"))
    assert math.isclose(parsed, float(f"{value:.4g}"), rel_tol=1e-9)
    digits = text.replace(",", "").replace("−", "").replace(".", "").strip("0")
    assert len(digits) <= 4  # never more than 4 significant digits


def test_format_count_and_interval():
    assert format_count(100.0) == "100"
    assert format_count(2_000_000) == "2,000,000"
    assert format_count(None) == MISSING
    assert format_interval(0.12345, 0.5) == "[0.1235, 0.5]"
    assert format_interval(float("nan"), 0.5) == MISSING
    assert format_dropped({}) == "none"
    assert format_dropped({"missing": 3}) == "3 missing"


def test_headers_name_their_units():
    bits, nats = headers(2), headers(math.e)
    assert bits["kl"] == "KL (bits/obs)" and nats["kl"] == "KL (nats/obs)"
    assert "(nats)" in bits["aic"] and "(nats)" in bits["loglik"]  # always nats, whatever the KL unit


def test_ranking_display_worm_teeth(teeth):
    shown = ranking_display(rank(teeth, ["binomial", "uniform"]))
    assert shown["Model"].tolist() == ["uniform", "binomial"]
    assert shown["Rank"].tolist() == ["1", "2"]
    assert shown["KL (bits/obs)"].tolist() == ["0.1972", "0.6165"]
    assert shown["Parameters"].tolist() == ["low=0, high=10", "n=10, p=0.544"]
    assert all(isinstance(v, str) for v in shown.to_numpy().ravel())
    assert list(shown.columns)[-1] == "Note"


def test_ranking_display_infinite_and_failed_rows(teeth):
    # binomial with n=10 declared but p fixed at 0: every value above 0 gets probability 0 → ∞.
    table = rank(teeth, ["uniform", ("binomial", {"p": 0.0}), ("custom", {})])
    shown = ranking_display(table)
    by_model = shown.set_index("Model")
    assert by_model.loc["binomial", "KL (bits/obs)"] == INFINITY
    assert by_model.loc["binomial", "Rank"] == MISSING
    assert "0 probability" in by_model.loc["binomial", "Note"]
    assert by_model.loc["your table", "KL (bits/obs)"] == MISSING
    assert "custom" in by_model.loc["your table", "Note"]
    reasons = dict(not_ranked(table))
    assert set(reasons) == {"binomial", "your table"}
    assert by_model.loc["binomial", "ΔAIC (nats)"] == INFINITY and by_model.loc["uniform", "ΔAIC (nats)"] == "0"


def test_ranked_notes_give_each_note_of_a_ranked_model_once_in_full(teeth):
    # Three ranked models declare n = 10 from the data: one note naming the three, best first. The binomial with p
    # fixed at 0 (∞) and the custom table without one (no fit) are not ranked: their reasons are not_ranked's.
    table = rank(teeth, ["uniform", "binomial", ("binomial", {"p": 0.5}), "betabinom", ("binomial", {"p": 0.0}),
                         ("custom", {})])
    shown = ranking_display(table)
    notes = ranked_notes(table)
    assert notes == [(["beta-binomial", "binomial", "binomial (n=10, p=0.5)"], "n = 10, the largest observed value"),
                     (["uniform"], "range taken from the observed minimum and maximum")]
    assert all(shown.set_index("Model").loc[model, "Note"] == note for models, note in notes for model in models)
    assert [model for model, _ in not_ranked(table)] == ["binomial (n=10, p=0)", "your table"]


def test_ranking_display_in_nats_and_with_bootstrap(teeth):
    table = rank(teeth, ["uniform", "binomial"], base=math.e, bootstrap=20, seed=1)
    shown = ranking_display(table, math.e)
    assert "KL (nats/obs)" in shown.columns
    assert "KL 95% interval (nats)" in shown.columns and "P(best)" in shown.columns
    assert shown["KL 95% interval (nats)"].str.match(r"^\[.*, .*\]$").all()


def test_ranking_display_of_an_empty_table():
    table = pd.DataFrame(columns=["model", "label", "params", "n_params", "kl", "note"])
    assert ranking_display(table).empty


def test_summary_rows(teeth):
    rows = dict(summary_rows(teeth.summary(), 2))
    assert rows["Observations (N)"] == "100"
    assert rows["Support size"] == "11"
    assert rows["Dropped rows"] == "none"
    assert rows["Mean"] == "5.44"
    assert "Entropy (bits)" in rows
    planets = Empirical.from_probabilities([1, 2], [0.5, 0.5])
    assert dict(summary_rows(planets.summary(math.e), math.e))["Observations (N)"].startswith("unknown")
    assert "Entropy (nats)" in dict(summary_rows(planets.summary(math.e), math.e))


def test_format_estimate_shows_the_worm_teeth_binomial_p_with_its_standard_error():
    from kl_core.models import fit
    from kl_core.uncertainty import standard_errors

    teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    model = fit(teeth, "binomial", n=10)
    assert format_estimate(model.params["p"], standard_errors(teeth, model)["p"]) == "0.544 ± 0.016"


@pytest.mark.parametrize("value, stderr", [(73.6457, 2.2472), (0.0544273, 0.0049461), (4.00834, 0.341913), (12345.6, 7.1)])
def test_format_estimate_rounds_the_value_to_the_second_digit_of_its_error(value, stderr):
    shown_value, shown_error = (float(part.replace(",", "")) for part in format_estimate(value, stderr).split(" ± "))
    unit = 10 ** (math.floor(math.log10(stderr)) - 1)
    assert abs(shown_value - value) <= unit / 2 + 1e-12
    assert shown_error == pytest.approx(stderr, abs=unit / 2 + 1e-12)
    assert 10 <= round(shown_error / unit) < 100


def test_delta_aic_is_the_gap_to_the_best_in_nats(teeth):
    # Independent check: ΔAIC = 2·Δm + 2·N·ΔKL(nats), from log L = −N (H + KL).
    table = rank(teeth, ["uniform", "binomial", "poisson"], base=math.e)
    shown = ranking_display(table, math.e).set_index("Model")
    best = table.iloc[0]
    for _, row in table.iloc[1:].iterrows():
        expected = 2 * (row["n_params"] - best["n_params"]) + 2 * teeth.n * (row["kl"] - best["kl"])
        assert shown.loc[row["model"], "ΔAIC (nats)"] == format_number(expected)
        expected_bic = (row["n_params"] - best["n_params"]) * math.log(teeth.n) + 2 * teeth.n * (row["kl"] - best["kl"])
        assert shown.loc[row["model"], "ΔBIC (nats)"] == format_number(expected_bic)
    assert "Free parameters" in shown.columns and "Fitted parameters" not in shown.columns


@pytest.mark.parametrize(("key", "words"), [
    ("nbinom", "negative binomial"), ("geom", "geometric"), ("expression", "your formula"), ("custom", "your table"),
    ("poisson", "Poisson"), ("t", "Student's t"), ("argus", "ARGUS"), ("f", "F"), ("beta", "beta"),
])
def test_family_labels_read_as_words(key, words):
    assert family_label(key) == words


def test_no_family_label_says_empirical_or_is_an_abbreviated_key():
    from kl_core.models import REGISTRY

    for name in REGISTRY:
        words = family_label(name)
        assert "empirical" not in words.lower()
        assert "_" not in words, (name, words)  # never a raw key such as weibull_min
    assert family_label("nbinom") != "nbinom" and family_label("geom") != "geom"


def test_second_dataset_names_its_file():
    assert model_label("empirical", "dataset 'teeth_2025.csv'") == "second dataset: teeth_2025.csv"
    assert model_label("empirical", "reference dataset") == "second dataset"


def test_sample_and_population_variance_are_labelled():
    values = np.array([1, 2, 2, 3, 7], dtype=float)
    emp = Empirical.from_counts(*np.unique(values, return_counts=True))
    rows = dict(summary_rows(emp.summary()))
    assert rows["Variance (sample, ÷ N − 1)"] == format_number(np.var(values, ddof=1))
    assert rows["Variance (population, ÷ N)"] == format_number(np.var(values))
    assert not any(label == "Variance" for label in rows)


# ---------------------------------------------- issue 10: fits at the edge of their family, shown as the limit
def _faithful_edge_fits():
    from kl_core import compare
    from kl_core.models import REGISTRY, default_models
    from reference_data import real_values

    x = real_values("faithful", "eruptions")
    emp = Empirical.from_samples(x)
    three_parameter = [name for name in REGISTRY if name.endswith("_3p")]
    return x, compare(emp, [*default_models(emp), *three_parameter])


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"=(−?-?[0-9.]+(?:e[-+]?\d+)?)", text.replace("−", "-"))]


def test_old_faithful_shows_no_absurd_parameter_and_every_raw_edge_fit_has_a_note():
    x, comparison = _faithful_edge_fits()
    span, size = float(np.ptp(x)), float(np.abs(x).max())
    shown = ranking_display(comparison.table)

    def absurd(value: float) -> bool:
        return abs(value) > 1e4 * size or 0 < abs(value) < 1e-6 * span

    for (_, row), params_text in zip(comparison.table.iterrows(), shown["Parameters"]):
        assert not any(absurd(v) for v in _numbers(params_text)), (row["model"], params_text)
        if any(absurd(float(v)) for v in row["params"].values()):  # the raw fit ran off: a note says so, in words
            assert "ran to the edge of its range" in row["note"], row["model"]
    assert any(absurd(float(v)) for params in comparison.table["params"] for v in params.values())  # the case is real


def test_old_faithful_students_t_is_named_and_shown_as_the_normal_it_tends_to():
    from scipy import stats

    x, comparison = _faithful_edge_fits()
    shown = ranking_display(comparison.table).set_index(comparison.table["model"])
    assert shown.loc["t", "Model"] == "Student's t → normal (df → ∞)"
    assert fitted_label("t", comparison.fitted["t"]) == "Student's t → normal (df → ∞)"
    loc, scale = stats.norm.fit(x)  # scipy's normal MLE, the limit's parameters
    assert _numbers(shown.loc["t", "Parameters"]) == pytest.approx([loc, scale], rel=1e-3)


def test_old_faithful_three_parameter_weibull_is_shown_as_its_gumbel_limit():
    from scipy import stats

    x, comparison = _faithful_edge_fits()
    shown = ranking_display(comparison.table).set_index(comparison.table["model"])
    assert shown.loc["weibull_min_3p", "Model"] == "Weibull (3-parameter) → Gumbel (minimum) (c → ∞)"
    loc, scale = stats.gumbel_l.fit(x)  # scipy's own MLE of the limit family
    assert _numbers(shown.loc["weibull_min_3p", "Parameters"]) == pytest.approx([loc, scale], rel=1e-3)


def test_a_fit_inside_its_family_keeps_its_own_name_and_parameters():
    _, comparison = _faithful_edge_fits()
    shown = ranking_display(comparison.table).set_index(comparison.table["model"])
    assert shown.loc["gamma", "Model"] == "gamma" and shown.loc["gamma", "Parameters"].startswith("a=7.966")
    assert edge_limit(comparison.table.set_index("model").loc["gamma", "note"]) is None


def test_params_with_errors_shows_a_plus_minus_only_where_a_standard_error_exists():
    from kl_core.display import params_with_errors

    params = {"n": 10, "p": 0.54400001, "loc": 0.0}
    assert params_with_errors(params, {"p": 0.01575, "loc": math.nan}) == "n=10, p=0.544 ± 0.016, loc=0"
    assert params_with_errors(params, {}) == params_with_errors(params) == "n=10, p=0.544, loc=0"
    assert params_with_errors({"s": 0.374}, {"s": 0.0}) == "s=0.374"  # a zero error is no error: no "± 0"


def test_ranking_display_with_standard_errors_and_goodness_of_fit(teeth):
    table = rank(teeth, ["binomial", "uniform"])
    gof = {"binomial": {"ks": 0.1234, "ks_pvalue": 0.5, "cvm": 0.2, "cvm_pvalue": math.nan, "ad": math.inf}}
    shown = ranking_display(table, stderr={"binomial": {"p": 0.01575}}, gof=gof).set_index("Model")
    assert shown.loc["binomial", "Parameters"] == "n=10, p=0.544 ± 0.016"
    assert shown.loc["uniform", "Parameters"] == "low=0, high=10"
    assert shown.loc["binomial", ["KS", "KS p (classical)", "CvM", "CvM p (classical)", "AD"]].tolist() == [
        "0.1234", "0.5", "0.2", MISSING, INFINITY]
    assert shown.loc["uniform", "KS"] == MISSING  # a model without statistics: blanks, never zeros
    assert list(shown.columns)[-1] == "Note"
    assert "KS" not in ranking_display(table).columns  # only when asked for


def test_ranking_display_shows_the_binned_kl_and_akaike_weights_when_the_table_has_them():
    x = np.random.default_rng(3).gamma(2.0, 1.0, 2_000)
    table = rank(Empirical.from_samples(x), ["gamma", "norm"])
    shown = ranking_display(table)
    assert "KL at these bins (bits/obs)" in shown.columns
    assert shown["KL at these bins (bits/obs)"].tolist() == [format_number(v) for v in table["kl_binned"]]
    weights = [float(v) for v in shown["Akaike weight"]]
    assert weights[0] > weights[1] and sum(weights) == pytest.approx(1, abs=2e-3)
    assert "KL at these bins (bits/obs)" not in ranking_display(rank(Empirical.from_counts([0, 1], [3, 1]), ["uniform"])).columns


def test_columns_named_picks_headers_by_name_whatever_their_unit():
    from kl_core.display import columns_named, header_name

    columns = list(ranking_display(rank(Empirical.from_counts([0, 1], [3, 1]), ["uniform"]), math.e).columns)
    assert columns_named(columns, ["KL", "Rank", "Model"]) == ["KL (nats/obs)", "Rank", "Model"]
    assert columns_named(columns, ["no such column"]) == []
    assert all(header_name(c) == c.split(" (")[0] for c in columns)
