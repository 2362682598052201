"""kl_core.models.user: custom tables, formulas fitted by likelihood, another dataset as the model."""

import math

import numpy as np
import pytest
from scipy import stats

from kl_core import DataError, Empirical, fit, rank
from kl_core.models.user import reference_for


def test_custom_table_is_normalised_and_missing_values_get_zero(teeth):
    model = fit(teeth, "custom", values=list(range(10)), weights=[1] * 10)
    mass = model.mass(teeth)
    assert mass[:10] == pytest.approx([0.1] * 10) and mass[10] == 0
    row = rank(teeth, [("custom", {"values": list(range(10)), "weights": [1] * 10})]).iloc[0]
    assert math.isinf(row["kl"]) and "gives 0 probability to 10" in row["note"]


def test_custom_table_on_labels():
    coin = Empirical.from_samples(list("HHHT"))
    model = fit(coin, "custom", values=["H", "T"], weights=[3, 1])
    assert model.mass(coin).tolist() == [0.75, 0.25]
    assert rank(coin, [("custom", {"values": ["H", "T"], "weights": [3, 1]})])["kl"].iloc[0] == pytest.approx(0)


@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "custom needs a table"),
        ({"values": [1, 2], "weights": [1]}, "as many weights as values"),
        ({"values": [1, 2], "weights": [1, -1]}, "≥ 0"),
        ({"values": [1, 2], "weights": [0, 0]}, "all 0"),
        ({"values": [1, 1], "weights": [1, 1]}, "more than once"),
    ],
)
def test_custom_reasons(teeth, options, message):
    with pytest.raises(DataError, match=message):
        fit(teeth, "custom", **options)


def test_expression_geometric_matches_the_geom_mle():
    # Failures before the first success: P(x) ∝ p(1-p)^x. Over a wide declared support the
    # normalised formula is the geometric distribution, whose MLE is p = 1 / (1 + mean).
    rng = np.random.default_rng(5)
    emp = Empirical.from_samples(rng.geometric(0.3, 20_000) - 1)
    model = fit(emp, "expression", formula="p*(1-p)**x", start={"p": 0.5}, low=0, high=400)
    assert model.params["p"] == pytest.approx(1 / (1 + emp.mean()), rel=1e-4)
    assert model.n_params == 1
    assert model.mass(emp) == pytest.approx(stats.geom.pmf(emp.support + 1, model.params["p"]), rel=1e-6)


def test_expression_poisson_formula_fits_mu(teeth):
    model = fit(teeth, "expression", formula="exp(-mu) * mu^x / factorial(x)", start={"mu": 3}, low=0, high=200)
    assert model.params["mu"] == pytest.approx(teeth.mean(), rel=1e-4)


def test_expression_fixed_parameter(teeth):
    model = fit(teeth, "expression", formula="comb(10, x) * p^x * (1-p)^(10-x)", fixed={"p": 0.5})
    assert model.n_params == 0
    assert model.mass(teeth) == pytest.approx(stats.binom.pmf(np.arange(11), 10, 0.5))


@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "expression needs formula="),
        ({"formula": "__import__('os')"}, "not allowed|allowed"),
        ({"formula": "p*x", "fixed": {"q": 1}}, "not parameters of the formula"),
        ({"formula": "p*x", "low": 3}, "must contain the observed values"),
        ({"formula": "-p*x", "start": {"p": 1}}, "negative"),
    ],
)
def test_expression_reasons(teeth, options, message):
    with pytest.raises(DataError, match=message):
        fit(teeth, "expression", **options)


def test_another_dataset_as_the_model_measures_drift():
    rng = np.random.default_rng(2)
    before = Empirical.from_samples(rng.poisson(3, 5000), name="before")
    after = Empirical.from_samples(rng.poisson(3, 5000), name="after")
    shifted = Empirical.from_samples(rng.poisson(4, 5000), name="shifted")
    def kl(reference):
        return rank(after, [("empirical", {"reference": reference})], zero_policy="epsilon", epsilon=1e-4)["kl"].iloc[0]
    assert kl(before) < 0.05 < kl(shifted)
    # Strictly, a value seen only in the new sample makes the drift infinite, and the note names it.
    unseen = Empirical.from_counts([0, 1, 2], [5, 5, 1])
    row = rank(unseen, [("empirical", {"reference": Empirical.from_counts([0, 1], [1, 1])})]).iloc[0]
    assert math.isinf(row["kl"]) and "gives 0 probability to 2" in row["note"]


def test_binned_reference_lines_up_with_the_data():
    rng = np.random.default_rng(4)
    data = Empirical.from_samples(rng.normal(size=5000))
    reference = reference_for(data, rng.normal(0.5, 1, 5000))
    model = fit(data, "empirical", reference=reference)
    assert model.mass(data).sum() <= 1 + 1e-12
    assert model.mass(data).sum() == pytest.approx(1 - reference.probs[0] - reference.probs[-1])
    with pytest.raises(DataError, match="binned differently"):
        fit(data, "empirical", reference=Empirical.from_samples(rng.normal(size=100), bins=7))


def test_reference_kind_must_match():
    coin = Empirical.from_samples(list("HT"))
    with pytest.raises(DataError, match="compare like with like"):
        fit(coin, "empirical", reference=Empirical.from_samples([1, 2]))
    with pytest.raises(DataError, match="reference=<an Empirical>"):
        fit(coin, "empirical")


def test_a_second_table_is_read_as_the_data_page_reads_numbers():
    import pandas as pd

    from kl_core.models.user import reference_from_table

    base = Empirical.from_counts([0, 1, 2], [1, 2, 1])
    table = pd.DataFrame({"teeth": ["0", "1", " 1", "", "NA", "2", "2"], "label": list("abcdefg")})
    reference = reference_from_table(base, table, "teeth", name="second.csv")
    assert reference.support.tolist() == [0, 1, 2] and reference.counts.tolist() == [1.0, 2.0, 2.0]
    assert reference.name == "second.csv"
    with pytest.raises(DataError):
        reference_from_table(base, table, "label")
    coin = Empirical.from_samples(list("HTH"))
    assert reference_from_table(coin, pd.DataFrame({"side": list("HHT")}), "side").counts.tolist() == [2.0, 1.0]
