"""kl_core.models.simple and the registry: uniform and binomial, options, reasons."""

import numpy as np
import pytest
from scipy import stats

from kl_core import DataError, Empirical, fit
from kl_core.models import REGISTRY, default_models


def test_uniform_defaults_to_observed_range(teeth):
    model = fit(teeth, "uniform")
    assert model.params == {"low": 0, "high": 10} and model.n_params == 0
    assert model.mass(teeth) == pytest.approx(np.full(11, 1 / 11))


def test_uniform_declared_range_leaves_mass_elsewhere(teeth):
    model = fit(teeth, "uniform", low=0, high=19)
    assert model.mass(teeth).sum() == pytest.approx(11 / 20)


def test_uniform_over_observed_points():
    emp = Empirical.from_counts([100, 105, 180], [1, 1, 2])
    assert fit(emp, "uniform", over="observed").mass(emp) == pytest.approx([1 / 3] * 3)
    assert fit(emp, "uniform").mass(emp) == pytest.approx([1 / 81] * 3)


def test_uniform_on_categories_and_bins():
    coin = Empirical.from_samples(list("HHTHT"))
    assert fit(coin, "uniform").mass(coin).tolist() == [0.5, 0.5]
    rng = np.random.default_rng(0)
    binned = Empirical.from_samples(rng.uniform(2, 5, 5000))
    model = fit(binned, "uniform")
    assert model.continuous and model.mass(binned).sum() == pytest.approx(1.0)


def test_binomial_mle_is_mean_over_n(teeth):
    model = fit(teeth, "binomial")
    assert model.params == {"n": 10, "p": pytest.approx(0.544)}
    assert model.mass(teeth) == pytest.approx(stats.binom.pmf(np.arange(11), 10, 0.544))
    # The closed form beats nearby p in log-likelihood (it is the maximum).
    def loglik(p):
        return float(np.dot(teeth.counts, stats.binom.logpmf(np.arange(11), 10, p)))
    assert loglik(0.544) > max(loglik(0.544 * 1.01), loglik(0.544 * 0.99))


def test_binomial_declared_n_and_fixed_p(teeth):
    assert fit(teeth, "binomial", n=20).params["p"] == pytest.approx(0.272)
    fixed = fit(teeth, "binomial", p=0.5)
    assert fixed.n_params == 0 and isinstance(fixed.params["n"], int)


@pytest.mark.parametrize(
    "values, options, message",
    [
        ([-2, 3], {}, "binomial needs whole numbers ≥ 0; found -2"),
        ([0.5, 3], {}, "binomial needs whole numbers; found 0.5"),
        ([0, 3], {"n": 2}, "declare n ≥ 3"),
        ([0, 3], {"n": 2.5}, "option n must be a whole number"),
        ([0, 0], {}, "every observed value is 0"),
        ([0, 3], {"p": 1.5}, "between 0 and 1"),
        ([0, 3], {"trials": 4}, "has no option trials"),
    ],
)
def test_binomial_reasons(values, options, message):
    emp = Empirical.from_counts(values, [1] * len(values))
    with pytest.raises(DataError, match=message):
        fit(emp, "binomial", **options)


def test_uniform_reasons(teeth):
    with pytest.raises(DataError, match="low ≤ high"):
        fit(teeth, "uniform", low=5, high=2)
    with pytest.raises(DataError, match="over must be"):
        fit(teeth, "uniform", over="everything")


def test_unknown_model_suggests_close_names(teeth):
    with pytest.raises(DataError, match="Did you mean binomial"):
        fit(teeth, "binomal")


def test_binomial_does_not_apply_to_labels():
    coin = Empirical.from_samples(list("HT"))
    assert "categorical" in REGISTRY["binomial"].why_not(coin) and REGISTRY["uniform"].why_not(coin) is None


def test_defaults_for_counts_include_uniform_and_binomial(teeth):
    assert {"uniform", "binomial"} <= set(default_models(teeth))


def test_every_registered_model_has_a_description():
    for name, spec in REGISTRY.items():
        assert spec.name == name and spec.label and spec.how_fitted and spec.kinds
