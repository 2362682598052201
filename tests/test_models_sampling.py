"""kl_core.models.sampling and FittedModel.sample: inverse-CDF draws, checked against scipy's ppf."""

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kl_core import DataError, Empirical, fit
from kl_core.models.base import FittedModel
from kl_core.export.csv import draws_csv
from kl_core.models.sampling import MAX_DRAWS, draws_frame


def uniforms(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(size=n)


def test_discrete_draws_are_scipy_quantiles_of_the_seeded_uniforms(teeth):
    model = fit(teeth, "binomial")
    expected = stats.binom(10, model.params["p"]).ppf(uniforms(5_000, 3))
    assert model.sample(5_000, seed=3).tolist() == expected.tolist()


def test_discrete_inversion_reaches_negative_support():
    model = fit(Empirical.from_counts([-3, -1, 0, 2, 4], [1, 3, 5, 3, 1]), "skellam")
    frozen = stats.skellam(model.params["mu1"], model.params["mu2"])
    assert model.sample(2_000, seed=1).tolist() == frozen.ppf(uniforms(2_000, 1)).tolist()


def test_continuous_draws_invert_the_cdf():
    model = FittedModel("gamma", {"a": 3.0, "scale": 2.0}, 2, cdf_function=stats.gamma(3.0, scale=2.0).cdf, continuous=True)
    assert model.sample(1_000, seed=5) == pytest.approx(stats.gamma(3.0, scale=2.0).ppf(uniforms(1_000, 5)), rel=1e-8)


def test_models_with_a_quantile_function_use_it():
    emp = Empirical.from_samples(np.r_[np.random.default_rng(2).poisson(1, 300), np.random.default_rng(3).poisson(8, 300)])
    model = fit(emp, "mixture", family="poisson", k=2)
    draws = model.sample(20_000, seed=9)
    assert draws.tolist() == model.ppf(uniforms(20_000, 9)).tolist()
    mean = sum(c["weight"] * c["params"]["mu"] for c in model.extra["components"])
    assert abs(draws.mean() - mean) < 4 * draws.std() / np.sqrt(draws.size)


def test_same_seed_same_draws_other_seed_other_draws(teeth):
    model = fit(teeth, "poisson")
    assert model.sample(50, seed=1).tolist() == model.sample(50, seed=1).tolist()
    assert model.sample(50, seed=1).tolist() != model.sample(50, seed=2).tolist()


def test_models_without_a_cdf_and_bad_sizes_are_refused(teeth):
    coin = Empirical.from_samples(list("HHTHT"))
    with pytest.raises(DataError, match="no cumulative distribution"):
        fit(coin, "uniform").sample(3)
    model = fit(teeth, "poisson")
    for bad in (-1, 2.5, True, MAX_DRAWS + 1, "10"):
        with pytest.raises(DataError, match="number of draws"):
            model.sample(bad)
    assert model.sample(0).size == 0


def test_csv_of_draws_reads_back(teeth):
    model = fit(teeth, "binomial")
    text = draws_csv(model, 100, seed=4)
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["value"] and frame["value"].tolist() == model.sample(100, seed=4).astype(int).tolist()
    continuous = FittedModel("norm", {}, 2, cdf_function=stats.norm.cdf, continuous=True)
    values = draws_frame(continuous, 10, seed=1)["value"]
    assert pd.read_csv(io.StringIO(draws_csv(continuous, 10, seed=1)))["value"].tolist() == values.tolist()


class _NoQuantiles(FittedModel):
    def ppf(self, q):
        raise DataError("no quantile function here")


def test_a_declared_but_missing_quantile_function_falls_back_to_the_cdf():
    model = _NoQuantiles("poisson", {"mu": 3.0}, 1, stats.poisson(3.0).pmf, stats.poisson(3.0).cdf)
    assert model.sample(500, seed=2).tolist() == stats.poisson(3.0).ppf(uniforms(500, 2)).tolist()
